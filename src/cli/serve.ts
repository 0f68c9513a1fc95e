import type { Config } from '../config.ts';
import { hasDemo, seedDemo } from '../demo/seed.ts';
import * as identity from '../modules/identity/service.ts';
import { type ControlChannel, controlChannelFor } from '../platform/backup/control.ts';
import type { Logger } from '../platform/logger.ts';
import { type RunningOps, serveOps } from '../platform/ops-server.ts';
import type { Runtime } from '../platform/runtime.ts';
import { createRuntime } from '../runtime.ts';
import { type RunningWeb, serveWeb } from '../server.ts';
import { announceDemoLoaded, announceDemoPresent } from './demo-banner.ts';
import { type Session, settings } from './session.ts';

/** Beyond the longer of SHUTDOWN_GRACE_SECONDS and WORKER_DRAIN_SECONDS, what closing the rest may take. */
const CLOSE_MARGIN_MS = 10_000;

/**
 * Resolves true once the requests in flight are answered, false when SHUTDOWN_GRACE_SECONDS pass first
 * (said in one line: the process then exits non-zero, cutting those requests off).
 */
function requestsFinished(web: RunningWeb, graceSeconds: number, log: Logger): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      // Nothing unanswered (SHUTDOWN_GRACE_SECONDS=0 with no request, or connections still closing): done.
      const inFlight = web.inFlight();
      if (inFlight === 0) return resolve(true);
      log.error(
        { inFlight, graceSeconds },
        'requests still in flight after SHUTDOWN_GRACE_SECONDS: exiting without them',
      );
      resolve(false);
    }, graceSeconds * 1000);
    void web.close().then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * On SIGTERM or SIGINT: stop being ready (/readyz 503) and taking connections, let the requests in
 * flight finish (up to SHUTDOWN_GRACE_SECONDS) and running jobs too (up to WORKER_DRAIN_SECONDS),
 * close the database, exit 0. Requests cut off by the grace make the exit 1; a shutdown that hangs
 * is cut short.
 */
function stopOnSignal(
  rt: Runtime,
  log: Logger,
  { web, ops, control }: { web?: RunningWeb; ops?: RunningOps; control?: ControlChannel },
): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    rt.readiness.markShuttingDown();
    const graceSeconds = rt.config.shutdownGraceSeconds;
    const drainSeconds = rt.config.workerDrainSeconds;
    log.info({ signal, ...(web ? { inFlight: web.inFlight(), graceSeconds } : {}) }, 'shutting down');
    setTimeout(
      () => {
        log.warn('shutdown took too long: exiting');
        process.exit(1);
      },
      Math.max(web ? graceSeconds : 0, drainSeconds) * 1000 + CLOSE_MARGIN_MS,
    ).unref();
    const answered = web ? requestsFinished(web, graceSeconds, log) : Promise.resolve(true);
    void Promise.all([answered, ops?.close(), rt.jobs.stop({ drainSeconds }), control?.close()])
      .then(async ([complete]) => {
        await rt.close();
        return complete;
      })
      .then(
        (complete) => {
          log.info('stopped');
          process.exit(complete ? 0 : 1);
        },
        (error: unknown) => {
          log.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

export async function start(session: Session): Promise<void> {
  const { config, log } = settings(session);
  const rt = await createRuntime({ config, log });
  try {
    if (config.production) await explainEmptyDatabase(rt, log);
    else await loadDemoIfEmpty(rt, config, log);
    // A process that runs the jobs too is not ready (/readyz) until its workers run.
    if (config.startRunsJobs) rt.readiness.expectJobs();
    const web = await serveWeb(rt);
    const ops = await startOps(rt, log).catch(async (error: unknown) => {
      await web.close();
      throw error;
    });
    // On the embedded database, `provisio backup` asks this process for a copy (docs/adr/0041).
    stopOnSignal(rt, log, { web, ops, control: await controlChannelFor(rt) });
    warnAboutDevelopmentKeys(config, log);
    // START_RUNS_JOBS=false: a web-only process; `provisio worker` processes run the jobs.
    if (config.startRunsJobs) await rt.jobs.startWorkers();
    else if (rt.engine === 'pglite')
      log.warn(
        'START_RUNS_JOBS=false on the embedded database: no other process can run the jobs, so none will run',
      );
    log.info(
      { port: web.port, engine: rt.engine, url: config.publicUrl, runsJobs: config.startRunsJobs },
      'Provisio is listening',
    );
  } catch (error) {
    await rt.close();
    throw error;
  }
}

/** The operators' port (METRICS_PORT), when it is set: `/metrics` without a token, `/healthz`, `/readyz`. */
async function startOps(rt: Runtime, log: Logger): Promise<RunningOps | undefined> {
  const port = rt.config.metricsPort;
  if (port === undefined) return undefined;
  const ops = await serveOps(rt, port);
  log.info({ port: ops.port }, 'metrics, liveness and readiness are served on their own port');
  return ops;
}

/**
 * Outside production, an empty database gets the demo (DEMO_SEED), and the start that loaded it shows
 * its logins and an API key; later starts on the demo say how to get new ones.
 */
async function loadDemoIfEmpty(rt: Runtime, config: Config, log: Logger): Promise<void> {
  const shouldSeed = config.demoSeed === 'always' || (config.demoSeed === 'auto' && rt.engine === 'pglite');
  if (!shouldSeed) return;
  const ctx = rt.systemContext('boot');
  const demo = await seedDemo(ctx, {
    onlyIfEmpty: true,
    ...(config.demoPassword ? { password: config.demoPassword } : {}),
  });
  if (demo) announceDemoLoaded(log, config, demo);
  else if (await hasDemo(ctx)) announceDemoPresent(log, config);
}

/** In production an empty database stays empty: one line says how to create the first accounts. */
async function explainEmptyDatabase(rt: Runtime, log: Logger): Promise<void> {
  if (await identity.hasOrganizations(rt.systemContext('boot'))) return;
  log.warn(
    {
      firstOperator: [
        'provisio org create --kind vendor --name "<your company>"',
        'provisio user create --org <id printed above> --role operator --email <address>',
      ],
      firstPartner: [
        'provisio org create --kind partner --name "<partner>" --domain <their email domain>',
        'provisio user create --org <id printed above> --role partner_admin --email <address>',
        'provisio apikey create --org <id printed above>',
      ],
    },
    'empty database: no demo in production; create the first operator and partner with the provisio command (see firstOperator, firstPartner)',
  );
}

/**
 * Said by the processes that serve and work, not by every command: a command's stdout is its answer,
 * and a warning there would break whoever reads it.
 */
function warnAboutDevelopmentKeys(config: Config, log: Logger): void {
  if (config.webhookSecretsKeyIsDevelopmentFallback)
    log.warn(
      'WEBHOOK_SECRETS_KEY is not set: webhook signing secrets are sealed with a development key anyone can derive; set it before real use',
    );
}

/** The worker role: jobs only, no HTTP. On the embedded database `start` runs them too (one process). */
export async function worker(session: Session): Promise<void> {
  const { config, log } = settings(session);
  const rt = await createRuntime({ config, log });
  try {
    stopOnSignal(rt, log, { ops: await startOps(rt, log), control: await controlChannelFor(rt) });
    warnAboutDevelopmentKeys(config, log);
    rt.readiness.expectJobs();
    await rt.jobs.startWorkers();
    log.info({ engine: rt.engine, jobs: rt.jobs.jobs.map((j) => j.name) }, 'Provisio worker is running');
  } catch (error) {
    await rt.close();
    throw error;
  }
}
