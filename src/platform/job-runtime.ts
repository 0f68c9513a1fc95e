import { sql } from 'kysely';
import PgBoss from 'pg-boss';
import type { Ctx } from './context.ts';
import type { Db, Tx } from './db.ts';
import { serializeError } from './db-errors.ts';
import {
  type AnyJob,
  assertExpiry,
  DEADLINE_MARGIN_SECONDS,
  type EnqueueOptions,
  type JobDefinition,
  type JobQueue,
  MAINTENANCE_INTERVAL_SECONDS,
  POLLING_INTERVAL_SECONDS,
  SLICE_FRACTION,
} from './jobs.ts';
import type { Logger } from './logger.ts';
import type { JobMetrics } from './metrics/registry.ts';
import { bossDatabase, transactionDatabase } from './pgboss-db.ts';

/** The PostgreSQL schema pg-boss keeps its tables in; it creates and upgrades it itself. */
export const JOB_SCHEMA = 'pgboss';
const INSTALL_LOCK = 'provisio.jobs.install';

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export interface JobStatus {
  id: string;
  state: JobState;
  /** Attempts begun so far, the one under way included. */
  attempts: number;
}

export interface JobRuntime extends JobQueue {
  readonly jobs: readonly AnyJob[];
  /** Creates or upgrades pg-boss's schema, then the jobs' queues with their policies, and their schedules. */
  install(): Promise<void>;
  /** Runs every job's worker in this process, with pg-boss's maintenance (expiry) and cron. */
  startWorkers(): Promise<void>;
  /** True once `startWorkers` has finished starting every worker, until `stop` (readiness.ts). */
  readonly workersRunning: boolean;
  /**
   * Stops taking jobs and waits up to `drainSeconds` for those running; any still running then are
   * failed (so they are retried, here or elsewhere). Resolves once the queue's statements are done.
   */
  stop(options?: { drainSeconds?: number }): Promise<void>;
  /** Where a job stands (archived jobs included); undefined when there is no such job. */
  status(job: AnyJob, id: string): Promise<JobStatus | undefined>;
}

export interface JobRuntimeOptions {
  db: Db;
  log: Logger;
  jobs: readonly AnyJob[];
  /** Jobs of one kind a worker process runs at once (pg-boss's fetch batch). */
  concurrency: number;
  /** The context a handler runs in. */
  context(name: string): Ctx;
  /** JOB_EXPIRE_SECONDS: no job's attempt may run longer (the bound on recovery after a kill). */
  maxExpireInSeconds?: number;
  /** Where attempts are counted and timed, per queue, for /metrics. */
  metrics?: JobMetrics;
  /**
   * How `install` keeps two starting processes apart. 'transaction' (PostgreSQL with a pool of two or
   * more): a transaction-level lock held by an open transaction on one connection while the install
   * runs on others, which works behind PgBouncer in transaction mode too. 'session' (PGlite, or a pool
   * of one): a session lock on the one connection the install runs on. Default 'session'.
   */
  installLock?: 'session' | 'transaction';
}

type BatchJob = PgBoss.JobWithMetadata<unknown>;
type Outcome = { id: string; ok: true } | { id: string; ok: false; error: unknown };

/** The attempts of a batch that failed, as pg-boss stores them (without a database error's values). */
class AttemptsFailed extends Error {
  readonly failures: { id: string; error: unknown }[];
  constructor(name: string, failures: { id: string; error: unknown }[]) {
    super(`${failures.length} attempt(s) of ${name} failed`);
    this.name = 'AttemptsFailed';
    this.failures = failures.map((f) => ({ id: f.id, error: serializeError(f.error) }));
  }
}

/** pg-boss reports a worker's trouble as a plain object: an Error again, so the logger can strip its values. */
function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  const v = (value ?? {}) as { message?: unknown; code?: unknown };
  const error = new Error(typeof v.message === 'string' ? v.message : 'job queue error');
  if (typeof v.code === 'string') Object.assign(error, { code: v.code });
  return error;
}

function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/**
 * The job queue on pg-boss (ADR 0008), one per runtime. Every statement pg-boss runs goes through our
 * database handle (see pgboss-db.ts): the same pool on PostgreSQL, the same lock on PGlite.
 */
