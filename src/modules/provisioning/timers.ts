import { z } from 'zod';
import { isoDate } from '../../platform/clock.ts';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { isLocale } from '../../platform/i18n.ts';
import { defineJob } from '../../platform/jobs.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { userByEmail } from '../identity/service.ts';
import { transitionLine } from '../orders/service.ts';
import { renderEscalationEmail } from './emails/render.ts';
import * as repo from './timers-repository.ts';

/** Lines handled per query; the handlers loop until nothing is due. */
const BATCH = 100;

/**
 * C8: a line whose policy window ran out (counted from the first provisioning email) starts billing
 * and closes. Provisioning stays possible from the Cloud/SaaS Subscriptions page until it is mapped.
 * Returns how many lines it closed.
 */
export async function closeExpiredPolicyWindows(ctx: Ctx, signal?: AbortSignal): Promise<number> {
  let closed = 0;
  let afterId: string | null = null;
  while (!signal?.aborted) {
    const due = await repo.findPolicyDueLines(ctx.db, ctx.clock.now(), afterId, BATCH);
    for (const line of due) {
      afterId = line.lineId;
      if (await closeOne(ctx, line)) closed += 1;
    }
    if (due.length < BATCH) break;
  }
  return closed;
}

async function closeOne(
  ctx: Ctx,
  line: { lineId: string; subscriptionId: string; partnerOrgId: string },
): Promise<boolean> {
  try {
    return await inTransaction(ctx, async (tx) => {
      if (!(await repo.startPolicyBilling(tx.db, line.subscriptionId, tx.clock.now()))) return false;
      await recordAudit(tx, [
        {
          action: 'subscription.billing_started',
          entityType: 'subscription',
          entityId: line.subscriptionId,
          organizationId: line.partnerOrgId,
          payload: { reason: 'policy' },
        },
      ]);
      await transitionLine(tx, line.lineId, 'closed', 'policy_window');
      return true;
    });
  } catch (error) {
    // The line moved on meanwhile (another worker, a mapping): nothing was written, nothing to do.
    if (error instanceof DomainError && error.code === 'line_transition_not_allowed') return false;
    throw error;
  }
}

/**
 * C10: one day after the Requested Start Date (in the partner's time zone) with no link opened, the
 * account representative is asked to reach out, once per line. Returns how many were escalated.
 */
export async function escalateStalledLines(ctx: Ctx, signal?: AbortSignal): Promise<number> {
  let escalated = 0;
  let afterId: string | null = null;
  while (!signal?.aborted) {
    const now = ctx.clock.now();
    const due = await repo.findEscalationDueLines(ctx.db, now, isoDate(now), afterId, BATCH);
    for (const { lineId } of due) {
      afterId = lineId;
      if (await escalateOne(ctx, lineId)) escalated += 1;
    }
    if (due.length < BATCH) break;
  }
  return escalated;
}

async function escalateOne(ctx: Ctx, lineId: string): Promise<boolean> {
  return inTransaction(ctx, async (tx) => {
    const line = await repo.claimEscalation(tx.db, lineId, tx.clock.now());
    if (!line) return false;
    const to = line.accountRepEmail ?? tx.config.escalationEmail;
    // The account representative works for the vendor: their own language when they have an
    // account here, else the vendor's default; never the partner's.
    const rep = await userByEmail(tx, to);
    const locale = rep && isLocale(rep.locale) ? rep.locale : tx.config.defaultLocale;
    const email = renderEscalationEmail({
      locale,
      partnerName: line.partnerName,
      orderReference: line.orderReference,
      orderNumber: line.orderNumber,
      subscriptionId: line.subscriptionId,
      contactEmail: line.contactEmail,
      requestedStartDate: line.requestedStartDate,
      orderUrl: `${tx.config.publicUrl}/orders/${line.orderId}`,
    });
    await queueEmail(tx, {
      kind: 'provisioning.escalation',
      subjectRef: line.lineId,
      to,
      locale,
      ...email,
    });
    await recordAudit(tx, [
      {
        action: 'provisioning.escalated',
        entityType: 'order_line',
        entityId: line.lineId,
        organizationId: line.partnerOrgId,
        payload: { to },
      },
    ]);
    return true;
  });
}

export const policyWindowJob = defineJob({
  name: 'provisioning.policy-window',
  payload: z.object({}),
  policy: 'stately',
  schedule: { cron: '*/5 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const closed = await closeExpiredPolicyWindows(ctx, job.signal);
    if (closed) ctx.log.info({ closed }, 'policy window: lines closed, billing started');
  },
});

export const escalationJob = defineJob({
  name: 'provisioning.escalate',
  payload: z.object({}),
  policy: 'stately',
  schedule: { cron: '*/15 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const escalated = await escalateStalledLines(ctx, job.signal);
    if (escalated) ctx.log.info({ escalated }, 'provisioning escalated to account representatives');
  },
});
