import { sql } from 'kysely';
import { type Config, ConfigError } from './config.ts';
import { readCatalogFile, syncCatalog } from './modules/catalog/service.ts';
import {
  FULFILMENT_EFFECTS,
  FULFILMENT_JOBS,
  fulfilmentConfigProblems,
} from './modules/fulfilment/module.ts';
import { purgeExpiredSessions } from './modules/identity/jobs.ts';
import { assertLifecycleMatchesDatabase } from './modules/orders/lifecycle.ts';
import { dispatchDue, settleTransactionEmail } from './modules/provisioning/jobs.ts';
import { escalationJob, policyWindowJob } from './modules/provisioning/timers.ts';
import {
  endSetupLinks,
  queueStartDateDispatch,
  sendSetupEmails,
} from './modules/provisioning/transition-effects.ts';
import { expireJoinRequestsJob, releaseReservationsJob } from './modules/setup/jobs.ts';
import { makeReservationsPermanent, tellAdminsActivated } from './modules/setup/provision-effects.ts';
import { assertStagesMatchDatabase } from './modules/subscriptions/boot-check.ts';
import type { TransitionEffects } from './modules/subscriptions/effects.ts';
import { sweepOrphanFilesJob } from './modules/support/jobs.ts';
import { Caches } from './platform/cache.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import type { Ctx } from './platform/context.ts';
import { type DatabaseHandle, openDatabase } from './platform/db.ts';
import { createJobRuntime } from './platform/job-runtime.ts';
import type { AnyJob } from './platform/jobs.ts';
import type { Logger } from './platform/logger.ts';
import { type Mailer, type MailResultHandler, relayOutbox } from './platform/mail/outbox.ts';
import { newRelayState } from './platform/mail/relay-state.ts';
import { mailboxTransport, smtpTransport } from './platform/mail/transport.ts';
import { migrateToLatest } from './platform/migrations.ts';
import { PdfRenderer } from './platform/pdf/renderer.ts';
import { ReadGate } from './platform/read-gate.ts';
import type { Runtime } from './platform/runtime.ts';

/** Every job Provisio runs: each gets its queue (with its retry policy) and, in a worker, its handler. */
export const JOBS: readonly AnyJob[] = [
  purgeExpiredSessions,
  relayOutbox,
  dispatchDue,
  policyWindowJob,
  escalationJob,
  releaseReservationsJob,
  expireJoinRequestsJob,
  sweepOrphanFilesJob,
  ...FULFILMENT_JOBS,
];

/** What each module does when a subscription moves, by the effect names the transition table uses. */
export const TRANSITION_EFFECTS: TransitionEffects = {
  queue_start_date_dispatch: queueStartDateDispatch,
  send_setup_emails: sendSetupEmails,
  end_setup_links: endSetupLinks,
  make_reservations_permanent: makeReservationsPermanent,
  tell_admins_activated: tellAdminsActivated,
  ...FULFILMENT_EFFECTS,
};

/** Who hears how each kind of email ended (by `kind`), e.g. to settle a transaction's status. */
export const MAIL_RESULT_HANDLERS: ReadonlyMap<string, MailResultHandler> = new Map([
  ['provisioning.transaction', settleTransactionEmail],
]);

export interface RuntimeOptions {
  config: Config;
  log: Logger;
  clock?: Clock;
  /** An already open database (tests, benchmarks); by default the configured one is opened. */
  database?: DatabaseHandle;
}

/**
 * Builds the runtime and makes its database ready: migrations applied (under an advisory lock), the
 * job queue installed, the lifecycle table checked against the schema, the catalogue file synced. The
 * catalogue file is read before the database is opened, so a missing file is reported without touching
 * anything. Workers start only when asked (`rt.jobs.startWorkers()`: `start` and `worker` do).
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, log } = options;
  const catalog = readCatalogFile(config.catalogFile);
  const fulfilmentProblems = fulfilmentConfigProblems(config, catalog);
  if (fulfilmentProblems.length) throw new ConfigError(fulfilmentProblems);
  const handle =
    options.database ??
    (await openDatabase({
      databaseUrl: config.databaseUrl,
      dataDir: config.dataDir,
      poolSize: config.databasePoolSize,
      log,
    }));
  const clock = options.clock ?? systemClock;
  const caches = new Caches();
  const reads = ReadGate.fromConfig(handle.engine, config);
  const mail: Mailer = {
    transport: config.smtpUrl ? smtpTransport(config.smtpUrl) : mailboxTransport(handle.db, clock),
    from: config.mailFrom,
    relay: newRelayState(),
    onResult: (kind) => MAIL_RESULT_HANDLERS.get(kind),
  };
  const pdf = new PdfRenderer(log);
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
      transitionEffects: TRANSITION_EFFECTS,
    };
  };
  const jobs = createJobRuntime({
    db: handle.db,
    log,
    jobs: JOBS,
    concurrency: config.workerConcurrency,
    maxExpireInSeconds: config.jobExpireSeconds,
    context: systemContext,
  });
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
    transitionEffects: TRANSITION_EFFECTS,
    ping: async () => {
      if (handle.ping) await handle.ping();
      else await sql`select 1`.execute(handle.db);
    },
    pdf,
    systemContext,
    close: async () => {
      try {
        await jobs.stop();
      } finally {
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
    await assertStagesMatchDatabase(handle.db, TRANSITION_EFFECTS);
    await syncCatalog(runtime.systemContext('boot'), catalog);
    return runtime;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
