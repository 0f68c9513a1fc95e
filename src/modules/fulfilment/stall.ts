import { z } from 'zod';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { isLocale } from '../../platform/i18n.ts';
import { defineJob } from '../../platform/jobs.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { userByEmail } from '../identity/service.ts';
import { renderStalledEmail } from './emails.ts';
import * as repo from './repository.ts';

/** Requests claimed per round; a backlog is several rounds, each one email per representative. */
const BATCH = 100;

/**
 * Fulfilment requests nobody answered within FULFILMENT_STALL_HOURS (the vendor's service took one and
 * never reported, or no operator handled a manual one): the ordering partner's account representative
 * (else ESCALATION_EMAIL) is told once per request, in one email per representative per round, in
 * their own language when they have an account here (as escalations find them, provisioning/timers.ts).
 * Returns how many requests were reported.
 */
export async function reportStalledRequests(ctx: Ctx, signal?: AbortSignal): Promise<number> {
  let reported = 0;
  while (!signal?.aborted) {
    const claimed = await inTransaction(ctx, async (tx) => {
      const now = tx.clock.now();
      const since = new Date(now.getTime() - tx.config.fulfilmentStallHours * 3_600_000);
      const rows = await repo.claimStalled(tx.db, since, now, tx.config.escalationEmail, BATCH);
      const byRep = new Map<string, typeof rows>();
      for (const r of rows) byRep.set(r.to, [...(byRep.get(r.to) ?? []), r]);
      for (const [to, requests] of byRep) {
        const rep = await userByEmail(tx, to);
        const locale = rep && isLocale(rep.locale) ? rep.locale : tx.config.defaultLocale;
        const email = renderStalledEmail({
          locale,
          hours: tx.config.fulfilmentStallHours,
          listUrl: `${tx.config.publicUrl}/backoffice/provision-requests`,
          requests: requests.map((r) => ({
            subscriptionId: r.subscription_id,
            partnerName: r.partner_name,
            customerName: r.customer_name,
            openedAt: new Date(r.opened_at),
            url: `${tx.config.publicUrl}/backoffice/provision-requests/${r.id}`,
          })),
        });
        await queueEmail(tx, { kind: 'fulfilment.stalled', to, locale, ...email });
      }
      await recordAudit(
        tx,
        rows.map((r) => ({
          action: 'fulfilment.stalled_reported' as const,
          entityType: 'subscription',
          entityId: r.subscription_id,
          organizationId: r.partner_org_id,
          payload: { requestId: r.id, to: r.to },
        })),
      );
      return rows.length;
    });
    reported += claimed;
    if (claimed < BATCH) break;
  }
  return reported;
}

export const reportStalledRequestsJob = defineJob({
  name: 'fulfilment.report-stalled',
  payload: z.object({}),
  policy: 'stately',
  schedule: { cron: '*/15 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const reported = await reportStalledRequests(ctx, job.signal);
    if (reported) ctx.log.info({ reported }, 'stalled fulfilment requests reported');
  },
});
