import { Gauge, type Registry } from 'prom-client';
import type { Clock } from '../clock.ts';
import { type Engine, type Executor, withStatementTimeout } from '../db.ts';
import type { Logger } from '../logger.ts';

/**
 * States the database holds (backlogs, subscriptions by stage) are read from it when Prometheus
 * scrapes, not counted in memory: every process would count only its own share, and a restart would
 * forget. Modules contribute what they own through their declaration (`outboxes`, `gauges`), and
 * each read is a repository function: the SQL stays with the module.
 */

/** An outbox: messages written in a transaction and sent later by a relay. */
export interface OutboxProbe {
  /** The `outbox` label: `mail`, `webhooks`, `fulfilment`. */
  readonly name: string;
  /** What waits to be sent, and the oldest of it (null when nothing waits). */
  backlog(db: Executor): Promise<{ count: number; oldest: Date | null }>;
}

export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}

/** Any other gauge read from the database; its labels must take values from a fixed set. */
export interface DatabaseGauge {
  /** Without the `provisio_` prefix. */
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  read(db: Executor): Promise<readonly GaugeSample[]>;
}

/** A scrape waits this long for the database at most; Prometheus's own default timeout is 10 s. */
export const DATABASE_READ_TIMEOUT_MS = 2000;

interface Options {
  db: Executor;
  engine: Engine;
  clock: Clock;
  log: Logger;
  registry: Registry;
  prefix: string;
  outboxes: readonly OutboxProbe[];
  gauges: readonly DatabaseGauge[];
}

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database read took over ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The database's gauges of one runtime. A read that fails or runs out of time removes their values
 * (a stale backlog would look fine when it is not) and sets `provisio_database_gauges_up` to 0.
 */
export class DatabaseGauges {
  private readonly backlog: Gauge<'outbox'>;
  private readonly oldestAge: Gauge<'outbox'>;
  private readonly up: Gauge;
  private readonly others: { gauge: Gauge<string>; source: DatabaseGauge }[];
  private inFlight: Promise<void> | undefined;
  private reading: Promise<unknown> | undefined;
  private failing = false;

  constructor(private readonly options: Options) {
    const registers = [options.registry];
    const { prefix } = options;
    this.backlog = new Gauge({
      name: `${prefix}outbox_backlog`,
      help: 'Messages waiting in an outbox to be sent (mail, webhooks, fulfilment requests).',
      labelNames: ['outbox'],
      registers,
    });
    this.oldestAge = new Gauge({
      name: `${prefix}outbox_oldest_age_seconds`,
      help: "Age of an outbox's oldest waiting message (0 when none waits).",
      labelNames: ['outbox'],
      registers,
    });
    this.up = new Gauge({
      name: `${prefix}database_gauges_up`,
      help: "1 when this scrape read the database's gauges (outboxes, subscriptions), 0 when the read failed or ran out of time.",
      registers,
    });
    this.others = options.gauges.map((source) => ({
      source,
      gauge: new Gauge({
        name: `${prefix}${source.name}`,
        help: source.help,
        labelNames: [...source.labelNames],
        registers,
      }),
    }));
  }

  /**
   * Reads them now; scrapes at the same moment share the read. A read that ran out of time goes on in
   * the background, and until it ends no other is started: a slow database is not given more to do.
   */
  refresh(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.reading) return Promise.resolve();
    const reading = this.readAll().finally(() => {
      this.reading = undefined;
    });
    this.reading = reading;
    this.inFlight = within(reading, DATABASE_READ_TIMEOUT_MS)
      .then(
        (apply) => {
          apply();
          this.up.set(1);
          if (this.failing) this.options.log.info('metrics: the database gauges are read again');
          this.failing = false;
        },
        (err: unknown) => {
          this.clear();
          this.up.set(0);
          if (!this.failing) this.options.log.warn({ err }, 'metrics: reading the database gauges failed');
          this.failing = true;
        },
      )
      .finally(() => {
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  /** Reads everything, then returns how to set it, so a read cut short sets nothing. */
  private async readAll(): Promise<() => void> {
    const { db, engine, clock } = this.options;
    // One statement at a time, each under a statement time limit on PostgreSQL.
    const limited = <T>(read: (db: Executor) => Promise<T>) =>
      withStatementTimeout(db, engine, DATABASE_READ_TIMEOUT_MS, read);
    const outboxes: { name: string; count: number; oldest: Date | null }[] = [];
    for (const outbox of this.options.outboxes)
      outboxes.push({ name: outbox.name, ...(await limited((d) => outbox.backlog(d))) });
    const others: { gauge: Gauge<string>; samples: readonly GaugeSample[] }[] = [];
    for (const { gauge, source } of this.others)
      others.push({ gauge, samples: await limited((d) => source.read(d)) });
    const now = clock.now().getTime();
    return () => {
      this.clear();
      for (const o of outboxes) {
        this.backlog.labels(o.name).set(o.count);
        this.oldestAge.labels(o.name).set(o.oldest ? Math.max(0, (now - o.oldest.getTime()) / 1000) : 0);
      }
      for (const { gauge, samples } of others)
        for (const sample of samples) gauge.set(sample.labels, sample.value);
    };
  }

  private clear(): void {
    this.backlog.reset();
    this.oldestAge.reset();
    for (const { gauge } of this.others) gauge.reset();
  }
}
