/**
 * Order intake throughput: orders of 3 lines posted through the HTTP API, against a baseline that
 * writes the same logical rows (order, lines, line services, subscriptions) with plain SQL in one
 * transaction per order, over the same connection pool and at the same concurrency.
 *
 *   npm run bench:intake
 *
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) names
 * the server; a fresh database provisio_bench_<hex> is created on it and dropped at the end.
 * BENCH_ORDERS (2000), BENCH_CONCURRENCY (16), BENCH_POOL (10), BENCH_ROUNDS (3), BENCH_WARMUP (1000: orders of
 * each side before the rounds; with 100, V8 was still optimising the API's code through its first round).
 * BENCH_CPU_PROFILE=<dir> also writes a V8 CPU profile of each measured phase (api-r1.cpuprofile,
 * baseline-r1.cpuprofile, ...) into <dir>, so the two sides can be compared function by function.
 *
 * Speed is measured, not asserted: the run exits 0 whatever the ratio.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { sql } from 'kysely';
import { loadConfig } from '../src/config.ts';
import { readCatalogFile } from '../src/modules/catalog/service.ts';
import * as apiKeys from '../src/modules/identity/api-keys.ts';
import * as identity from '../src/modules/identity/service.ts';
import { addDays, isoDate, systemClock } from '../src/platform/clock.ts';
import { connectPostgres, type Db } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { type RunningWeb, serveWeb } from '../src/server.ts';
import { createBenchDatabase, envInt, round1 } from './support.ts';

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');
const OFFERS = ['A-WX', 'A-SPK', 'A-FLEX'] as const;
const LINES_PER_ORDER = 3;
const TARGET_RATIO = 0.7;

interface LinePayload {
  offer: string;
  quantity: number;
  requestedStartDate: string;
  provisioningContactEmail: string;
}

interface OrderPayload {
  reference: string;
  endCustomer: { name: string; country: string };
  lines: LinePayload[];
}

interface Phase {
  name: 'api' | 'baseline';
  /** Builds the batch's payloads (outside the timed part); their references start with `prefix`. */
  prepare(prefix: string, count: number): void;
  /** Places order i of the prepared batch. */
  run(i: number): Promise<void>;
  /** Lets go of what the phase holds open (sockets). */
  close?(): void;
}

let interrupted = false;

/** Runs count jobs with at most `concurrency` in flight; returns the wall time in ms. Stops at the first failure. */
async function runConcurrently(
  count: number,
  concurrency: number,
  job: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  let failed = false;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < count && !failed) {
      if (interrupted) throw new Error('interrupted');
      const i = next;
      next += 1;
      try {
        await job(i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, count) }, worker));
  const elapsed = performance.now() - started;
  const rejected = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (rejected) throw rejected.reason;
  return elapsed;
}

function orderPayload(prefix: string, i: number, today: string): OrderPayload {
  return {
    reference: `${prefix}-${String(i).padStart(6, '0')}`,
    endCustomer: { name: `Customer ${i % 97}`, country: 'IT' },
    lines: Array.from({ length: LINES_PER_ORDER }, (_, j) => ({
      offer: OFFERS[(i + j) % OFFERS.length] ?? 'A-WX',
      quantity: 1 + ((i * 7 + j * 13) % 250),
      requestedStartDate: addDays(today, 3 + ((i + j) % 5)),
      provisioningContactEmail: `it-${prefix.toLowerCase()}-${i}-${j}@customer${i % 97}.example`,
    })),
  };
}