export function createJobRuntime(options: JobRuntimeOptions): JobRuntime {
  const { jobs, log } = options;
  const database = bossDatabase(options.db);
  const byName = new Map<string, AnyJob>(jobs.map((job) => [job.name, job]));
  const expiryOf = (job: AnyJob) => Math.min(job.expireInSeconds, options.maxExpireInSeconds ?? Infinity);
  const onError = (error: unknown) => log.warn({ err: asError(error) }, 'job queue error');
  const boss = new PgBoss({
    db: database,
    schema: JOB_SCHEMA,
    migrate: false,
    supervise: true,
    schedule: true,
    maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
  });
  boss.on('error', onError);
  const running = new Set<Promise<void>>();
  /** The running attempts' controllers (slice, deadline): a shutdown aborts both. */
  const attempts = new Set<AbortController[]>();
  let started = false;
  let workersUp = false;
  let stopping = false;

  async function runOne(job: AnyJob, entry: BatchJob): Promise<Outcome> {
    const attempt = entry.retryCount + 1;
    const jobLog = log.child({ job: job.name, jobId: entry.id, attempt });
    const expireInSeconds = Number(entry.expireInSeconds);
    // `slice` is the handler's signal (stop starting new work); `deadline` gives up on it, just before
    // pg-boss would give up on the attempt, so its outcome is ours to record. Shutdown aborts both.
    const slice = new AbortController();
    const deadline = new AbortController();
    const controllers = [slice, deadline];
    attempts.add(controllers);
    const sliceTimer = setTimeout(
      () => slice.abort(new Error(`time slice over (${expireInSeconds} s attempt)`)),
      Math.max(1, Math.floor(expireInSeconds * SLICE_FRACTION)) * 1000,
    );
    const deadlineTimer = setTimeout(
      () => deadline.abort(new Error(`ran out of time (${expireInSeconds} s)`)),
      Math.max(1, expireInSeconds - DEADLINE_MARGIN_SECONDS) * 1000,
    );
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const metrics = options.metrics;
    if (metrics) {
      // From when the attempt could start (sent, or its retry's time) to when a worker took it: both
      // the database's times, so this process's clock does not enter into it.
      const waited = new Date(entry.startedOn).getTime() - new Date(entry.startAfter).getTime();
      if (Number.isFinite(waited)) metrics.waiting.labels(job.name).observe(Math.max(0, waited / 1000));
      if (entry.retryCount > 0) metrics.retries.labels(job.name).inc();
    }
    let ok = false;
    try {
      const payload = job.payload.parse(entry.data);
      const ctx: Ctx = { ...options.context(`job:${job.name}`), requestId: entry.id, log: jobLog };
      const work = job.handler(ctx, payload, {
        id: entry.id,
        attempt,
        signal: slice.signal,
        expireInSeconds,
      });
      await Promise.race([work, whenAborted(deadline.signal)]);
      const sliced = slice.signal.aborted && !deadline.signal.aborted && !stopping;
      jobLog.info({ ms: ms(), ...(sliced ? { sliced } : {}) }, 'job done');
      // Its slice ended with work perhaps left: a stately job goes on in a fresh attempt.
      if (sliced && job.policy === 'stately')
        await boss.send(job.name, entry.data as object).catch((error: unknown) => onError(error));
      ok = true;
      return { id: entry.id, ok: true };
    } catch (error) {
      jobLog.warn({ err: error, ms: ms() }, 'job failed');
      return { id: entry.id, ok: false, error };
    } finally {
      clearTimeout(sliceTimer);
      clearTimeout(deadlineTimer);
      attempts.delete(controllers);
      metrics?.runs.labels(job.name).inc();
      if (!ok) metrics?.failures.labels(job.name).inc();
      metrics?.running.labels(job.name).observe((performance.now() - started) / 1000);
    }
  }

  /**
   * One fetched batch, its jobs at once. All done: pg-boss completes them. Some failed: the others are
   * completed here first, then the batch rejects, and pg-boss fails those still active, exactly the
   * failed ones, which are retried according to their policy.
   */
  function runBatch(job: AnyJob, batch: BatchJob[]): Promise<void> {
    const task = (async () => {
      const outcomes = await Promise.all(batch.map((entry) => runOne(job, entry)));
      const failures = outcomes.filter((o) => !o.ok);
      if (failures.length === 0) return;
      const done = outcomes.filter((o) => o.ok).map((o) => o.id);
      if (done.length > 0) await boss.complete(job.name, done);
      throw new AttemptsFailed(job.name, failures);
    })();
    const forget = () => running.delete(task);
    running.add(task);
    task.then(forget, forget);
    return task;
  }

  /** pg-boss's schema (created or migrated by pg-boss), then each job's queue and schedule. */
  async function installOn(conn: Db): Promise<void> {
    // A short-lived instance without timers or workers: the main one starts only in a worker.
    const installer = new PgBoss({
      db: bossDatabase(conn),
      schema: JOB_SCHEMA,
      migrate: true,
      supervise: false,
      schedule: false,
    });
    installer.on('error', onError);
    await installer.start();
    try {
      for (const job of jobs) {
        const policy = {
          name: job.name,
          policy: job.policy,
          retryLimit: job.retry.limit,
          retryDelay: job.retry.delaySeconds,
          retryBackoff: job.retry.backoff,
          expireInSeconds: expiryOf(job),
        };
        // The queue carries the policy, so jobs sent by the scheduler (or by plain SQL) get it too.
        await installer.createQueue(job.name, policy);
        await installer.updateQueue(job.name, policy);
        if (job.schedule) {
          const payload = job.payload.parse(job.schedule.payload);
          await installer.schedule(job.name, job.schedule.cron, payload, { tz: job.schedule.tz ?? 'UTC' });
        } else {
          await installer.unschedule(job.name);
        }
      }
      for (const schedule of await installer.getSchedules()) {
        if (!byName.has(schedule.name)) await installer.unschedule(schedule.name);
      }
    } finally {
      await installer.stop({ graceful: false, close: false });
    }
  }

  async function send<P extends object>(
    ctx: Ctx,
    job: JobDefinition<P>,
    payload: P,
    opts: EnqueueOptions,
  ): Promise<string | null> {
    if (byName.get(job.name) !== job) throw new Error(`job ${job.name} is not one this runtime runs`);
    if (opts.expireInSeconds !== undefined) assertExpiry(job.name, opts.expireInSeconds);
    return boss.send(job.name, job.payload.parse(payload), {
      ...(ctx.db.isTransaction ? { db: transactionDatabase(ctx.db as Tx) } : {}),
      ...(opts.startAfter ? { startAfter: opts.startAfter } : {}),
      ...(opts.expireInSeconds ? { expireInSeconds: opts.expireInSeconds } : {}),
    });
  }

  return {
    jobs,

    async install() {
      // One process at a time: pg-boss serialises its own install with a transaction-level advisory
      // lock, but the second of two processes then still runs CREATE SCHEMA IF NOT EXISTS on a stale
      // catalog snapshot and fails with a duplicate key. A session lock cannot be held through
      // PgBouncer in transaction mode (each statement may land on another server connection, and the
      // unlock on one that holds nothing), so on PostgreSQL an open transaction holds the lock while
      // the install runs on the pool's other connections, each statement seeing what the last committed.
      if (options.installLock === 'transaction') {
        await options.db.transaction().execute(async (tx) => {
          await sql`select pg_advisory_xact_lock(hashtext(${INSTALL_LOCK}))`.execute(tx);
          await installOn(options.db);
        });
        return;
      }
      // On PGlite the one connection is the session, held behind the dialect's lock throughout.
      await options.db.connection().execute(async (conn) => {
        await sql`select pg_advisory_lock(hashtext(${INSTALL_LOCK}))`.execute(conn);
        try {
          await installOn(conn);
        } finally {
          await sql`select pg_advisory_unlock(hashtext(${INSTALL_LOCK}))`.execute(conn);
        }
      });
    },

    async enqueue<P extends object>(
      ctx: Ctx,
      job: JobDefinition<P>,
      payload: P,
      opts: EnqueueOptions = {},
    ): Promise<string> {
      if (job.policy !== 'standard') throw new Error(`job ${job.name} is ${job.policy}: wake it instead`);
      const id = await send(ctx, job, payload, opts);
      if (!id) throw new Error(`job ${job.name} was not queued: its queue is missing`);
      return id;
    },

    async wake<P extends object>(ctx: Ctx, job: JobDefinition<P>, payload: P): Promise<void> {
      if (job.policy === 'standard') throw new Error(`job ${job.name} is standard: enqueue it instead`);
      await send(ctx, job, payload, {});
    },

    get workersRunning() {
      return workersUp;
    },

    async startWorkers() {
      if (started) return;
      started = true;
      await boss.start();
      for (const job of jobs) {
        await boss.work<unknown>(
          job.name,
          {
            batchSize: options.concurrency,
            pollingIntervalSeconds: POLLING_INTERVAL_SECONDS,
            includeMetadata: true,
          },
          (batch) => runBatch(job, batch),
        );
      }
      workersUp = !stopping;
      log.info({ jobs: jobs.map((j) => j.name), concurrency: options.concurrency }, 'workers started');
    },

    async stop({ drainSeconds = 0 } = {}) {
      workersUp = false;
      if (started) {
        started = false;
        stopping = true;
        if (attempts.size > 0) log.info({ running: attempts.size, drainSeconds }, 'waiting for running jobs');
        await boss.stop({ graceful: true, wait: true, close: false, timeout: drainSeconds * 1000 });
        // pg-boss has failed what still runs (it will be retried): its handlers are told to stop.
        for (const controllers of attempts)
          for (const controller of controllers) controller.abort(new Error('the worker is shutting down'));
        await Promise.allSettled([...running]);
      }
      await database.drain();
    },

    async status(job, id) {
      const found = await boss.getJobById<unknown>(job.name, id, { includeArchive: true });
      if (!found) return undefined;
      return { id: found.id, state: found.state, attempts: found.startedOn ? found.retryCount + 1 : 0 };
    },
  };
}
