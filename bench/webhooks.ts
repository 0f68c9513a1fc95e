/**
 * Webhook delivery throughput and latency (docs/adr/0031).
 *
 *   npm run bench:webhooks [-- <events>]
 *
 * N `line.escalated` events (one per subscription, N subscriptions booked with plain SQL) are recorded
 * through `recordEvents`, which queues one delivery each for an endpoint on a local receiver (its own
 * process: it answers 204 at once and notes each webhook-id's first arrival). Then, in the same run:
 *
 * - baseline: a plain keep-alive loop POSTs the same bodies, signed the same way, at the same
 *   concurrency (WEBHOOK_CONCURRENCY_PER_ENDPOINT) to the same receiver;
 * - Provisio: the relay the worker runs (`relayDueWebhooks`) delivers them: claim, sign, send, record
 *   every attempt. Lost = N − distinct webhook-ids received; duplicates = received − distinct.
 * - latency: with the workers running (the relay woken by each event, as in production), one event
 *   per transaction at BENCH_RATE per second for BENCH_LATENCY_SECONDS, after a 3 s warm-up; from each
 *   commit to its first arrival at the receiver.
 *
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test), a
 * fresh database provisio_bench_<hex> is created and dropped; BENCH_EVENTS (50000, or the first
 * argument), BENCH_CONCURRENCY (10), BENCH_POOL (10), BENCH_RATE (100), BENCH_LATENCY_SECONDS (20).
 * Speed is measured, not asserted; the run fails only when something is lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { event, type NewEvent, recordEvents } from '../src/modules/events/record.ts';
import * as apiKeys from '../src/modules/identity/api-keys.ts';
import * as identity from '../src/modules/identity/service.ts';
import { deliveryBody, USER_AGENT } from '../src/modules/webhooks/message.ts';
import { relayDueWebhooks } from '../src/modules/webhooks/relay.ts';
import { createWebhookEndpoint } from '../src/modules/webhooks/service.ts';
import { systemClock } from '../src/platform/clock.ts';
import { type Ctx, inTransaction } from '../src/platform/context.ts';
import { connectPostgres } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { signWebhook } from '../src/platform/standard-webhooks.ts';
import { createRuntime } from '../src/runtime.ts';
import { createBenchDatabase, envInt, round1 } from './support.ts';

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');
const TARGET_RATIO = 0.7;
const TARGET_P99_MS = 500;
const RECORD_BATCH = 1000;
const now = () => performance.timeOrigin + performance.now();

interface Sink {
  url: string;
  stats(): Promise<{ received: number; distinct: number; firstSeen: Record<string, number> }>;
  reset(): Promise<void>;
  close(): void;
}

async function startSink(): Promise<Sink> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'webhook-sink.ts')],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  return {
    url: `${base}/hooks`,
    stats: async () => (await fetch(`${base}/stats`)).json() as never,
    reset: async () => void (await fetch(`${base}/reset`, { method: 'POST' })),
    close: () => child.kill('SIGTERM'),
  };
}

/**
 * N one-line orders with their subscriptions, for a partner, with plain SQL; starting in a year, so that
 * no timer (the start-date dispatch, escalations) works on them while the workers run.
 */
async function bookSubscriptions(ctx: Ctx, orgId: string, count: number) {
  const key = await apiKeys.createApiKey(ctx, orgId, 'bench');
  await sql`
    with o as (
      insert into orders (reference, partner_org_id, placed_by_org_id, placed_by_api_key_id, end_customer_name, created_at)
      select 'W-' || g, ${orgId}::uuid, ${orgId}::uuid, ${key.id}::uuid, 'Customer ' || g, now()
      from generate_series(1, ${count}) g
      returning id),
    l as (
      insert into order_lines (order_id, line_number, offer_code, quantity, requested_start_date,
        provisioning_contact_email, status, status_changed_at, created_at, partner_org_id, placed_by_org_id, order_created_at)
      select o.id, 1, 'A-WX', 10, current_date + 365, 'c@bench.example', 'scheduled', now(), now(),
             ${orgId}::uuid, ${orgId}::uuid, now()
      from o
      returning id)
    insert into subscriptions (line_id, created_at, order_partner_org_id, order_placed_by_org_id)
    select id, now(), ${orgId}::uuid, ${orgId}::uuid from l`.execute(ctx.db);
  return ctx.db
    .selectFrom('subscriptions')
    .innerJoin('order_lines', 'order_lines.id', 'subscriptions.line_id')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .select([
      'subscriptions.id as subscriptionId',
      'order_lines.id as lineId',
      'orders.id as orderId',
      'orders.order_number as orderNumber',
    ])
    .where('orders.partner_org_id', '=', orgId)
    .execute();
}

