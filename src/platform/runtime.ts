import type { Config } from '../config.ts';
import type { Composition } from '../modules/compose.ts';
import type { TransitionEffects } from '../modules/subscriptions/effects.ts';
import type { Caches } from './cache.ts';
import type { Clock } from './clock.ts';
import type { Ctx } from './context.ts';
import type { Db, Engine } from './db.ts';
import type { JobRuntime } from './job-runtime.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mail/outbox.ts';
import type { Metrics } from './metrics/registry.ts';
import type { OutboundHttp } from './outbound-http.ts';
import type { PdfRenderer } from './pdf/renderer.ts';
import type { ReadGate } from './read-gate.ts';
import type { Readiness } from './readiness.ts';

/**
 * Everything a Provisio process runs on, built once (src/runtime.ts) and handed to `start`, the
 * worker, the CLI, the tests and the benchmarks. State lives here, never in module-level variables.
 */
export interface Runtime {
  readonly config: Config;
  readonly db: Db;
  readonly engine: Engine;
  readonly clock: Clock;
  readonly log: Logger;
  readonly caches: Caches;
  /** The job queue and this process's workers (started by `start` and `worker` only). */
  readonly jobs: JobRuntime;
  /** Outgoing mail: SMTP when SMTP_URL is set, else the development mailbox. */
  readonly mail: Mailer;
  /** Each tenant's share of the database for list and search reads (docs/adr/0024). */
  readonly reads: ReadGate;
  /** What modules do when a subscription moves (modules/subscriptions/effects.ts), checked at boot. */
  readonly transitionEffects: TransitionEffects;
  /** What the modules contribute (modules/declaration.ts): the app mounts their routes and pages from it. */
  readonly composition: Composition;
  /** Requests to addresses tenants chose (webhooks): checked, pinned, kept alive. */
  readonly outbound: OutboundHttp;
  /** This process's Prometheus registry and its collectors (`GET /metrics`, docs/adr/0040). */
  readonly metrics: Metrics;
  /** Resolves when the database answers (/healthz), without waiting for a free pool connection. */
  ping(): Promise<void>;
  /** Whether this process should be sent work (`/readyz`); the shutdown marks it not ready. */
  readonly readiness: Readiness;
  /** PDF rendering on worker threads, with its cache and per-caller limit. */
  readonly pdf: PdfRenderer;
  /** A context for work Provisio does on its own behalf (boot, CLI, jobs), named for the logs and history. */
  systemContext(name: string): Ctx;
  close(): Promise<void>;
}
