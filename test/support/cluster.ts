import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { isoDate } from '../../src/platform/clock.ts';
import { connectPostgres, type Db } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { bookOrders, countMail, ordersToBook } from './cluster-client.ts';
import {
  cleanEnv,
  logEntries,
  type RunningServer,
  type RunningWorker,
  startServer,
  startWorker,
} from './process.ts';
import { startSmtpSink } from './smtp-sink.ts';

/**
 * Many processes on one PostgreSQL, proven (issue 17): web processes (`start` with
 * START_RUNS_JOBS=false) and `worker` processes, orders booked across the web ones with lines due
 * today, one web and one worker killed with SIGKILL in the middle and a new pair started; then every
 * acknowledged order must be stored once, every line's email queued once and delivered (counted by
 * Message-ID at a real SMTP server), and no job left behind or failed. Shared by bench/cluster.ts
 * and test/integration/cluster.test.ts.
 */

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', '..', 'config', 'catalog.json');
const MAIL_FROM = 'provisioning@cluster.example';
/** Four processes compiling the sources at once (no build) on a loaded 2-core machine take a while. */
const STARTUP_TIMEOUT_MS = 180_000;

/** `single`: one `start` doing both; `cluster`: 2 web + 2 workers; `cluster-kill`: and the kill. */
export type Shape = 'single' | 'cluster' | 'cluster-kill';

export interface ScenarioOptions {
  databaseUrl: string;
  shape: Shape;
  orders: number;
  linesPerOrder: number;
  concurrency: number;
  /** JOB_EXPIRE_SECONDS of every process: what bounds the recovery of a killed worker's jobs. */
  jobExpireSeconds: number;
  /** Bounds on a run that would otherwise hang (booking; then mail and jobs), not measurements. */
  deadlineMs: number;
  /** Progress lines (a bench prints them, a test makes diagnostics of them). */
  note?: (line: string) => void;
  /** Where to write each process's log at the end (to see why a run went wrong). */
  logDir?: string;
}

export interface ScenarioResult {
  shape: Shape;
  orders: number;
  lines: number;
  bookingMs: number;
  /** From the first request to the last line's email at the server (its first arrival). */
  mailMs: number;
  /** From the kill to the last line's email (cluster-kill only). */
  mailAfterKillMs?: number;
  /** Jobs running (any worker) when the pair was killed, by name. */
  activeAtKill: string[];
  /** Jobs a web-only process (START_RUNS_JOBS=false) ran: must be none. */
  jobsOnWebOnly: number;
  replayed: number;
  resent: number;
  /** Acknowledged but not stored; stored more than once; stored but never acknowledged. */
  missing: string[];
  duplicated: string[];
  unacknowledged: string[];
  /** Contacts (one per line) whose email was not queued exactly once. */
  notQueuedOnce: string[];
  /** Queued messages that never reached the server. */
  notDelivered: string[];
  /** Arrivals beyond the first of a Message-ID: resends after a kill (at-least-once delivery). */
  duplicateDeliveries: number;
  unidentifiedMessages: number;
  outboxPending: number;
  outboxFailed: number;
  /** Jobs created before the mail was all out and still not done by the deadline. */
  openJobs: string[];
  /** Jobs that failed with no retry left: work lost. */
  failedJobs: string[];
  /**
   * Attempts of a `stately` job (a wake-up such as the relay) that ran out of time while a retry of
   * the same queue was already waiting: pg-boss keeps one retry per stately queue and marks the other
   * failed with retries left. The waiting one does the same work, so nothing is lost; counted apart.
   */
  foldedJobs: string[];
}

interface Tenant {
  db: Db;
  apiKey: string;
  orgId: string;
  close(): Promise<void>;
}

