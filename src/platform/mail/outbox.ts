import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { type Ctx, inTransaction, type TxCtx } from '../context.ts';
import type { Locale } from '../i18n.ts';
import { DEFAULT_EXPIRE_IN_SECONDS, defineJob, wake } from '../jobs.ts';
import { type MailRelayState, recordOutage, recordSuccess } from './relay-state.ts';
import * as repo from './repository.ts';
import { MailDeliveryError, type MailTransport } from './transport.ts';

/**
 * Email goes out through an outbox: `queueEmail` writes the message in the caller's transaction, so it
 * exists exactly when the change that caused it commits, and wakes the relay (a job in that same
 * transaction). The relay claims due messages, sends them, and records the outcome. Delivery is at
 * least once: a relay that dies after sending but before recording sends again, with the same
 * Message-ID, so the duplicate is recognisable.
 */

export type MailResult = { status: 'sent' } | { status: 'failed'; reason: string };

export interface RelayedEmail {
  id: string;
  kind: string;
  subjectRef: string | null;
  to: string;
}

export interface MailOutcome {
  email: RelayedEmail;
  result: MailResult;
}

/**
 * Told how messages of its kind ended, in the transaction that records them (e.g. a transaction's
 * status): once per relay batch with all of that batch's messages of the kind, so a handler can do its
 * work in a few statements whatever the batch's size.
 */
export type MailResultHandler = (ctx: TxCtx, outcomes: readonly MailOutcome[]) => Promise<void>;

/** The runtime's mail: where messages go, who sends them, and who hears how they ended. */
export interface Mailer {
  readonly transport: MailTransport;
  /** The sender address (MAIL_FROM) that partners allow-list. */
  readonly from: string;
  /** How this process's relay is doing (for /healthz and /metrics). */
  readonly relay: MailRelayState;
  onResult(kind: string): MailResultHandler | undefined;
}

export interface EmailToQueue {
  /** What it is, `module.what` (e.g. `provisioning.start`): picks the result handler. */
  kind: string;
  /** What it is about (e.g. a transaction id), handed back to the result handler. */
  subjectRef?: string;
  to: string;
  locale: Locale;
  subject: string;
  html: string;
  text: string;
}

/** Temporary failures are retried this many times in all, further and further apart. */
export const MAX_DELIVERY_ATTEMPTS = 8;
const FIRST_RETRY_SECONDS = 30;
const MAX_RETRY_SECONDS = 30 * 60;
/** Messages the relay could not offer because the server was unreachable wait this long (uncounted). */
export const OUTAGE_RETRY_SECONDS = FIRST_RETRY_SECONDS;
/**
 * A claim lasts half of the relay job's attempt (30 s by default), and a relay claims nothing after
 * its slice (a third of the attempt): a killed relay's messages are free again before its job runs
 * again elsewhere (ADR 0023). It still outlasts a batch, which SMTP_TIMEOUTS keep short.
 */
export const CLAIM_LEASE_SECONDS = DEFAULT_EXPIRE_IN_SECONDS / 2;
const RELAY_BATCH = 100;
const RELAY_LANES = 3;

export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** Math.max(0, attempts - 1));
}

/** `<outbox id@sender's domain>`: the same on every attempt. */
export function messageIdOf(id: string, from: string): string {
  return `<${id}@${from.slice(from.lastIndexOf('@') + 1)}>`;
}

/** Queues messages in the caller's transaction (or at once, without one). Returns their outbox ids. */
export async function queueEmails(ctx: Ctx, emails: EmailToQueue[]): Promise<string[]> {
  if (emails.length === 0) return [];
  const now = ctx.clock.now();
  const rows = emails.map((email) => ({
    id: randomUUID(),
    kind: email.kind,
    subject_ref: email.subjectRef ?? null,
    to_address: email.to,
    locale: email.locale,
    subject: email.subject,
    html: email.html,
    text_body: email.text,
    not_before: now,
    created_at: now,
  }));
  await repo.insertOutboxEmails(ctx.db, rows);
  await wake(ctx, relayOutbox, {});
  return rows.map((r) => r.id);
}

export async function queueEmail(ctx: Ctx, email: EmailToQueue): Promise<string> {
  const [id] = await queueEmails(ctx, [email]);
  if (!id) throw new Error('queueEmails returned no id');
  return id;
}

export interface RelayOutcome {
  sent: number;
  failed: number;
  retrying: number;
}

/**
 * Sends every due message, a batch at a time, until none is left (or `signal` stops it). Safe to run
 * in several processes at once: each message is claimed by one relay. While the server is known to be
 * unreachable, one probe comes first: nothing is claimed (or counted) until the server answers.
 */
export async function relayDueEmails(
  ctx: Ctx,
  signal?: AbortSignal,
  leaseSeconds = CLAIM_LEASE_SECONDS,
): Promise<RelayOutcome> {
  const outcome: RelayOutcome = { sent: 0, failed: 0, retrying: 0 };
  const state = ctx.mail.relay;
  if (state.consecutiveFailures > 0) {
    try {
      await ctx.mail.transport.probe();
    } catch (error) {
      if (!(error instanceof MailDeliveryError)) throw error;
      recordOutage(state, ctx.log, { code: error.code, deferred: 0, at: ctx.clock.now() });
      return outcome;
    }
    // It answers: the outage is over even if nothing is due.
    recordSuccess(state, ctx.log, ctx.clock.now());
  }
  const run: LaneRun = { outcome, outage: false, leaseSeconds };
  // Several lanes, so that while one records its batch or claims the next, the others keep the SMTP
  // connections busy (one lane left them idle between batches: half the throughput in bench:dispatch).
  await Promise.all(Array.from({ length: RELAY_LANES }, () => relayLane(ctx, run, signal)));
  return outcome;
}

