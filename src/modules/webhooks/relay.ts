import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import { defineJob } from '../../platform/jobs.ts';
import { signWebhook } from '../../platform/standard-webhooks.ts';
import * as deliveries from './deliveries-repository.ts';
import { deliveryBody, signingSecrets, USER_AGENT } from './message.ts';
import { type AttemptOutcome, type FinishedAttempt, recordAttempts } from './outcomes.ts';
import { ATTEMPT_TIMEOUT_MS } from './schedule.ts';

/**
 * The webhook relay (docs/adr/0031): claims due deliveries under a lease, sends them, records each
 * attempt. Requests to different endpoints run side by side, each endpoint with its own cap, so a
 * slow or dead endpoint holds only its own slots: a claim skips an endpoint whose window is full, and a
 * delivery that hangs for its 15 s holds one of that endpoint's slots, nothing else. Outcomes are
 * recorded as they come, in batches (while one batch is written, the next gathers).
 *
 * At least once: a relay that dies between sending and recording leaves its lease to run out, and the
 * delivery goes again with the same `webhook-id`.
 */

/** A claim lasts this long: past the 15 s timeout, with room to record the outcome. */
export const CLAIM_LEASE_SECONDS = 30;
/**
 * A live relay renews the leases it holds every third of a lease, so only a dead or stalled one's run
 * out. A claimed delivery still waiting for a free slot a third of a lease after its claim is let go
 * instead of sent: a relay that stalled past its lease (its process starved, its database slow) may find
 * another relay has taken the delivery, and must not send it as well. A third of the 30 s lease is 10 s:
 * with the 15 s timeout, a request started in time ends 5 s before the lease would.
 */
const LEASE_PARTS = 3;
/** Deliveries one relay holds at once (claimed, being sent or being recorded). */
const MAX_HELD = 1000;
const CLAIM_BATCH = 500;
/**
 * Claimed deliveries per healthy endpoint, as a multiple of its request cap: the next requests are
 * claimed while the current ones run, so the endpoint's connections never wait for the database. An
 * endpoint starts at the least; as its answers come, it gets as many as it can send at its pace in half
 * the time a claim may wait (LEASE_PARTS), within the most (a fast receiver keeps hundreds claimed, a
 * slow one a few).
 */
const WINDOW_FACTOR_LEAST = 2;
const WINDOW_FACTOR_MOST = 50;
/** How much each answer moves an endpoint's remembered latency (an exponential average). */
const LATENCY_WEIGHT = 0.2;
/** How often a relay with nothing to claim looks again while it stays up. */
const POLL_MS = 50;
/** A relay run stays up this long after its last work, so a steady stream of events goes out at once. */
export const LINGER_MS = 2000;

export interface RelayOptions {
  /** Stop claiming (what is claimed is still sent and recorded). */
  signal?: AbortSignal | undefined;
  /** Stay up this long once nothing is left (0: return as soon as nothing is due or held). */
  lingerMs?: number;
  leaseSeconds?: number;
}

export interface RelayOutcome {
  delivered: number;
  retrying: number;
  failed: number;
  disabled: number;
}

interface Prepared {
  /** When it was claimed (performance.now()): see LEASE_PARTS. */
  claimedAt: number;
  deliveryId: string;
  endpointId: string;
  token: string;
  attempts: number;
  webhookId: string;
  url: string;
  secrets: string[];
  body: string;
}

/** Sends every due delivery until none is left (or `signal` stops it). Safe to run in several processes. */
export function relayDueWebhooks(ctx: Ctx, options: RelayOptions = {}): Promise<RelayOutcome> {
  return new RelayRun(ctx, options).run();
}

class RelayRun {
  private readonly outcome: RelayOutcome = { delivered: 0, retrying: 0, failed: 0, disabled: 0 };
  private readonly queues = new Map<string, Prepared[]>();
  private readonly sending = new Map<string, number>();
  private readonly failingEndpoints = new Set<string>();
  /** Each endpoint's recent request latency (ms), which sizes its window. */
  private readonly latency = new Map<string, number>();
  /** Signing secrets this run has unsealed, by sealed value. */
  private readonly opened = new Map<string, string>();
  private finished: FinishedAttempt[] = [];
  /** Claimed but never sent (their endpoint was disabled, or their lease ran short): to let go. */
  private unsent: Prepared[] = [];
  private held = 0;
  /** What this run holds (claimed, not yet recorded or let go): delivery id → its claim's token. */
  private readonly holding = new Map<string, string>();
  private lastClaim = 0;
  private lastRenewal = performance.now();
  private flushing: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private changed: (() => void) | undefined;
  private readonly concurrency: number;
  private readonly leaseSeconds: number;
  /** Renew every, and send no later than: a third of the lease (LEASE_PARTS). */
  private readonly renewMs: number;

  constructor(
    private readonly ctx: Ctx,
    private readonly options: RelayOptions,
  ) {
    this.concurrency = ctx.config.webhookConcurrencyPerEndpoint;
    this.leaseSeconds = options.leaseSeconds ?? CLAIM_LEASE_SECONDS;
    this.renewMs = (this.leaseSeconds * 1000) / LEASE_PARTS;
  }