type Booked = Awaited<ReturnType<typeof bookSubscriptions>>[number];

function escalated(orgId: string, s: Booked): NewEvent {
  return event(
    'line.escalated',
    {
      orderId: s.orderId,
      orderNumber: s.orderNumber,
      lineId: s.lineId,
      lineNumber: 1,
      subscriptionId: s.subscriptionId,
      requestedStartDate: '2026-12-01',
    },
    { partnerOrgId: orgId, placedByOrgId: orgId },
    { subscriptionId: s.subscriptionId, orderId: s.orderId },
  );
}

/** The baseline: `concurrency` loops, each POSTing the next body and waiting for its answer. */
async function plainLoop(
  url: string,
  secret: string,
  bodies: { id: string; body: string }[],
  concurrency: number,
) {
  const agent = new http.Agent({ keepAlive: true, noDelay: true });
  const target = new URL(url);
  let next = 0;
  const post = ({ id, body }: { id: string; body: string }) =>
    new Promise<void>((resolve, reject) => {
      const headers = signWebhook([secret], id, new Date(), body);
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'user-agent': USER_AGENT,
            'content-length': String(Buffer.byteLength(body)),
            ...headers,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve());
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const item = bodies[i];
        if (item) await post(item);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return bodies.length / seconds;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<number> {
  const count = Number(process.argv[2] ?? 0) || envInt('BENCH_EVENTS', 50_000);
  const concurrency = envInt('BENCH_CONCURRENCY', 10);
  const poolSize = envInt('BENCH_POOL', 10);
  const rate = envInt('BENCH_RATE', 100);
  const latencySeconds = envInt('BENCH_LATENCY_SECONDS', 20);
  const database = await createBenchDatabase('webhooks');
  if (!database) return 1;
  const sink = await startSink();
  const handle = connectPostgres(database.url, poolSize);
  let closeRuntime: () => Promise<void> = async () => undefined;
  try {
    const config = loadConfig({
      CATALOG_FILE,
      DATABASE_URL: database.url,
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      WEBHOOK_CONCURRENCY_PER_ENDPOINT: String(concurrency),
    });
    const rt = await createRuntime({
      config,
      log: createLogger('warn'),
      clock: systemClock,
      database: handle,
    });
    closeRuntime = () => rt.close();
    const ctx = rt.systemContext('bench');
    const org = await identity.createOrganization(ctx, {
      kind: 'partner',
      name: 'Bench Partner',
      country: 'IT',
    });
    const { secret } = await createWebhookEndpoint(ctx, { url: sink.url });

    const phase = (name: string) =>
      process.env.BENCH_VERBOSE && console.error(`${new Date().toISOString()} ${name}`);
    phase('booking');
    const booked = await bookSubscriptions(ctx, org.id, count + rate * (latencySeconds + 5));
    const throughputSet = booked.slice(0, count);
    const latencySet = booked.slice(count);
    phase('recording');
    for (let i = 0; i < throughputSet.length; i += RECORD_BATCH) {
      const chunk = throughputSet.slice(i, i + RECORD_BATCH);
      await inTransaction(ctx, (tx) =>
        recordEvents(
          tx,
          chunk.map((s) => escalated(org.id, s)),
        ),
      );
    }
    const events = await ctx.db
      .selectFrom('events')
      .select(['id', 'type', 'occurred_at', sql<string>`data::text`.as('data')])
      .execute();
    const bodies = events.map((e) => ({ id: e.id, body: deliveryBody(e.type, e.occurred_at, e.data) }));

    phase('baseline');
    // Baseline: the same signed bodies, the same receiver, the same concurrency, no database.
    const b0 = process.cpuUsage();
    const bt = performance.now();
    const baselineRate = await plainLoop(sink.url, secret, bodies, concurrency);
    const bc = process.cpuUsage(b0);
    const baselineCpu = (bc.user + bc.system) / 1000 / count;
    phase(`baseline took ${Math.round(performance.now() - bt)} ms`);
    await sink.reset();

    phase('relay');
    // Provisio: the relay as the worker runs it.
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const outcome = await relayDueWebhooks(ctx);
    const cpu = process.cpuUsage(cpu0);
    const relayCpu = (cpu.user + cpu.system) / 1000 / count;
    const relaySeconds = (performance.now() - started) / 1000;
    const stats = await sink.stats();
    const relayRate = stats.distinct / relaySeconds;
    const lost = count - stats.distinct;
    const duplicated = stats.received - stats.distinct;
    await sink.reset();

    phase('latency');
    // Latency: the workers run, each event wakes the relay; one event per transaction at `rate` per second.
    await rt.jobs.startWorkers();
    // Commit times by subscription (one event each); their event ids are looked up once at the end.
    const committedBySubscription = new Map<string, number>();
    const warmup = rate * 3;
    const paced = async (list: Booked[], keep: boolean) => {
      const t0 = performance.now();
      await Promise.all(
        list.map(async (s, i) => {
          const wait = t0 + (i * 1000) / rate - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          await inTransaction(ctx, (tx) => recordEvents(tx, [escalated(org.id, s)]));
          if (keep) committedBySubscription.set(s.subscriptionId, now());
        }),
      );
    };
    await paced(latencySet.slice(0, warmup), false);
    await paced(latencySet.slice(warmup, warmup + rate * latencySeconds), true);
    const measured = await ctx.db
      .selectFrom('events')
      .select(['id', 'subscription_id'])
      .where('subscription_id', 'in', [...committedBySubscription.keys()])
      .execute();
    const committed = new Map(
      measured.map((e) => [e.id, committedBySubscription.get(e.subscription_id ?? '') ?? Number.NaN]),
    );
    const deadline = Date.now() + 60_000;
    let seen = await sink.stats();
    while ([...committed.keys()].some((id) => !(id in seen.firstSeen)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      seen = await sink.stats();
    }
    const latencies = [...committed].map(([id, at]) => (seen.firstSeen[id] ?? Number.POSITIVE_INFINITY) - at);
    latencies.sort((a, b) => a - b);
    const latencyLost = latencies.filter((l) => !Number.isFinite(l)).length;
    const p50 = round1(percentile(latencies, 50));
    const p99 = round1(percentile(latencies, 99));

    const ratio = relayRate / baselineRate;
    console.log(
      `webhooks: ${count} events to one endpoint, concurrency ${concurrency}, PostgreSQL ${database.version}`,
    );
    const ms = (n: number) => `${n.toFixed(2)} ms of this process's CPU each`;
    console.log(
      `baseline (plain keep-alive loop, same signed bodies): ${round1(baselineRate)} deliveries/s, ${ms(baselineCpu)}`,
    );
    console.log(
      `Provisio (relay: claim, sign, send, record):        ${round1(relayRate)} deliveries/s, ${ms(relayCpu)}`,
    );
    console.log(
      `ratio: ${ratio.toFixed(2)}  (target ≥ ${TARGET_RATIO.toFixed(2)}); lost ${lost}, duplicated ${duplicated} (same webhook-id); relay outcome ${JSON.stringify(outcome)}`,
    );
    console.log(
      `commit to delivery at ${rate} events/s (${committed.size} events): p50 ${p50} ms, p99 ${p99} ms (target p99 < ${TARGET_P99_MS} ms); lost ${latencyLost}`,
    );
    console.log(
      JSON.stringify({
        events: count,
        concurrency,
        postgres: database.version,
        baselinePerSec: round1(baselineRate),
        provisioPerSec: round1(relayRate),
        ratio: Math.round(ratio * 1000) / 1000,
        lost,
        duplicated,
        latencyP50Ms: p50,
        latencyP99Ms: p99,
        latencyLost,
      }),
    );
    return lost === 0 && latencyLost === 0 ? 0 : 1;
  } finally {
    await closeRuntime().catch(() => undefined);
    await handle.close().catch(() => undefined);
    sink.close();
    await database.drop();
  }
}

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    console.error(
      `webhooks: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
