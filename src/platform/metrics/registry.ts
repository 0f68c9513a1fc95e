import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import type { Engine, Executor } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { MailRelayState } from '../mail/relay-state.ts';
import { type DatabaseGauge, DatabaseGauges, type OutboxProbe } from './database-gauges.ts';

/**
 * What one Provisio process exports on `GET /metrics` (docs/adr/0040): one registry per runtime, never
 * prom-client's global one (tests build many runtimes in one process). Names follow Prometheus's
 * conventions: `provisio_` first, base units (`_seconds`), `_total` on counters; labels take only
 * values from a fixed set (route templates, queue names, stages, mail kinds), never ids.
 */
export const METRIC_PREFIX = 'provisio_';

/** Events counted where they happen: services reach them through `ctx.metrics`. */
export interface DomainCounters {
  /** Orders booked (an idempotent replay is not a second booking). */
  readonly ordersBooked: Counter;
  /** Order lines escalated to their account representative. */
  readonly escalations: Counter;
  /** Outbox messages by kind (`provisioning.start` …) and how the relay's attempt ended. */
  readonly mailMessages: Counter<'kind' | 'outcome'>;
}

/** The job runtime's figures, per queue (job name). */
export interface JobMetrics {
  readonly runs: Counter<'queue'>;
  readonly failures: Counter<'queue'>;
  readonly retries: Counter<'queue'>;
  /** From when an attempt could start (created, or its retry's time) to when a worker started it. */
  readonly waiting: Histogram<'queue'>;
  readonly running: Histogram<'queue'>;
}

export interface HttpMetrics {
  readonly requests: Counter<'method' | 'route' | 'status'>;
  readonly duration: Histogram<'method' | 'route'>;
}

/** A connection pool's figures at this moment (PGlite: its one session behind a lock). */
export interface PoolStats {
  max: number;
  inUse: number;
  idle: number;
  waiting: number;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  readonly http: HttpMetrics;
  readonly jobs: JobMetrics;
  readonly counters: DomainCounters;
  /** Reads the database's gauges (bounded in time, shared by concurrent scrapes), then renders the text format. */
  scrape(): Promise<string>;
}

export interface MetricsOptions {
  db: Executor;
  engine: Engine;
  clock: Clock;
  log: Logger;
  /** Every job's name: their series exist from the start, at zero. */
  queues: readonly string[];
  outboxes: readonly OutboxProbe[];
  gauges: readonly DatabaseGauge[];
  relay: MailRelayState;
  pool?: () => PoolStats;
}

const SECONDS_BUCKETS_HTTP = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const SECONDS_BUCKETS_WAIT = [0.1, 0.5, 1, 5, 15, 30, 60, 300, 900, 3600];
const SECONDS_BUCKETS_RUN = [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];

