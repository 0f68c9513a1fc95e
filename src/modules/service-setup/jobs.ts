import { z } from 'zod';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { defineJob } from '../../platform/jobs.ts';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import { releaseExpiredReservations } from './services-repository.ts';

/**
 * Frees the site names and subdomains of setups abandoned past their reservation (S6 keeps a setup
 * resumable, not its names forever). Provisioned setups hold no reservation, so they are never touched.
 */
export async function releaseAbandonedReservations(ctx: Ctx): Promise<{ sites: number; subdomains: number }> {
  return inTransaction(ctx, async (tx) => {
    const released = await releaseExpiredReservations(tx.db, tx.clock.now());
    const bySubscription = new Map<string, { orgId: string; sites: number; subdomains: number }>();
    const entry = (subscriptionId: string, orgId: string) => {
      const found = bySubscription.get(subscriptionId) ?? { orgId, sites: 0, subdomains: 0 };
      bySubscription.set(subscriptionId, found);
      return found;
    };
    for (const s of released.sites) entry(s.subscription_id, s.organization_id).sites += 1;
    for (const s of released.subdomains)
      if (s.subscription_id) entry(s.subscription_id, s.organization_id).subdomains += 1;
    const entries: AuditEntry[] = [...bySubscription].map(([subscriptionId, e]) => ({
      action: 'setup.reservations_released',
      entityType: 'subscription',
      entityId: subscriptionId,
      organizationId: e.orgId,
      payload: { sites: e.sites, subdomains: e.subdomains },
    }));
    await recordAudit(tx, entries);
    return { sites: released.sites.length, subdomains: released.subdomains.length };
  });
}

export const releaseReservationsJob = defineJob({
  name: 'setup.release-reservations',
  payload: z.object({}),
  policy: 'stately',
  schedule: { cron: '*/15 * * * *', payload: {} },
  async handler(ctx) {
    const released = await releaseAbandonedReservations(ctx);
    if (released.sites || released.subdomains)
      ctx.log.info(released, 'abandoned setup reservations released');
  },
});