  async run(): Promise<RelayOutcome> {
    const linger = this.options.lingerMs ?? 0;
    let idleSince = performance.now();
    try {
      while (!this.options.signal?.aborted) {
        this.throwIfFailed();
        await this.renewIfDue();
        const room = MAX_HELD - this.held;
        const claimed = room > 0 && this.wantsMore() ? await this.claim(Math.min(room, CLAIM_BATCH)) : 0;
        if (claimed > 0) {
          idleSince = performance.now();
          continue;
        }
        if (this.held > 0) idleSince = performance.now();
        else if (performance.now() - idleSince >= linger) break;
        await this.nextChange(POLL_MS);
      }
    } finally {
      // What was claimed is sent and recorded whatever stopped the run.
      while (this.held > 0 && !this.failure) {
        await this.renewIfDue().catch((error: unknown) => {
          this.failure ??= { error };
        });
        await this.nextChange(POLL_MS);
      }
    }
    this.throwIfFailed();
    return this.outcome;
  }

  /**
   * Whether to claim now: when nothing is held, when an endpoint has fewer waiting than it may send at
   * once, or every POLL_MS (for other endpoints and retries coming due). Claiming on every completion
   * would make many small claims of one or two deliveries.
   */
  private wantsMore(): boolean {
    if (this.held === 0 || performance.now() - this.lastClaim >= POLL_MS) return true;
    for (const [endpointId, queue] of this.queues) if (queue.length < this.capOf(endpointId)) return true;
    return this.queues.size === 0;
  }

  /** An endpoint's window at a latency: what its requests can get through in half the time a claim may wait. */
  private windowFor(latencyMs: number): number {
    const rounds = Math.floor(this.renewMs / 2 / Math.max(1, latencyMs));
    return this.concurrency * Math.min(WINDOW_FACTOR_MOST, Math.max(WINDOW_FACTOR_LEAST, rounds));
  }

  private capOf(endpointId: string): number {
    return this.failingEndpoints.has(endpointId) ? 1 : this.concurrency;
  }