/** Migrates the database (as `start` would) and creates the partner and the API key the client books with. */
async function createTenant(databaseUrl: string, jobExpireSeconds: number): Promise<Tenant> {
  const handle = connectPostgres(databaseUrl, 3);
  const rt = await createRuntime({
    config: loadConfig({
      CATALOG_FILE,
      DATABASE_URL: databaseUrl,
      JOB_EXPIRE_SECONDS: String(jobExpireSeconds),
    }),
    log: createLogger('silent'),
    database: handle,
  });
  const ctx = rt.systemContext('cluster');
  const org = await identity.createOrganization(ctx, {
    kind: 'partner',
    name: 'Cluster Partner',
    country: 'IT',
  });
  const key = await apiKeys.createApiKey(ctx, org.id, 'cluster');
  return { db: handle.db, apiKey: key.key, orgId: org.id, close: () => rt.close() };
}

function ended(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('close', () => done());
  });
}

async function kill(child: ChildProcess): Promise<void> {
  const gone = ended(child);
  child.kill('SIGKILL');
  await gone;
}

async function stop(child: ChildProcess): Promise<void> {
  const gone = ended(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await gone;
  clearTimeout(timer);
}

export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const { shape, jobExpireSeconds, deadlineMs } = options;
  const note = options.note ?? (() => undefined);
  const sink = await startSmtpSink({ parse: false });
  const tenant = await createTenant(options.databaseUrl, jobExpireSeconds);
  const children: { name: string; child: ChildProcess; logs: string[] }[] = [];
  try {
    const env = cleanEnv({
      DATABASE_URL: options.databaseUrl,
      SMTP_URL: sink.url,
      MAIL_FROM,
      PUBLIC_URL: 'http://127.0.0.1:8080',
      JOB_EXPIRE_SECONDS: String(jobExpireSeconds),
      WORKER_DRAIN_SECONDS: '5',
    });
    const webEnv = { ...env, START_RUNS_JOBS: shape === 'single' ? 'true' : 'false' };
    const started = { web: 0, worker: 0 };
    const startWeb = async () => {
      const web = await startServer(webEnv, STARTUP_TIMEOUT_MS);
      children.push({ name: `web-${++started.web}`, ...web });
      // As a load balancer would, traffic goes to it once it says it is ready (web-only: no workers awaited).
      const ready = await fetch(`${web.url}/readyz`);
      if (ready.status !== 200) throw new Error(`a web process is not ready: ${await ready.text()}`);
      return web;
    };
    const startJobs = async () => {
      const worker = await startWorker(env, STARTUP_TIMEOUT_MS);
      children.push({ name: `worker-${++started.worker}`, ...worker });
      return worker;
    };
    const webs: RunningServer[] = [];
    const workers: RunningWorker[] = [];
    if (shape === 'single') webs.push(await startWeb());
    else {
      // Settled, not all: when one fails to start, the others are still stopped at the end.
      const [a, b, c, d] = await Promise.allSettled([startWeb(), startWeb(), startJobs(), startJobs()]);
      for (const p of [a, b, c, d]) if (p?.status === 'rejected') throw p.reason;
      if (a?.status === 'fulfilled' && b?.status === 'fulfilled') webs.push(a.value, b.value);
      if (c?.status === 'fulfilled' && d?.status === 'fulfilled') workers.push(c.value, d.value);
    }
    note(`${shape}: ${webs.length} web process(es), ${workers.length} worker(s) up`);

    const orders = ordersToBook({
      orders: options.orders,
      linesPerOrder: options.linesPerOrder,
      tag: `CL${randomBytes(3).toString('hex').toUpperCase()}`,
      startDate: isoDate(new Date()),
    });
    const lines = options.orders * options.linesPerOrder;
    const mail = countMail(sink);
    const live: string[] = webs.map((w) => w.url);
    let killedAt: number | undefined;
    let activeAtKill: string[] = [];
    let replacements: Promise<unknown> | undefined;
    const killPair = async () => {
      const [web, worker] = [webs[0], workers[0]];
      if (!web || !worker) throw new Error('cluster-kill needs a web process and a worker');
      // Out of the client's list first: the requests in flight to it fail and go to the other one.
      live.splice(live.indexOf(web.url), 1);
      const { rows } = await sql<{ name: string }>`
        select name from pgboss.job where state = 'active' order by name`.execute(tenant.db);
      await Promise.all([kill(web.child), kill(worker.child)]);
      killedAt = performance.now();
      activeAtKill = rows.map((r) => r.name);
      note(
        `killed (SIGKILL) one web process and one worker; jobs active then: ${activeAtKill.join(', ') || 'none'}`,
      );
      const [newWeb, newWorker] = await Promise.allSettled([startWeb(), startJobs()]);
      if (newWeb.status === 'rejected') throw newWeb.reason;
      if (newWorker.status === 'rejected') throw newWorker.reason;
      live.push(newWeb.value.url);
      note('a new web process and a new worker are up');
    };
    const killAfter = Math.ceil(options.orders / 2);

    const bookingStarted = performance.now();
    const booking = await bookOrders({
      orders,
      concurrency: options.concurrency,
      apiKey: tenant.apiKey,
      targets: { list: () => live },
      deadlineMs,
      onAcknowledged: (count) => {
        if (shape === 'cluster-kill' && count === killAfter) {
          replacements = killPair();
          // Awaited after the booking; until then a failure must not count as unhandled.
          replacements.catch(() => undefined);
        }
      },
    });
    note(`${booking.acknowledged.length} orders acknowledged in ${Math.round(booking.elapsedMs)} ms`);
    await replacements;
    const mailDoneAt = await mail.waitForDistinct(lines, deadlineMs);
    note(`${lines} distinct messages at the SMTP server after ${Math.round(mailDoneAt - bookingStarted)} ms`);

    const checks = await check(tenant, {
      acknowledged: booking.acknowledged,
      contacts: orders.flatMap((o) => o.contacts),
      arrivals: mail.arrivals,
      deadlineMs,
    });
    note(`checked ${Math.round(performance.now() - mailDoneAt)} ms after the last message`);
    mail.update();
    return {
      shape,
      orders: options.orders,
      lines,
      bookingMs: booking.elapsedMs,
      mailMs: mailDoneAt - bookingStarted,
      ...(killedAt !== undefined ? { mailAfterKillMs: mailDoneAt - killedAt } : {}),
      activeAtKill,
      jobsOnWebOnly:
        shape === 'single'
          ? 0
          : children
              .filter((c) => c.name.startsWith('web-'))
              .flatMap((c) => logEntries(c.logs))
              .filter((e) => e.msg === 'job done').length,
      replayed: booking.replayed,
      resent: booking.resent,
      ...checks,
      duplicateDeliveries: [...mail.arrivals.values()].reduce((sum, n) => sum + n - 1, 0),
      unidentifiedMessages: mail.unidentified,
    };
  } finally {
    await Promise.all(children.map((c) => stop(c.child)));
    if (options.logDir) {
      mkdirSync(options.logDir, { recursive: true });
      for (const c of children)
        writeFileSync(path.join(options.logDir, `${shape}-${c.name}.log`), c.logs.join('\n'));
    }
    await tenant.close();
    await sink.close();
  }
}

