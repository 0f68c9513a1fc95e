import { z } from 'zod';
import { defineJob } from '../../platform/jobs.ts';
import type { MailResultHandler } from '../../platform/mail/outbox.ts';
import { dispatchDueLines } from './dispatch.ts';
import { recordProvisioningEmailOutcome } from './line-events.ts';
import { settleTransactions } from './repository.ts';

/**
 * Sends the start-date emails of every due line, a batch at a time. Woken when an order starting
 * today is booked, and every minute as the safety net (and for start dates that arrive at midnight).
 */
export const dispatchDue = defineJob({
  name: 'provisioning.dispatch-due',
  payload: z.object({}),
  policy: 'stately',
  retry: { limit: 2, delaySeconds: 10 },
  schedule: { cron: '* * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    let lines = 0;
    let emails = 0;
    while (!job.signal.aborted) {
      const batch = await dispatchDueLines(ctx);
      if (batch.lines === 0) break;
      lines += batch.lines;
      emails += batch.emails;
    }
    if (lines) ctx.log.info({ lines, emails }, 'provisioning emails queued');
  },
});

/**
 * A resend's or contact change's email ended: its transaction(s) are sent, or failed with the server's
 * reason, and each line it carried gets its outgoing event, in the transaction that records the outcome.
 */
export const settleTransactionEmail: MailResultHandler = async (ctx, outcomes) => {
  await recordProvisioningEmailOutcome(ctx, outcomes);
  for (const { email, result } of outcomes) {
    if (!email.subjectRef) continue;
    await settleTransactions(
      ctx.db,
      email.subjectRef,
      result.status,
      result.status === 'failed' ? result.reason.slice(0, 1000) : null,
      ctx.clock.now(),
    );
  }
};

/** The start-date email ended: each line it carried gets its outgoing event. */
export const settleStartEmail: MailResultHandler = recordProvisioningEmailOutcome;
