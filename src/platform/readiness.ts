import type { Context } from 'hono';
import { type Db, HEALTH_CHECK_TIMEOUT_MS } from './db.ts';
import { pendingMigrations } from './migrations.ts';

/**
 * Readiness (docs/adr/0039): whether this process should be sent work now. `/healthz` stays liveness
 * ("the process is alive, restart it if not"); `/readyz` answers 200 only when the database answers,
 * every migration this code knows is applied, the job workers run (in a process that runs jobs) and
 * the process is not shutting down. A load balancer or orchestrator takes a process that is not ready
 * out of rotation without restarting it.
 *
 * A database migrated further by a newer release (migrations this code does not know) is ready: during
 * a rolling upgrade the old processes keep serving next to the new ones, which is what additive
 * migrations are written for. A missing migration is not ready: the code would query columns that are
 * not there.
 */

/** Why a process is not ready; stable words for probes and dashboards, never data or settings. */
export type NotReadyReason =
  | 'database_unavailable'
  | 'migrations_pending'
  | 'jobs_not_running'
  | 'shutting_down';

export type ReadinessReport = { ready: true } | { ready: false; reasons: NotReadyReason[] };

/** What a readiness check reads: a slice of the runtime, so that it can be built without one. */
export interface ReadinessSource {
  readonly db: Db;
  /** Whether the database answers, over a connection of its own (runtime.ts). */
  ping(): Promise<void>;
  readonly jobs: { readonly workersRunning: boolean };
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('readiness check timed out')), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export class Readiness {
  #runsJobs = false;
  #shuttingDown = false;
  /**
   * Once every migration was seen applied it stays so for this process (migrations are never undone
   * under a running process), so the check reads the migrations table over the pool only until then:
   * a pool kept busy by requests must not make a serving process look unready.
   */
  #migrationsSeen = false;

  constructor(private readonly source: ReadinessSource) {}

  /** This process runs the job workers: it is ready only while they run. */
  expectJobs(): void {
    this.#runsJobs = true;
  }

  /** From the first moment of a shutdown on, the process is not ready (and never again). */
  markShuttingDown(): void {
    this.#shuttingDown = true;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  async check(): Promise<ReadinessReport> {
    const reasons: NotReadyReason[] = [];
    if (this.#shuttingDown) reasons.push('shutting_down');
    if (this.#runsJobs && !this.source.jobs.workersRunning && !this.#shuttingDown)
      reasons.push('jobs_not_running');
    const answers = await within(HEALTH_CHECK_TIMEOUT_MS, this.source.ping()).then(
      () => true,
      () => false,
    );
    if (!answers) reasons.push('database_unavailable');
    else if (!this.#migrationsSeen) {
      const pending = await within(HEALTH_CHECK_TIMEOUT_MS, pendingMigrations(this.source.db)).catch(
        () => undefined,
      );
      if (pending === undefined) reasons.push('database_unavailable');
      else if (pending.length > 0) reasons.push('migrations_pending');
      else this.#migrationsSeen = true;
    }
    return reasons.length === 0 ? { ready: true } : { ready: false, reasons };
  }
}

/** How long a probe that was told "not ready" should wait before asking again. */
export const READINESS_RETRY_AFTER_SECONDS = 5;

/**
 * `GET /readyz` for any Hono app (the web app mounts it; the metrics port can mount the same):
 * 200 `{status: 'ready'}`, or 503 `{status: 'not_ready', reasons}` with Retry-After. No data, no settings.
 */
export function readinessHandler(readiness: Readiness): (c: Context) => Promise<Response> {
  return async (c) => {
    const report = await readiness.check();
    c.header('Cache-Control', 'no-store');
    if (report.ready) return c.json({ status: 'ready' }, 200);
    c.header('Retry-After', String(READINESS_RETRY_AFTER_SECONDS));
    return c.json({ status: 'not_ready', reasons: report.reasons }, 503);
  };
}