type Checks = Omit<
  ScenarioResult,
  | 'shape'
  | 'orders'
  | 'lines'
  | 'bookingMs'
  | 'mailMs'
  | 'mailAfterKillMs'
  | 'activeAtKill'
  | 'jobsOnWebOnly'
  | 'replayed'
  | 'resent'
  | 'duplicateDeliveries'
  | 'unidentifiedMessages'
>;

async function until(check: () => Promise<boolean>, deadline: number): Promise<void> {
  while (!(await check()) && Date.now() < deadline) await sleep(200);
}

async function check(
  tenant: Tenant,
  run: {
    acknowledged: string[];
    contacts: string[];
    arrivals: ReadonlyMap<string, number>;
    deadlineMs: number;
  },
): Promise<Checks> {
  const { db } = tenant;
  const deadline = Date.now() + run.deadlineMs;
  const stored = await db
    .selectFrom('orders')
    .select(['reference', (eb) => eb.fn.countAll<number>().as('n')])
    .where('partner_org_id', '=', tenant.orgId)
    .groupBy('reference')
    .execute();
  const storedCount = new Map(stored.map((s) => [s.reference, Number(s.n)]));
  const acknowledged = new Set(run.acknowledged);

  // The last message can reach the server a moment before the relay records it as sent.
  const outbox = async () => db.selectFrom('outbox_emails').select(['id', 'to_address', 'status']).execute();
  await until(async () => (await outbox()).every((e) => e.status !== 'pending'), deadline);
  const emails = await outbox();
  const queuedTo = new Map<string, number>();
  for (const e of emails) queuedTo.set(e.to_address, (queuedTo.get(e.to_address) ?? 0) + 1);

  // Jobs created before now must all end (a killed worker's within its expiry and a retry); the
  // schedules keep creating new ones, which are not this run's business.
  const { rows: now } = await sql<{ at: Date }>`select now() as at`.execute(db);
  const checkpoint = now[0]?.at ?? new Date();
  const open = async () =>
    (
      await sql<{ job: string }>`
        select name || ' ' || state as job from pgboss.job
        where state in ('created', 'retry', 'active') and created_on <= ${checkpoint}
        order by 1`.execute(db)
    ).rows.map((r) => r.job);
  await until(async () => (await open()).length === 0, deadline);
  const { rows: failed } = await sql<{ job: string; folded: boolean }>`
    select name || ' ' || id as job, policy = 'stately' and retry_count < retry_limit as folded
    from pgboss.job where state = 'failed'
    union all
    select name || ' ' || id, policy = 'stately' and retry_count < retry_limit
    from pgboss.archive where state = 'failed'
    order by 1`.execute(db);

  return {
    missing: run.acknowledged.filter((r) => !storedCount.has(r)),
    duplicated: [...storedCount].filter(([, n]) => n > 1).map(([r]) => r),
    unacknowledged: [...storedCount.keys()].filter((r) => !acknowledged.has(r)),
    notQueuedOnce: run.contacts.filter((c) => queuedTo.get(c) !== 1),
    notDelivered: emails.filter((e) => !run.arrivals.has(e.id)).map((e) => `${e.id} ${e.to_address}`),
    outboxPending: emails.filter((e) => e.status === 'pending').length,
    outboxFailed: emails.filter((e) => e.status === 'failed').length,
    openJobs: await open(),
    failedJobs: failed.filter((r) => !r.folded).map((r) => r.job),
    foldedJobs: failed.filter((r) => r.folded).map((r) => r.job),
  };
}