const seconds = (at: Date | null) => (at ? at.getTime() / 1000 : 0);

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  // prom-client's sums of the per-type gauges are gauges named `_total`, which `promtool check metrics`
  // refuses (that suffix means a counter); `sum()` over the per-type gauges gives the same figure.
  for (const name of ['active_handles', 'active_requests', 'active_resources'])
    registry.removeSingleMetric(`${METRIC_PREFIX}nodejs_${name}_total`);

  const http: HttpMetrics = {
    requests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    duration: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time to answer an HTTP request (until its headers), by method and route template.',
      labelNames: ['method', 'route'],
      buckets: SECONDS_BUCKETS_HTTP,
      registers,
    }),
  };

  const jobs: JobMetrics = {
    runs: new Counter({
      name: `${METRIC_PREFIX}job_runs_total`,
      help: 'Job attempts this process finished, succeeded or failed, by queue.',
      labelNames: ['queue'],
      registers,
    }),
    failures: new Counter({
      name: `${METRIC_PREFIX}job_failures_total`,
      help: 'Job attempts that failed (they are retried while their policy allows), by queue.',
      labelNames: ['queue'],
      registers,
    }),
    retries: new Counter({
      name: `${METRIC_PREFIX}job_retries_total`,
      help: 'Job attempts that were retries of a failed one, by queue.',
      labelNames: ['queue'],
      registers,
    }),
    waiting: new Histogram({
      name: `${METRIC_PREFIX}job_wait_seconds`,
      help: 'Time a job attempt waited for a worker after it could start, by queue.',
      labelNames: ['queue'],
      buckets: SECONDS_BUCKETS_WAIT,
      registers,
    }),
    running: new Histogram({
      name: `${METRIC_PREFIX}job_run_seconds`,
      help: 'Time a job attempt ran, by queue.',
      labelNames: ['queue'],
      buckets: SECONDS_BUCKETS_RUN,
      registers,
    }),
  };
  // Every queue's series from the start: rate() and absent() see a zero, not nothing.
  for (const queue of options.queues) {
    jobs.runs.labels(queue).inc(0);
    jobs.failures.labels(queue).inc(0);
    jobs.retries.labels(queue).inc(0);
    jobs.waiting.zero({ queue });
    jobs.running.zero({ queue });
  }

  const counters: DomainCounters = {
    ordersBooked: new Counter({
      name: `${METRIC_PREFIX}orders_booked_total`,
      help: 'Orders booked through this process.',
      registers,
    }),
    escalations: new Counter({
      name: `${METRIC_PREFIX}escalations_total`,
      help: 'Order lines escalated to their account representative by this process.',
      registers,
    }),
    mailMessages: new Counter({
      name: `${METRIC_PREFIX}mail_messages_total`,
      help: 'Outbox messages the relay of this process handled, by kind and outcome (sent, failed for good, deferred for a retry).',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
  };

  const relay = options.relay;
  new Gauge({
    name: `${METRIC_PREFIX}mail_relay_consecutive_failures`,
    help: "Relay batches or probes in a row that could not reach the SMTP server (this process's relay).",
    registers,
    collect() {
      this.set(relay.consecutiveFailures);
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}mail_relay_last_success_timestamp_seconds`,
    help: "When this process's relay last got a message through (Unix time; 0: not yet).",
    registers,
    collect() {
      this.set(seconds(relay.lastSuccessAt));
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}mail_relay_last_failure_timestamp_seconds`,
    help: "When this process's relay last failed to reach the SMTP server (Unix time; 0: never).",
    registers,
    collect() {
      this.set(seconds(relay.lastFailureAt));
    },
  });
  new Gauge({
    name: `${METRIC_PREFIX}mail_relay_last_error_info`,
    help: "The short code of the relay's last failure (ECONNREFUSED, 421 …), while it is failing.",
    labelNames: ['code'],
    registers,
    collect() {
      this.reset();
      if (relay.consecutiveFailures > 0 && relay.lastErrorCode) this.labels(relay.lastErrorCode).set(1);
    },
  });

  const pool = options.pool;
  if (pool) {
    const poolGauge = (name: string, help: string, read: (s: PoolStats) => number) =>
      new Gauge({
        name: `${METRIC_PREFIX}db_pool_${name}`,
        help,
        registers,
        collect() {
          this.set(read(pool()));
        },
      });
    poolGauge('max', 'Connections the database pool may open.', (s) => s.max);
    poolGauge('in_use', 'Database connections checked out of the pool now.', (s) => s.inUse);
    poolGauge('idle', 'Database connections open and idle in the pool now.', (s) => s.idle);
    poolGauge('waiting', 'Requests waiting for a database connection now.', (s) => s.waiting);
  }

  const database = new DatabaseGauges({ ...options, registry, prefix: METRIC_PREFIX });

  return {
    registry,
    contentType: registry.contentType,
    http,
    jobs,
    counters,
    async scrape() {
      await database.refresh();
      return registry.metrics();
    },
  };
}