/** Answers one request: its status and body text. */
function post(agent: Agent, url: URL, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = httpRequest(url, { method: 'POST', agent, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function apiPhase(baseUrl: string, apiKey: string, today: string, concurrency: number): Phase {
  // Client and server share this process's CPU, and the client's work is not what is being measured:
  // bodies are serialized before the clock starts, and requests go out through node:http on kept-alive
  // sockets (one per concurrent request): fetch (undici: web streams, an AbortSignal, a Request and a
  // Response per call) cost this process about 0.7 ms more CPU per order, taken from the server (ADR 0020).
  let bodies: string[] = [];
  const url = new URL('/api/v1/orders', baseUrl);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  return {
    name: 'api',
    prepare(prefix, count) {
      bodies = Array.from({ length: count }, (_, i) => JSON.stringify(orderPayload(prefix, i, today)));
    },
    async run(i) {
      const body = bodies[i] ?? '';
      const response = await post(
        agent,
        url,
        {
          Authorization: `Bearer ${apiKey}`,
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(body)),
          'Idempotency-Key': randomUUID(),
        },
        body,
      );
      if (response.status !== 201) {
        throw new Error(`POST /api/v1/orders answered ${response.status}: ${response.text.slice(0, 500)}`);
      }
    },
    close() {
      agent.destroy();
    },
  };
}

/** The rows createOrder writes, minus HTTP, auth, validation and the idempotency claim: one transaction per order. */
function baselinePhase(
  db: Db,
  tenant: { orgId: string; apiKeyId: string },
  servicesOf: Map<string, string[]>,
  today: string,
): Phase {
  let payloads: OrderPayload[] = [];
  return {
    name: 'baseline',
    prepare(prefix, count) {
      payloads = Array.from({ length: count }, (_, i) => orderPayload(prefix, i, today));
    },
    async run(i) {
      const input = payloads[i];
      if (!input) throw new Error(`no payload for order ${i}`);
      await db.transaction().execute(async (tx) => {
        const now = new Date();
        const order = await tx
          .insertInto('orders')
          .values({
            reference: input.reference,
            partner_org_id: tenant.orgId,
            placed_by_org_id: tenant.orgId,
            placed_by_api_key_id: tenant.apiKeyId,
            end_customer_name: input.endCustomer.name,
            end_customer_country: input.endCustomer.country,
            locale: 'en',
            created_at: now,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        const lines = await tx
          .insertInto('order_lines')
          .values(
            input.lines.map((line, n) => ({
              order_id: order.id,
              line_number: n + 1,
              offer_code: line.offer,
              quantity: line.quantity,
              requested_start_date: line.requestedStartDate,
              provisioning_contact_email: line.provisioningContactEmail.toLowerCase(),
              status: 'scheduled',
              status_changed_at: now,
              created_at: now,
              partner_org_id: tenant.orgId,
              placed_by_org_id: tenant.orgId,
              order_created_at: now,
            })),
          )
          .returning(['id', 'offer_code', 'quantity'])
          .execute();
        await tx
          .insertInto('order_line_services')
          .values(
            lines.flatMap((line) =>
              (servicesOf.get(line.offer_code) ?? []).map((code) => ({
                line_id: line.id,
                service_code: code,
                quantity: line.quantity,
              })),
            ),
          )
          .execute();
        await tx
          .insertInto('subscriptions')
          .values(
            lines.map((line) => ({
              line_id: line.id,
              created_at: now,
              order_partner_org_id: tenant.orgId,
              order_placed_by_org_id: tenant.orgId,
            })),
          )
          .execute();
      });
    },
  };
}

async function main(): Promise<number> {
  const orders = envInt('BENCH_ORDERS', 2000);
  const concurrency = envInt('BENCH_CONCURRENCY', 16);
  const poolSize = envInt('BENCH_POOL', 10);
  const rounds = envInt('BENCH_ROUNDS', 3);
  const warmup = envInt('BENCH_WARMUP', 1000);

  const database = await createBenchDatabase('intake');
  if (!database) return 1;
  const { version } = database;
  const handle = connectPostgres(database.url, poolSize);
  let server: RunningWeb | undefined;
  let api: Phase | undefined;
  try {
    const log = createLogger('silent');
    const config = loadConfig({
      CATALOG_FILE,
      HOST: '127.0.0.1',
      PORT: '0',
      PUBLIC_URL: 'http://127.0.0.1',
      SESSION_COOKIE_SECURE: 'false',
    });
    // The same runtime `start` builds (migrations, catalogue sync), over the benchmark's pool.
    const rt = await createRuntime({ config, log, clock: systemClock, database: handle });
    const ctx = rt.systemContext('bench');
    const catalog = readCatalogFile(CATALOG_FILE);
    const servicesOf = new Map(catalog.offers.map((o) => [o.code, [...o.services]]));

    const org = await identity.createOrganization(ctx, {
      kind: 'partner',
      name: 'Bench Partner',
      country: 'IT',
    });
    const key = await apiKeys.createApiKey(ctx, org.id, 'bench');

    server = await serveWeb(rt);
    const port = server.port;

    const today = isoDate(new Date());
    api = apiPhase(`http://127.0.0.1:${port}`, key.key, today, concurrency);
    const baseline = baselinePhase(handle.db, { orgId: org.id, apiKeyId: key.id }, servicesOf, today);

    const profileDir = process.env.BENCH_CPU_PROFILE;
    const profiler = profileDir ? new Session() : undefined;
    if (profiler && profileDir) {
      mkdirSync(profileDir, { recursive: true });
      profiler.connect();
      await profiler.post('Profiler.enable');
    }
    const measure = async (
      phase: Phase,
      prefix: string,
      count: number,
      profileName?: string,
    ): Promise<number> => {
      phase.prepare(prefix, count);
      const profiling = profiler && profileDir && profileName ? profiler : undefined;
      if (profiling) await profiling.post('Profiler.start');
      const ms = await runConcurrently(count, concurrency, (i) => phase.run(i));
      if (profiling && profileDir) {
        const { profile } = await profiling.post('Profiler.stop');
        writeFileSync(path.join(profileDir, `${profileName}.cpuprofile`), JSON.stringify(profile));
      }
      return (count * 1000) / ms;
    };

    // Warm-up (not counted): JIT, the pool's connections, the HTTP keep-alive sockets, the catalogue pages.
    await measure(api, 'WARM-API', warmup);
    await measure(baseline, 'WARM-SQL', warmup);

    // Rounds alternate which phase goes first (API then baseline, baseline then API, ...) and the best
    // of each is kept, so neither side gains from running on warmer caches or loses to the tables and
    // indexes the other has already grown, nor to an autovacuum or checkpoint landing in one phase.
    const apiRates: number[] = [];
    const baselineRates: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const sequence = round % 2 === 1 ? [api, baseline] : [baseline, api];
      for (const phase of sequence) {
        const prefix = `${phase.name === 'api' ? 'API' : 'SQL'}-R${round}`;
        const rate = await measure(phase, prefix, orders, `${phase.name}-r${round}`);
        (phase.name === 'api' ? apiRates : baselineRates).push(rate);
      }
    }

    // Both sides must have written the same shape of rows.
    const counts = await sql<{ side: string; orders: number; lines: number; services: number; subs: number }>`
      select left(o.reference, 3) as side, count(distinct o.id)::int as orders, count(distinct l.id)::int as lines,
             count(s.line_id)::int as services, count(distinct sub.id)::int as subs
      from orders o
      join order_lines l on l.order_id = o.id
      join order_line_services s on s.line_id = l.id
      join subscriptions sub on sub.line_id = l.id
      where o.reference not like 'WARM-%'
      group by 1 order by 1`.execute(handle.db);
    const [apiRows, sqlRows] = counts.rows;
    if (
      !apiRows ||
      !sqlRows ||
      apiRows.orders !== orders * rounds ||
      apiRows.orders !== sqlRows.orders ||
      apiRows.lines !== sqlRows.lines ||
      apiRows.services !== sqlRows.services ||
      apiRows.subs !== sqlRows.subs
    ) {
      throw new Error(`API and baseline wrote different rows: ${JSON.stringify(counts.rows)}`);
    }

    const best = (rates: number[]): number => Math.max(...rates);
    const apiRate = best(apiRates);
    const baselineRate = best(baselineRates);
    const ratio = apiRate / baselineRate;
    console.log(
      `intake: ${orders} orders × ${LINES_PER_ORDER} lines, concurrency ${concurrency}, pool ${poolSize}, PostgreSQL ${version}, best of ${rounds} round(s)`,
    );
    console.log(`baseline (plain SQL, 1 tx/order):  ${round1(baselineRate)} orders/s`);
    console.log(`API (HTTP createOrder):             ${round1(apiRate)} orders/s`);
    console.log(`ratio API/baseline: ${ratio.toFixed(2)}  (target ≥ ${TARGET_RATIO.toFixed(2)})`);
    console.log(
      JSON.stringify({
        orders,
        linesPerOrder: LINES_PER_ORDER,
        concurrency,
        pool: poolSize,
        rounds,
        postgres: version,
        baselineOrdersPerSec: round1(baselineRate),
        apiOrdersPerSec: round1(apiRate),
        ratio: Math.round(ratio * 1000) / 1000,
        target: TARGET_RATIO,
        baselineRounds: baselineRates.map(round1),
        apiRounds: apiRates.map(round1),
      }),
    );
    return 0;
  } finally {
    try {
      api?.close?.();
      await server?.close();
      await handle.close();
    } finally {
      await database.drop();
    }
  }
}

process.on('SIGINT', () => {
  if (interrupted) process.exit(130);
  interrupted = true;
  console.error('intake: interrupted, cleaning up (Ctrl-C again to quit at once)');
});

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    if (interrupted) {
      console.error('intake: interrupted');
      process.exitCode = 130;
      return;
    }
    console.error(
      `intake: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
