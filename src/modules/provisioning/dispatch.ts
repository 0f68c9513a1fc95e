import { type Ctx, inTransaction } from '../../platform/context.ts';
import { translator } from '../../platform/i18n.ts';
import type { EmailToQueue } from '../../platform/mail/outbox.ts';
import type { AuditEntry } from '../audit/service.ts';
import { SERVICE_CODES, type ServiceCode } from '../catalog/schema.ts';
import { offerNames } from '../catalog/service.ts';
import { advance } from '../subscriptions/advance.ts';
import { renderProvisioningEmail } from './emails/render.ts';
import * as repo from './repository.ts';

/**
 * The start-date dispatch (C3, C11): due lines are claimed in batches and each (order, contact) gets
 * one provisioning email with a live link per line. Resends and contact changes (service.ts) compose
 * their emails with the same `composeEmails`.
 */

/** Lines claimed per transaction: one set-based round of statements per batch, not per line. */
const DISPATCH_BATCH = 200;

/**
 * Sends the start-date email for one batch of due lines: claims them and moves their subscriptions
 * out of `scheduled` (subscriptions' `advance`), whose `send_setup_emails` effect (transition-effects.ts)
 * gives each line a live link and queues one email per (order, contact). Call it until it returns no
 * lines.
 */
export async function dispatchDueLines(
  ctx: Ctx,
  options?: { limit?: number; lineIds?: readonly string[] },
): Promise<{ lines: number; emails: number }> {
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const claimed = await repo.claimDueLines(tx.db, now, options?.limit ?? DISPATCH_BATCH, options?.lineIds);
    if (claimed.length === 0) return { lines: 0, emails: 0 };
    const { moved } = await advance(
      tx,
      claimed.map((l) => l.subscription_id),
      { type: 'provisioning_email_sent' },
    );
    // One email per (order, contact), as composeEmails groups them.
    const emails = new Set(moved.map((m) => `${m.orderId} ${m.contactEmail}`)).size;
    return { lines: moved.length, emails };
  });
}

export function sentEntry(
  lineId: string,
  orgId: string,
  to: string,
  messageKind: 'start' | 'resend' | 'contact_changed',
): AuditEntry<'provisioning.email_sent'> {
  return {
    action: 'provisioning.email_sent',
    entityType: 'order_line',
    entityId: lineId,
    organizationId: orgId,
    payload: { to, messageKind },
  };
}

/** One provisioning email per (order, contact), listing that contact's lines with their links. */
export async function composeEmails(
  ctx: Ctx,
  rows: repo.EmailLineRow[],
  urls: ReadonlyMap<string, string>,
  resend: boolean,
): Promise<Omit<EmailToQueue, 'kind'>[]> {
  const names = await offerNames(ctx);
  const groups = new Map<string, repo.EmailLineRow[]>();
  for (const row of rows) {
    const key = `${row.order_id} ${row.provisioning_contact_email}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((lines) => {
    const first = lines[0] as repo.EmailLineRow;
    const t = translator(first.locale);
    const rendered = renderProvisioningEmail({
      locale: first.locale,
      orderReference: first.reference,
      orderNumber: first.order_number,
      partnerName: first.partner_name,
      endCustomerName: first.end_customer_name,
      contactEmail: first.provisioning_contact_email,
      sender: ctx.mail.from,
      resend,
      lines: lines.map((line) => ({
        subscriptionId: line.subscription_id,
        offerName: names.get(line.offer_code) ?? line.offer_code,
        services: [...line.service_codes]
          .sort((a, b) => SERVICE_CODES.indexOf(a as ServiceCode) - SERVICE_CODES.indexOf(b as ServiceCode))
          .map((code) => t(`service.${code}`)),
        quantity: line.quantity,
        requestedStartDate: line.requested_start_date,
        setupUrl: urls.get(line.id) ?? '',
      })),
    });
    return { to: first.provisioning_contact_email, locale: first.locale, ...rendered };
  });
}
