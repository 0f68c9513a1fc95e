import { type Ctx, inTransaction } from '../../platform/context.ts';
import type { OutboundOutcome } from '../../platform/outbound-http.ts';
import * as deliveries from './deliveries-repository.ts';
import { announceDisabled } from './disable.ts';
import * as endpoints from './repository.ts';
import { FAILING_DAYS_BEFORE_DISABLED, verdict } from './schedule.ts';

/** What came of an attempt: the network's or the receiver's answer, or no request at all. */
export type AttemptOutcome =
  | OutboundOutcome
  /** The endpoint's secret could not be opened (WEBHOOK_SECRETS_KEY lost the key that sealed it). */
  | { kind: 'failed'; error: 'secret_unreadable'; latencyMs: number };

/** One attempt the relay made, with what came of it. */
export interface FinishedAttempt {
  deliveryId: string;
  endpointId: string;
  /** The claim's token: only its holder may record the outcome. */
  token: string;
  /** This round's attempts, this one included. */
  attempts: number;
  attemptedAt: Date;
  outcome: AttemptOutcome;
}

export interface RecordedBatch {
  delivered: number;
  retrying: number;
  failed: number;
  /** Endpoints disabled by this batch (410, or failing for 5 days): what they still hold is not sent. */
  disabled: string[];
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Records a batch of attempts: each attempt (kept 30 days), each delivery's outcome (delivered, due
 * again, failed) and each endpoint's health (failing since its first failure, healthy on a success),
 * then disables the endpoints that answered 410 or have failed for 5 days, with what that says to
 * their owners (each disabling is conditional, so a success recorded meanwhile wins).
 */
export async function recordAttempts(ctx: Ctx, batch: FinishedAttempt[]): Promise<RecordedBatch> {
  const now = ctx.clock.now();
  const recorded: RecordedBatch = { delivered: 0, retrying: 0, failed: 0, disabled: [] };
  const attempts: deliveries.AttemptRecord[] = [];
  const outcomes: deliveries.DeliveryOutcome[] = [];
  // Each endpoint's latest result in this batch decides its health.
  const latest = new Map<string, boolean>();
  const gone = new Set<string>();
  for (const a of batch) {
    const answered = a.outcome.kind === 'answered' ? a.outcome : undefined;
    const statusCode = answered ? answered.status : null;
    const error = a.outcome.kind === 'failed' ? a.outcome.error : null;
    attempts.push({
      deliveryId: a.deliveryId,
      attemptedAt: a.attemptedAt,
      statusCode,
      latencyMs: a.outcome.latencyMs,
      excerpt: answered ? answered.excerpt : null,
      error,
    });
    const v = verdict({ statusCode, retryAfterSeconds: answered?.retryAfterSeconds }, a.attempts, now);
    const base = { id: a.deliveryId, token: a.token, statusCode, error };
    if (v.kind === 'delivered') {
      outcomes.push({ ...base, status: 'delivered', nextAttemptAt: null, finishedAt: now });
      recorded.delivered += 1;
    } else if (v.kind === 'retry') {
      outcomes.push({ ...base, status: 'pending', nextAttemptAt: v.at, finishedAt: null });
      recorded.retrying += 1;
    } else {
      outcomes.push({ ...base, status: 'failed', nextAttemptAt: null, finishedAt: now });
      recorded.failed += 1;
      if (v.kind === 'gone') gone.add(a.endpointId);
    }
    latest.set(a.endpointId, v.kind === 'delivered');
  }
  const healthy = [...latest].filter(([, ok]) => ok).map(([id]) => id);
  const failing = [...latest].filter(([, ok]) => !ok).map(([id]) => id);
  // The common case is one statement; disabling an endpoint (rare) says so to its owner in a transaction.
  const failingTooLong = await deliveries.recordOutcomes(ctx.db, {
    attempts,
    outcomes,
    healthy,
    failing,
    now,
    failingBefore: new Date(now.getTime() - FAILING_DAYS_BEFORE_DISABLED * DAY_MS),
  });
  const tooLong = failingTooLong.filter((id) => !gone.has(id));
  if (gone.size > 0 || tooLong.length > 0)
    recorded.disabled = await inTransaction(ctx, async (tx) => {
      const disabled = [
        ...(await endpoints.disableEndpoints(tx.db, [...gone], 'gone', now)),
        ...(await endpoints.disableEndpoints(
          tx.db,
          tooLong,
          'failing',
          now,
          new Date(now.getTime() - FAILING_DAYS_BEFORE_DISABLED * DAY_MS),
        )),
      ];
      if (disabled.length) await announceDisabled(tx, disabled);
      return disabled.map((e) => e.id);
    });
  return recorded;
}
