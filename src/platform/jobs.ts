import type { z } from 'zod';
import type { Ctx } from './context.ts';

/**
 * Jobs as values: a job is a name, the type of its payload (a zod schema), a retry policy, how long
 * one attempt may take, and a handler. `enqueue(ctx, job, payload)` only accepts that job's payload
 * type. The queue behind it is pg-boss (src/platform/job-runtime.ts, docs/adr/0008-jobs-on-pg-boss.md).
 *
 * Delivery is at least once: an attempt cut short (its worker killed, its time up, the process shut
 * down) runs again, so a handler must be safe to run twice.
 */

/** How often and how soon a failed attempt runs again. */
export interface RetryPolicy {
  /** Attempts after the first; a job fails for good after 1 + limit attempts. */
  limit: number;
  /** Seconds before a retry (at least 1); with backoff, the n-th retry waits delay·2ⁿ⁻¹ to delay·2ⁿ. */
  delaySeconds: number;
  backoff: boolean;
}

/**
 * Defaults chosen so that a killed worker's job runs again within 2 minutes (ADR 0008, ADR 0023): it
 * is seen as lost `expireInSeconds` (60, JOB_EXPIRE_SECONDS caps every job's) after it started,
 * pg-boss's maintenance (every MAINTENANCE_INTERVAL_SECONDS, so at most twice that apart) puts it
 * back, the first retry waits delay to 2·delay (5–10 s here, 10–20 s for the relays), and an idle
 * worker polls every 2 s: 60 + 20 + 20 + 2 = 102 s at worst. No job may declare a longer expiry to
 * fit long work: long work runs in slices (see RunningJob.signal).
 */
export const DEFAULT_RETRY: RetryPolicy = { limit: 5, delaySeconds: 5, backoff: true };
export const DEFAULT_EXPIRE_IN_SECONDS = 60;
export const MAINTENANCE_INTERVAL_SECONDS = 10;
export const POLLING_INTERVAL_SECONDS = 2;
/** A handler is abandoned this long before its attempt expires, so its outcome is recorded first. */
export const DEADLINE_MARGIN_SECONDS = 1;
/**
 * A handler is asked to stop starting new work after this share of its attempt's time: what it has
 * begun then still has the rest to finish. A `stately` job that stops so is woken again at once, so
 * long work (a backlog of mail, a day of start dates) goes on in slices, each far from the expiry.
 */
export const SLICE_FRACTION = 1 / 3;
const MIN_EXPIRE_IN_SECONDS = 5;
/** pg-boss refuses an expiry of 24 hours or more; a job's attempt is a slice, never that long. */
const MAX_EXPIRE_IN_SECONDS = 3600;

/** What a handler knows about the attempt it is running. */
export interface RunningJob {
  id: string;
  /** 1 for the first attempt, 2 for the first retry, … */
  attempt: number;
  /**
   * Aborted when the attempt's slice is over (SLICE_FRACTION of its time) or the process stops: finish
   * what is under way, start nothing new, and return. A `stately` job is then woken again to go on.
   */
  signal: AbortSignal;
  /** How long this attempt may run in all (e.g. to size a lease on what it claims). */
  expireInSeconds: number;
}

export interface JobDefinition<P extends object> {
  /** The queue's name: `module.what-it-does`. */
  readonly name: string;
  readonly payload: z.ZodType<P>;
  readonly retry: RetryPolicy;
  /** How long one attempt may run; past it, the attempt counts as lost and is retried. */
  readonly expireInSeconds: number;
  /**
   * `standard`: every job sent is kept. `stately`: at most one waiting (and one running) job; sending
   * another while one waits is a no-op, for jobs that mean "wake up and look" (e.g. the mail relay).
   */
  readonly policy: QueuePolicy;
  /** Run on this cron schedule (UTC unless tz says otherwise), by whichever worker gets there first. */
  readonly schedule?: { cron: string; payload: P; tz?: string };
  handler(ctx: Ctx, payload: P, job: RunningJob): Promise<void>;
}

/** Any job, whatever its payload: what a list of jobs holds. */
export type AnyJob = JobDefinition<object>;

export type QueuePolicy = 'standard' | 'stately';

export interface JobSpec<P extends object> {
  name: string;
  payload: z.ZodType<P>;
  policy?: QueuePolicy;
  retry?: Partial<RetryPolicy>;
  expireInSeconds?: number;
  schedule?: { cron: string; payload: NoInfer<P>; tz?: string };
  handler(ctx: Ctx, payload: NoInfer<P>, job: RunningJob): Promise<void>;
}

const JOB_NAME = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;

export function assertExpiry(name: string, seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < MIN_EXPIRE_IN_SECONDS || seconds > MAX_EXPIRE_IN_SECONDS)
    throw new Error(
      `job ${name}: expireInSeconds must be an integer from ${MIN_EXPIRE_IN_SECONDS} to ${MAX_EXPIRE_IN_SECONDS}`,
    );
}

/** Declares a job; a wrong name or policy is a programming error, refused when the module loads. */
export function defineJob<P extends object>(spec: JobSpec<P>): JobDefinition<P> {
  if (!JOB_NAME.test(spec.name))
    throw new Error(`job name ${spec.name} must look like "module.what-it-does"`);
  const retry = { ...DEFAULT_RETRY, ...spec.retry };
  if (!Number.isInteger(retry.limit) || retry.limit < 0)
    throw new Error(`job ${spec.name}: retry.limit must be an integer ≥ 0`);
  if (!Number.isInteger(retry.delaySeconds) || retry.delaySeconds < 1)
    throw new Error(`job ${spec.name}: retry.delaySeconds must be an integer ≥ 1`);
  const expireInSeconds = spec.expireInSeconds ?? DEFAULT_EXPIRE_IN_SECONDS;
  assertExpiry(spec.name, expireInSeconds);
  return {
    name: spec.name,
    payload: spec.payload,
    retry,
    expireInSeconds,
    policy: spec.policy ?? 'standard',
    ...(spec.schedule ? { schedule: spec.schedule } : {}),
    handler: spec.handler,
  };
}

export interface EnqueueOptions {
  /** Not before this instant. */
  startAfter?: Date;
  /** This job only: a different limit on how long an attempt may run (see JobDefinition). */
  expireInSeconds?: number;
}

/** Puts jobs on the queue: held by the runtime and by every context. */
export interface JobQueue {
  /**
   * Adds a job and returns its id. When `ctx.db` is a transaction the job is written in it, so it
   * exists exactly when that transaction commits; otherwise it is written at once.
   */
  enqueue<P extends object>(
    ctx: Ctx,
    job: JobDefinition<P>,
    payload: P,
    options?: EnqueueOptions,
  ): Promise<string>;
  /**
   * Wakes a `stately` job (one that means "go and look"): queued like `enqueue`, unless one is
   * already waiting, which will see the same work.
   */
  wake<P extends object>(ctx: Ctx, job: JobDefinition<P>, payload: P): Promise<void>;
}

/** `ctx.jobs.enqueue(ctx, …)`, for service code: the job is written through the context's transaction. */
export function enqueue<P extends object>(
  ctx: Ctx,
  job: JobDefinition<P>,
  payload: P,
  options?: EnqueueOptions,
): Promise<string> {
  return ctx.jobs.enqueue(ctx, job, payload, options);
}

/** `ctx.jobs.wake(ctx, …)`: queues a stately job unless one already waits (see JobQueue.wake). */
export function wake<P extends object>(ctx: Ctx, job: JobDefinition<P>, payload: P): Promise<void> {
  return ctx.jobs.wake(ctx, job, payload);
}