  private async renewIfDue(): Promise<void> {
    if (this.holding.size === 0 || performance.now() - this.lastRenewal < this.renewMs) return;
    this.lastRenewal = performance.now();
    const until = new Date(this.ctx.clock.now().getTime() + this.leaseSeconds * 1000);
    await deliveries.renewClaims(
      this.ctx.db,
      [...this.holding].map(([id, token]) => ({ id, token })),
      until,
    );
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private nextChange(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.changed === done) self.changed = undefined;
        resolve();
      }
      this.changed = done;
    });
  }

  private notify(): void {
    this.changed?.();
  }

  /** Claims up to `limit` deliveries and starts sending them; how many it claimed. */
  private async claim(limit: number): Promise<number> {
    const { ctx } = this;
    this.lastClaim = performance.now();
    const now = ctx.clock.now();
    const until = new Date(now.getTime() + this.leaseSeconds * 1000);
    const suspect = new Date(now.getTime() + 2 * this.leaseSeconds * 1000);
    // An idle relay looks with one index probe first, so looking often costs little.
    if (this.held === 0 && !(await deliveries.anyDue(ctx.db, now, suspect))) return 0;
    const token = randomUUID();
    const claimed = await deliveries.claimDue(ctx.db, {
      now,
      until,
      suspect,
      token,
      window: this.concurrency * WINDOW_FACTOR_LEAST,
      windows: [...this.latency].map(([endpointId, ms]) => ({ endpointId, window: this.windowFor(ms) })),
      limit,
    });
    if (claimed.length === 0) return 0;
    this.held += claimed.length;
    for (const d of claimed) this.holding.set(d.id, token);
    const claimedAt = performance.now();
    const unreadable: FinishedAttempt[] = [];
    const touched = new Set<string>();
    for (const d of claimed) {
      let secrets: string[] = [];
      try {
        secrets = signingSecrets(ctx.config, { ...d, id: d.endpoint_id }, now, this.opened);
      } catch {
        // A secret sealed by a key WEBHOOK_SECRETS_KEY no longer holds: said without the secret.
        ctx.log.error({ endpointId: d.endpoint_id }, 'webhook signing secret cannot be opened');
        unreadable.push({
          deliveryId: d.id,
          endpointId: d.endpoint_id,
          token,
          attempts: d.attempts,
          attemptedAt: now,
          outcome: { kind: 'failed', error: 'secret_unreadable', latencyMs: 0 },
        });
        continue;
      }
      if (d.failing_since) this.failingEndpoints.add(d.endpoint_id);
      else this.failingEndpoints.delete(d.endpoint_id);
      const test = d.event_id === null;
      const queue = this.queues.get(d.endpoint_id) ?? [];
      queue.push({
        claimedAt,
        deliveryId: d.id,
        endpointId: d.endpoint_id,
        token,
        attempts: d.attempts,
        webhookId: d.event_id ?? d.id,
        url: d.url,
        secrets,
        body: deliveryBody(
          d.event_type,
          (test ? d.created_at : d.occurred_at) ?? d.created_at,
          (test ? d.test_data : d.data) ?? 'null',
        ),
      });
      this.queues.set(d.endpoint_id, queue);
      touched.add(d.endpoint_id);
    }
    if (unreadable.length) this.finish(unreadable);
    for (const endpointId of touched) this.pump(endpointId);
    return claimed.length;
  }

  /** Starts as many of an endpoint's claimed deliveries as its cap allows (one while it is failing). */
  private pump(endpointId: string): void {
    const queue = this.queues.get(endpointId);
    if (!queue) return;
    const cap = this.capOf(endpointId);
    const sendBy = performance.now() - this.renewMs;
    const late: Prepared[] = [];
    while (queue.length > 0 && (this.sending.get(endpointId) ?? 0) < cap) {
      const next = queue.shift();
      if (!next) break;
      if (next.claimedAt < sendBy) {
        late.push(next);
        continue;
      }
      this.sending.set(endpointId, (this.sending.get(endpointId) ?? 0) + 1);
      void this.send(next);
    }
    if (queue.length === 0) this.queues.delete(endpointId);
    if (late.length) this.letGo(late);
  }

  private async send(p: Prepared): Promise<void> {
    const attemptedAt = this.ctx.clock.now();
    let outcome: AttemptOutcome;
    try {
      const headers = signWebhook(p.secrets, p.webhookId, this.ctx.outbound.now(), p.body);
      outcome = await this.ctx.outbound.post({
        url: p.url,
        body: p.body,
        timeoutMs: ATTEMPT_TIMEOUT_MS,
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...headers },
      });
    } catch (error) {
      // A bug, not the network: logged without the request (its headers hold signatures).
      this.ctx.log.error({ err: error, deliveryId: p.deliveryId }, 'webhook attempt failed unexpectedly');
      outcome = { kind: 'failed', error: 'network', latencyMs: 0 };
    }
    this.sending.set(p.endpointId, (this.sending.get(p.endpointId) ?? 1) - 1);
    const known = this.latency.get(p.endpointId);
    this.latency.set(
      p.endpointId,
      known === undefined ? outcome.latencyMs : known + LATENCY_WEIGHT * (outcome.latencyMs - known),
    );
    this.finish([
      {
        deliveryId: p.deliveryId,
        endpointId: p.endpointId,
        token: p.token,
        attempts: p.attempts,
        attemptedAt,
        outcome,
      },
    ]);
    this.pump(p.endpointId);
  }

  private finish(attempts: FinishedAttempt[]): void {
    this.finished.push(...attempts);
    this.startFlush();
  }

  /** Claimed deliveries this relay will not send: their claims are released (their attempt uncounted). */
  private letGo(unsent: Prepared[]): void {
    this.unsent.push(...unsent);
    this.startFlush();
  }

  private startFlush(): void {
    if (!this.flushing)
      this.flushing = this.flush()
        .catch((error: unknown) => {
          this.failure = { error };
        })
        .finally(() => {
          this.flushing = undefined;
          this.notify();
        });
  }

  /** Records what has finished (and lets go what will not be sent), batch after batch, until nothing waits. */
  private async flush(): Promise<void> {
    while (this.finished.length > 0 || this.unsent.length > 0) {
      if (this.unsent.length > 0) {
        const unsent = this.unsent;
        this.unsent = [];
        await deliveries.releaseClaims(
          this.ctx.db,
          unsent.map((p) => ({ id: p.deliveryId, token: p.token })),
        );
        this.held -= unsent.length;
        for (const p of unsent) this.holding.delete(p.deliveryId);
      }
      if (this.finished.length === 0) continue;
      const batch = this.finished;
      this.finished = [];
      const recorded = await recordAttempts(this.ctx, batch);
      this.outcome.delivered += recorded.delivered;
      this.outcome.retrying += recorded.retrying;
      this.outcome.failed += recorded.failed;
      this.outcome.disabled += recorded.disabled.length;
      this.held -= batch.length;
      for (const a of batch) this.holding.delete(a.deliveryId);
      // An endpoint disabled meanwhile gets nothing more: what this relay still holds for it is let go.
      for (const id of recorded.disabled) {
        this.unsent.push(...(this.queues.get(id) ?? []));
        this.queues.delete(id);
      }
      this.notify();
    }
  }
}

/**
 * The relay job: woken by every event that made a delivery (one waiting wake-up is enough) and every
 * minute for retries and what a killed relay left behind. A run stays up while events keep coming
 * (LINGER_MS), so a steady stream is delivered without waiting for the queue's next poll.
 */
export const relayWebhooks = defineJob({
  name: 'webhooks.relay',
  payload: z.object({}),
  policy: 'stately',
  retry: { limit: 2, delaySeconds: 10 },
  schedule: { cron: '* * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const outcome = await relayDueWebhooks(ctx, { signal: job.signal, lingerMs: LINGER_MS });
    if (outcome.delivered || outcome.retrying || outcome.failed)
      ctx.log.info({ ...outcome }, 'webhooks relayed');
  },
});
