import { z } from 'zod';
import { isoDate } from '../../platform/clock.ts';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { isLocale } from '../../platform/i18n.ts';
import { defineJob } from '../../platform/jobs.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { userByEmail } from '../identity/service.ts';
import { advance } from '../subscriptions/advance.ts';
import { ESCALATION_DIGEST_LINES, renderEscalationDigest } from './emails/escalation.ts';
import { lineEvent, lineRef, recordLineEvents } from './line-events.ts';
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

async function closeOne(ctx: Ctx, line: { subscriptionId: string }): Promise<boolean> {
  // The subscription moved on meanwhile (another worker, a mapping): it is refused, nothing is written.
  const { moved } = await advance(ctx, [line.subscriptionId], { type: 'policy_window_ended' });
  return moved.length === 1;
}

/** Audit entries written per statement: a backlog of 200,000 lines is many statements, not one. */
const AUDIT_CHUNK = 1000;

/**
 * C10: one day after the Requested Start Date (in the partner's time zone) with no link opened, the
 * account representative is asked to reach out, once per line, in one digest per representative per
 * run: a backlog of thousands of lines is one email, not thousands. Returns how many lines it escalated.
 */
export async function escalateStalledLines(ctx: Ctx, signal?: AbortSignal): Promise<number> {
  const now = ctx.clock.now();
  const recipients = await repo.findEscalationRecipients(
    ctx.db,
    now,
    isoDate(now),
    ctx.config.escalationEmail,
  );
  let escalated = 0;
  for (const to of recipients) {
    if (signal?.aborted) break;
    const lines = await escalateFor(ctx, to);
    // Committed by now (each representative's lines in a transaction of their own).
    ctx.metrics.escalations.inc(lines);
    escalated += lines;
  }
  return escalated;
}

/** Claims one representative's due lines and queues their digest, in one transaction. */
async function escalateFor(ctx: Ctx, to: string): Promise<number> {
  return inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const claimed = await repo.claimEscalations(tx.db, {
      to,
      fallback: tx.config.escalationEmail,
      now,
      utcToday: isoDate(now),
    });
    // Another run got there first: nothing to say.
    if (claimed.length === 0) return 0;
    // The account representative works for the vendor: their own language when they have an
    // account here, else the vendor's default; never the partner's.
    const rep = await userByEmail(tx, to);
    const locale = rep && isLocale(rep.locale) ? rep.locale : tx.config.defaultLocale;
    const shown = await repo.escalatedLineDetails(
      tx.db,
      claimed.map((c) => c.lineId),
      ESCALATION_DIGEST_LINES,
    );
    const email = renderEscalationDigest({
      locale,
      total: claimed.length,
      listUrl: `${tx.config.publicUrl}/backoffice/escalations?${new URLSearchParams({ representative: to })}`,
      lines: shown.map((l) => ({ ...l, orderUrl: `${tx.config.publicUrl}/orders/${l.orderId}` })),
    });
    await queueEmail(tx, { kind: 'provisioning.escalation', to, locale, ...email });
    await recordLineEvents(
      tx,
      claimed.map((c) => c.lineId),
      (row) =>
        lineEvent('line.escalated', row, { ...lineRef(row), requestedStartDate: row.requested_start_date }),
    );
    for (let i = 0; i < claimed.length; i += AUDIT_CHUNK) {
      await recordAudit(
        tx,
        claimed.slice(i, i + AUDIT_CHUNK).map((line) => ({
          action: 'provisioning.escalated' as const,
          entityType: 'order_line',
          entityId: line.lineId,
          organizationId: line.partnerOrgId,
          payload: { to },
        })),
      );
    }
    return claimed.length;
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