/**
 * What went wrong, one line each; empty when the run proves its point. Duplicate deliveries are not
 * among them: delivery is at least once, and a message the killed relay had sent but not recorded
 * goes again with the same Message-ID, which receiving servers use to drop the copy.
 */
export function problems(result: ScenarioResult): string[] {
  const out: string[] = [];
  const list = (what: string, items: string[]) => {
    if (items.length) out.push(`${what}: ${items.length} (${items.slice(0, 5).join('; ')})`);
  };
  list('acknowledged orders not stored', result.missing);
  list('orders stored more than once', result.duplicated);
  list('orders stored but never acknowledged', result.unacknowledged);
  list('lines whose email was not queued exactly once', result.notQueuedOnce);
  list('queued emails never delivered', result.notDelivered);
  list('jobs not done by the deadline', result.openJobs);
  list('jobs failed', result.failedJobs);
  if (result.jobsOnWebOnly) out.push(`jobs run by web-only processes: ${result.jobsOnWebOnly}`);
  if (result.outboxPending) out.push(`outbox still pending: ${result.outboxPending}`);
  if (result.outboxFailed) out.push(`outbox failed: ${result.outboxFailed}`);
  if (result.unidentifiedMessages) out.push(`messages without a Message-ID: ${result.unidentifiedMessages}`);
  return out;
}
