import type { Ctx } from '../../platform/context.ts';
import type { Locale } from '../../platform/i18n.ts';
import { queueEmails } from '../../platform/mail/outbox.ts';
import type { TransitionEffect } from '../subscriptions/effects.ts';
import { renderProvisionedEmail } from './provision-email.ts';
import { loadForSetUp, progressOf } from './services.ts';
import * as repo from './services-repository.ts';

/**
 * What service setup does when a subscription becomes active (named in subscriptions/lifecycle.ts,
 * run by `advance` in the activating transaction), whoever activated it: Provision, or the vendor's
 * service reporting success.
 */

/** `make_reservations_permanent`: the site names and subdomain held for the setup are the customer's. */
export const makeReservationsPermanent: TransitionEffect = async (tx, moved) => {
  await repo.makeReservationsPermanent(
    tx.db,
    moved.map((m) => m.subscriptionId),
  );
};

/**
 * `tell_admins_activated`: the partner (the order's placer, else its admins) and the customer's
 * admins get the summary of what was set up and when billing started (its first date and reason:
 * a start the policy window made stays).
 */
export const tellAdminsActivated: TransitionEffect = async (tx, moved) => {
  // Read as Provisio: whoever activated it (a user, the vendor's service), every admin is told.
  const asProvisio: Ctx = { ...tx, actor: { type: 'system', name: 'provision' } };
  for (const m of moved) {
    const setup = await loadForSetUp(asProvisio, m.subscriptionId, { change: false });
    const progress = await progressOf(asProvisio, setup);
    const recipients = await whomToTell(
      asProvisio,
      setup.order.id,
      setup.mapping.partner.id,
      setup.mapping.customer.id,
    );
    const summaryUrl = `${tx.config.publicUrl}/hub/setups/${m.subscriptionId}`;
    await queueEmails(
      tx,
      recipients.map((r) => ({
        kind: 'setup.provisioned',
        subjectRef: m.subscriptionId,
        to: r.email,
        locale: r.locale,
        ...renderProvisionedEmail({
          locale: r.locale,
          timeZone: r.time_zone,
          progress,
          billingStartedAt: m.billingStartedAt ?? tx.clock.now(),
          billingStartReason: m.billingStartReason ?? 'provisioned',
          summaryUrl,
        }),
      })),
    );
  }
};

/** The partner (the order's placer, else its admins) and the customer's admins, each address once. */
async function whomToTell(ctx: Ctx, orderId: string, partnerOrgId: string, customerOrgId: string) {
  const placer = await repo.orderPlacer(ctx.db, orderId);
  const partner = placer ? [placer] : await repo.organizationAdmins(ctx.db, partnerOrgId, 'partner_admin');
  const customer = await repo.organizationAdmins(ctx.db, customerOrgId, 'customer_admin');
  const seen = new Map<string, { email: string; locale: Locale; time_zone: string }>();
  for (const r of [...partner, ...customer]) if (!seen.has(r.email)) seen.set(r.email, r);
  return [...seen.values()];
}
