import { sql } from 'kysely';
import { type Config, ConfigError } from './config.ts';
import { readCatalogFile, syncCatalog } from './modules/catalog/service.ts';
import { type Composition, composeModules } from './modules/compose.ts';
import type { ModuleDeclaration } from './modules/declaration.ts';
import { fulfilmentConfigProblems } from './modules/fulfilment/module.ts';
import { MODULES } from './modules/index.ts';
import { assertLifecycleMatchesDatabase } from './modules/orders/lifecycle.ts';
import { assertStagesMatchDatabase } from './modules/subscriptions/boot-check.ts';
import { Caches } from './platform/cache.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import type { Ctx } from './platform/context.ts';
import { type DatabaseHandle, openDatabase } from './platform/db.ts';
import { createJobRuntime } from './platform/job-runtime.ts';
import type { Logger } from './platform/logger.ts';
import { type Mailer, relayOutbox } from './platform/mail/outbox.ts';
import { newRelayState } from './platform/mail/relay-state.ts';
import { pendingBacklog } from './platform/mail/repository.ts';
import { mailboxTransport, smtpTransport } from './platform/mail/transport.ts';
import type { OutboxProbe } from './platform/metrics/database-gauges.ts';
import { jobQueueGauges } from './platform/metrics/job-queue.ts';
import { createMetrics } from './platform/metrics/registry.ts';
import { migrateToLatest } from './platform/migrations.ts';
import { createOutboundHttp } from './platform/outbound-http.ts';
import { PdfRenderer } from './platform/pdf/renderer.ts';
import { ReadGate } from './platform/read-gate.ts';
import { Readiness } from './platform/readiness.ts';
import type { Runtime } from './platform/runtime.ts';
import type { Resolver } from './platform/safe-targets.ts';

/** Jobs of the platform itself, beside the modules' (declaration.ts). */
const PLATFORM_JOBS = [relayOutbox];
/** The platform's own outbox, beside the modules' (webhooks, fulfilment): their backlogs are on /metrics. */
const PLATFORM_OUTBOXES: OutboxProbe[] = [{ name: 'mail', backlog: pendingBacklog }];

/** The modules' contributions, gathered once: the same for the runtime, its contexts and the app. */
let defaultComposition: Composition | undefined;
export function defaultModules(): Composition {
  defaultComposition ??= composeModules(MODULES, PLATFORM_JOBS, PLATFORM_OUTBOXES);
  return defaultComposition;
}

export interface RuntimeOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** An already open database (tests, benchmarks); by default the configured one is opened. */
  database?: DatabaseHandle;
  /** Other module declarations than Provisio's own (tests of the composition); by default `MODULES`. */
  modules?: readonly ModuleDeclaration[];
  /** How webhook targets' names are resolved (tests: a name that changes its address); by default DNS. */
  resolve?: Resolver;
}

/**
 * Builds the runtime and makes its database ready: migrations applied (under an advisory lock), the
 * job queue installed, the lifecycle table checked against the schema, the catalogue file synced. The
 * catalogue file is read before the database is opened, so a missing file is reported without touching
 * anything. Workers start only when asked (`rt.jobs.startWorkers()`: `start` and `worker` do).
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, log } = options;
  // Two modules contributing one job, effect or mail kind is refused before anything is opened.
  const composition = options.modules
    ? composeModules(options.modules, PLATFORM_JOBS, PLATFORM_OUTBOXES)
    : defaultModules();
  const transitionEffects = composition.transitionEffects;
  const catalog = readCatalogFile(config.catalogFile);
  // The catalogue's fulfilment needs its settings (a signing secret, https in production): checked first.
  const fulfilmentProblems = fulfilmentConfigProblems(config, catalog);
  if (fulfilmentProblems.length) throw new ConfigError(fulfilmentProblems);
  const handle =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      log,
      preparedStatements: config.databasePreparedStatements,
    }));
  const clock = options.clock ?? systemClock;
  const caches = new Caches();
  const reads = ReadGate.fromConfig(handle.engine, config);
  const mail: Mailer = {
    transport: config.smtpUrl ? smtpTransport(config.smtpUrl) : mailboxTransport(handle.db, clock),
    from: config.mailFrom,
    relay: newRelayState(),
    onResult: (kind) => composition.mailResultHandlers.get(kind),
  };
  const metrics = createMetrics({
    db: handle.db,
    engine: handle.engine,
    clock,
    log,
    queues: composition.jobs.map((job) => job.name),
    outboxes: composition.outboxes,
    gauges: [...jobQueueGauges(composition.jobs.map((job) => job.name)), ...composition.gauges],
    relay: mail.relay,
    ...(handle.poolStats ? { pool: handle.poolStats } : {}),
  });
  const pdf = new PdfRenderer(log);
  const outbound = createOutboundHttp({
    production: config.production,
    allowPrivate: config.webhookAllowPrivateTargets,
    ...(options.resolve ? { resolve: options.resolve } : {}),
  });
  let counter = 0;
  const systemContext = (name: string): Ctx => {
    counter += 1;
    return {
      db: handle.db,
      clock,
      locale: 'en',
      requestId: `${name}-${process.pid}-${counter}`,
      actor: { type: 'system', name },
      log,
      caches,
      jobs,
      mail,
      pdf,
      config,
      reads,
      transitionEffects,
      outbound,
      metrics: metrics.counters,
    };
  };
  const jobs = createJobRuntime({
    db: handle.db,
    log,
    jobs: composition.jobs,
    concurrency: config.workerConcurrency,
    maxExpireInSeconds: config.jobExpireSeconds,
    context: systemContext,
    metrics: metrics.jobs,
    // A pool of one cannot lend a second connection while a transaction holds the install lock.
    installLock: handle.engine === 'postgres' && config.databasePoolSize > 1 ? 'transaction' : 'session',
  });
  const ping = async () => {
    if (handle.ping) await handle.ping();
    else await sql`select 1`.execute(handle.db);
  };
  const runtime: Runtime = {
    config,
    db: handle.db,
    engine: handle.engine,
    clock,
    log,
    caches,
    jobs,
    mail,
    reads,
    transitionEffects,
    composition,
    outbound,
    metrics,
    ping,
    readiness: new Readiness({ db: handle.db, ping, jobs }),
    pdf,
    systemContext,
    close: async () => {
      try {
        await jobs.stop();
      } finally {
        outbound.close();
        await pdf.close();
        await mail.transport.close();
        await handle.close();
      }
    },
  };
  try {
    const { applied } = await migrateToLatest(handle.db);
    if (applied.length) log.info({ applied, engine: handle.engine }, 'migrations applied');
    await jobs.install();
    await assertLifecycleMatchesDatabase(handle.db);
    await assertStagesMatchDatabase(handle.db, transitionEffects);
    await syncCatalog(runtime.systemContext('boot'), catalog);
    return runtime;
  } catch (error) {
    outbound.close();
    await handle.close();
    throw error;
  }
}
