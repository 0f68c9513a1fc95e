import { isLocale } from '../../platform/i18n.ts';
import { wake } from '../../platform/jobs.ts';
import { queueEmails } from '../../platform/mail/outbox.ts';
import type { TransitionEffect } from '../subscriptions/effects.ts';
import { renderOutcomeEmail } from './emails.ts';
import * as repo from './repository.ts';
import { storedMessage } from './schema.ts';
import { sendProvisionRequestsJob } from './sender.ts';

/**
 * What fulfilment does when a subscription moves (named in subscriptions/lifecycle.ts, run by `advance`
 * in the mover's transaction).
 */

/**
 * `send_provision_request` (→ provisioning): the request was written by Provision just before; an http
 * one is due now, so the sender is woken in this transaction (it exists exactly when the move commits).
 * A manual one waits in the back office.
 */
export const sendProvisionRequest: TransitionEffect = async (tx, _moved, event) => {
  if (event.type !== 'provision_requested') return;
  const request = await repo.findRequest(tx.db, event.provisionRequestId);
  if (request?.mode === 'http') await wake(tx, sendProvisionRequestsJob, {});
};

/**
 * `tell_admins_provisioning_outcome` (→ provisioning_failed, needs_info): the partner (the order's placer,
 * else its admins) and the customer's admins hear what the vendor said, each in their language, with the
 * way back to the setup (Retry, or the fields to edit and resubmit).
 */
export const tellAdminsProvisioningOutcome: TransitionEffect = async (tx, moved, event) => {
  if (event.type !== 'provisioning_failed' && event.type !== 'information_requested') return;
  for (const m of moved) {
    const details = await repo.sendingDetails(tx.db, event.provisionRequestId);
    if (!details) continue;
    const recipients = await repo.outcomeRecipients(tx.db, {
      orderId: m.orderId,
      partnerOrgId: m.partnerOrgId,
      customerOrgId: m.customerOrgId,
    });
    const seen = new Set<string>();
    const setupUrl = `${tx.config.publicUrl}/hub/setups/${m.subscriptionId}`;
    await queueEmails(
      tx,
      recipients.flatMap((r) => {
        if (seen.has(r.email)) return [];
        seen.add(r.email);
        const locale = isLocale(r.locale) ? r.locale : tx.config.defaultLocale;
        return [
          {
            kind: 'fulfilment.outcome',
            subjectRef: m.subscriptionId,
            to: r.email,
            locale,
            ...renderOutcomeEmail({
              locale,
              outcome: event.type === 'provisioning_failed' ? 'failed' : 'needs_info',
              subscriptionId: m.subscriptionId,
              orderNumber: details.order_number,
              reference: details.reference,
              offerName: details.offer_name,
              customerName: details.customer_name,
              code: details.answer_code,
              message: storedMessage(details.answer_message),
              fields: details.answer_fields ?? [],
              setupUrl,
            }),
          },
        ];
      }),
    );
  }
};