interface LaneRun {
  outcome: RelayOutcome;
  /** A batch found the server unreachable: the other lanes stop after theirs. */
  outage: boolean;
  leaseSeconds: number;
}

async function relayLane(ctx: Ctx, run: LaneRun, signal: AbortSignal | undefined): Promise<void> {
  while (!signal?.aborted && !run.outage) {
    const batch = await repo.claimDueEmails(ctx.db, ctx.clock.now(), RELAY_BATCH, run.leaseSeconds, {
      firstSeconds: FIRST_RETRY_SECONDS,
      maxSeconds: MAX_RETRY_SECONDS,
    });
    if (batch.length === 0) break;
    const results = await Promise.all(
      batch.map(async (email): Promise<[repo.ClaimedEmail, MailResult | MailDeliveryError]> => {
        try {
          await ctx.mail.transport.send({
            messageId: messageIdOf(email.id, ctx.mail.from),
            from: ctx.mail.from,
            to: email.to_address,
            subject: email.subject,
            html: email.html,
            text: email.text_body,
            language: email.locale,
          });
          return [email, { status: 'sent' }];
        } catch (error) {
          if (error instanceof MailDeliveryError) return [email, error];
          throw error;
        }
      }),
    );
    await recordResults(ctx, results, run);
  }
}

async function recordResults(
  ctx: Ctx,
  results: [repo.ClaimedEmail, MailResult | MailDeliveryError][],
  run: LaneRun,
): Promise<void> {
  const { outcome } = run;
  const now = ctx.clock.now();
  const outages = results.filter(
    (r): r is [repo.ClaimedEmail, MailDeliveryError] => r[1] instanceof MailDeliveryError && r[1].outage,
  );
  const deferred: string[] = [];
  await inTransaction(ctx, async (tx) => {
    // Messages that ended, by kind, for their kind's handler: one call per kind and batch.
    const finals = new Map<string, MailOutcome[]>();
    const sent = results.filter(([, r]) => !(r instanceof MailDeliveryError)).map(([e]) => e.id);
    await repo.markSent(tx.db, sent, now);
    outcome.sent += sent.length;
    const firstOutage = outages[0]?.[1];
    if (firstOutage) {
      const retryAt = new Date(now.getTime() + OUTAGE_RETRY_SECONDS * 1000);
      await repo.deferWithoutAttempt(
        tx.db,
        outages.map(([e]) => e.id),
        retryAt,
        firstOutage.reason,
      );
      outcome.retrying += outages.length;
    }
    for (const [email, result] of results) {
      if (result instanceof MailDeliveryError && result.outage) continue;
      let final: MailResult | undefined = result instanceof MailDeliveryError ? undefined : result;
      if (result instanceof MailDeliveryError) {
        if (result.permanent || email.attempts >= MAX_DELIVERY_ATTEMPTS) {
          await repo.markFailed(tx.db, email.id, result.reason);
          final = { status: 'failed', reason: result.reason };
          outcome.failed += 1;
        } else {
          const retryAt = new Date(now.getTime() + retryDelaySeconds(email.attempts) * 1000);
          await repo.scheduleRetry(tx.db, email.id, retryAt, result.reason);
          outcome.retrying += 1;
          deferred.push(result.code);
        }
      }
      if (final && ctx.mail.onResult(email.kind)) {
        const relayed = {
          id: email.id,
          kind: email.kind,
          subjectRef: email.subject_ref,
          to: email.to_address,
        };
        const ofKind = finals.get(email.kind) ?? [];
        ofKind.push({ email: relayed, result: final });
        finals.set(email.kind, ofKind);
      }
    }
    for (const [kind, outcomes] of finals) await ctx.mail.onResult(kind)?.(tx, outcomes);
  });
  countOutcomes(ctx, results);
  // Logged once the outcome is recorded, one line per batch; the server's text may name a mailbox,
  // so only its codes are logged.
  if (results.length > outages.length) recordSuccess(ctx.mail.relay, ctx.log, now);
  if (deferred.length)
    ctx.log.warn({ deferred: deferred.length, codes: [...new Set(deferred)] }, 'mail deferred by the server');
  const firstOutage = outages[0]?.[1];
  if (firstOutage) {
    run.outage = true;
    recordOutage(ctx.mail.relay, ctx.log, { code: firstOutage.code, deferred: outages.length, at: now });
  }
}

/** Counted for /metrics once recorded: sent, failed for good, or deferred (a retry or an outage). */
function countOutcomes(ctx: Ctx, results: [repo.ClaimedEmail, MailResult | MailDeliveryError][]): void {
  for (const [email, result] of results) {
    const outcome = !(result instanceof MailDeliveryError)
      ? 'sent'
      : !result.outage && (result.permanent || email.attempts >= MAX_DELIVERY_ATTEMPTS)
        ? 'failed'
        : 'deferred';
    ctx.metrics.mailMessages.labels(email.kind, outcome).inc();
  }
}

/**
 * The relay: woken by every queued message (one waiting wake-up is enough, so the queue keeps only
 * one), and every minute to pick up retries and anything a crashed relay left behind.
 */
export const relayOutbox = defineJob({
  name: 'mail.relay',
  payload: z.object({}),
  policy: 'stately',
  retry: { limit: 2, delaySeconds: 10 },
  schedule: { cron: '* * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const lease = Math.ceil(job.expireInSeconds / 2);
    const { sent, failed, retrying } = await relayDueEmails(ctx, job.signal, lease);
    ctx.mail.relay.backlog = await repo.countPending(ctx.db);
    if (sent || failed || retrying)
      ctx.log.info({ sent, failed, retrying, backlog: ctx.mail.relay.backlog }, 'mail relayed');
  },
});
