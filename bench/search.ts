/**
 * Search and lists at scale: a tenant with BENCH_TENANT_ORDERS (2,000,000) orders among
 * 5/2 × that many in all (5,000,000), generated with plain SQL, then each list and search of the
 * workspace timed one request at a time through the app (API key or signed-in session, routing,
 * validation, the service, JSON or HTML; in process, so no socket) beside the same statements the
 * service ran, replayed as bare SQL on a plain `pg` connection, in the same run.
 *
 *   npm run bench:search
 *
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) names
 * the server; a fresh database provisio_bench_<hex> is created on it and dropped at the end (unless
 * BENCH_KEEP=1; BENCH_REUSE=<its url> then measures on it again without generating).
 * BENCH_TENANT_ORDERS (2000000), BENCH_OTHER_PARTNERS (3000), BENCH_REQUESTS (300 per
 * query).
 *
 * Speed is measured, not asserted: the run exits 0 whatever the figures (target: p99 < 50 ms).
 */
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import type { Database } from '../src/db-types.ts';
import * as apiKeys from '../src/modules/identity/api-keys.ts';
import * as identity from '../src/modules/identity/service.ts';
import { listOrders } from '../src/modules/orders/search.ts';
import { listPendingSubscriptions } from '../src/modules/provisioning/subscriptions.ts';
import { listTransactions } from '../src/modules/provisioning/transactions.ts';
import { isoDate, systemClock } from '../src/platform/clock.ts';
import type { Ctx } from '../src/platform/context.ts';
import { connectPostgres } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { createRuntime } from '../src/runtime.ts';
import { generateSearchData } from './search-data.ts';
import { type BenchDatabase, createBenchDatabase, envInt, round1, type Timing, timed } from './support.ts';

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');
const TARGET_P99_MS = 50;

interface Statement {
  sql: string;
  parameters: readonly unknown[];
}

/** A database handle that notes every statement run through it: what the service ran, to replay bare. */
function recordingDb(url: string): { db: Kysely<Database>; take(): Statement[]; close(): Promise<void> } {
  let noted: Statement[] = [];
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }),
    log: (event) => {
      if (event.level === 'query') noted.push({ sql: event.query.sql, parameters: event.query.parameters });
    },
  });
  return {
    db,
    take() {
      const taken = noted;
      noted = [];
      return taken;
    },
    close: () => db.destroy(),
  };
}

interface Case {
  name: string;
  /** The request a user's browser or integration sends. */
  path: string;
  /** The service call behind it, run once through the recording handle to learn its statements. */
  service(ctx: Ctx): Promise<unknown>;
}

async function existingDatabase(url: string): Promise<BenchDatabase> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ v: string }>(`select current_setting('server_version') as v`);
    return { url, version: rows[0]?.v.split(' ')[0] ?? '?', drop: async () => undefined };
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const tenantOrders = envInt('BENCH_TENANT_ORDERS', 2_000_000);
  const others = envInt('BENCH_OTHER_PARTNERS', 3000);
  const requests = envInt('BENCH_REQUESTS', 300);
  const total = Math.ceil((tenantOrders * 5) / 2);
  // BENCH_REUSE=<database url> measures again on a database an earlier BENCH_KEEP=1 run generated.
  const reuse = process.env.BENCH_REUSE;
  const database = reuse ? await existingDatabase(reuse) : await createBenchDatabase('search');
  if (!database) return 1;
  const handle = connectPostgres(database.url, 4);
  const loader = connectPostgres(database.url, 1);
  const recorder = recordingDb(database.url);
  const bare = new pg.Client({ connectionString: database.url });
  try {
    const config = loadConfig({ CATALOG_FILE, PUBLIC_URL: 'http://127.0.0.1' });
    const rt = await createRuntime({
      config,
      log: createLogger('silent'),
      clock: systemClock,
      database: handle,
    });
    const system = rt.systemContext('bench');
    const email = 'admin@big-distributor.example';
    const password = 'correct horse battery';
    let genSeconds = 0;
    let partner: { id: string };
    if (reuse) {
      const { rows } = await sql<{
        id: string;
      }>`select id from organizations where name = 'Big Distributor'`.execute(handle.db);
      if (!rows[0]) throw new Error('BENCH_REUSE names a database without the benchmark tenant');
      partner = rows[0];
    } else {
      partner = await identity.createOrganization(system, { kind: 'partner', name: 'Big Distributor' });
      await identity.createUser(system, {
        organizationId: partner.id,
        email,
        role: 'partner_admin',
        password,
        locale: 'en',
      });
    }
    const key = await apiKeys.createApiKey(system, partner.id, 'bench');
    if (!reuse) {
      const genStart = performance.now();
      await generateSearchData(loader.db, { tenantOrgId: partner.id, apiKeyId: key.id, total, others });
      genSeconds = (performance.now() - genStart) / 1000;
    }
    const { rows: counts } = await sql<{ tenant: number; all: number; lines: number; transactions: number }>`
      select (select count(*) from orders where partner_org_id = ${partner.id}) as tenant,
             (select count(*) from orders) as all,
             (select count(*) from order_lines) as lines,
             (select count(*) from provisioning_transactions) as transactions`.execute(handle.db);

    // Samples from the middle of the tenant's history (order g = total / 2, rounded to a tenant order with a transaction on the next).
    const g = Math.floor(total / 2 / 10) * 10;
    const { rows: deep } = await sql<{ created: string; id: string }>`
      select to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as created, id::text
      from orders where id = md5(${`order${g}`})::uuid`.execute(handle.db);
    const { rows: deepTx } = await sql<{ created: Date; id: string }>`
      select created_at as created, id::text from provisioning_transactions
      where order_id = md5(${`order${g + 1}`})::uuid`.execute(handle.db);
    const { rows: deepSub } = await sql<{ created: Date; id: string }>`
      select created_at as created, id from subscriptions where order_partner_org_id = ${partner.id}::uuid
        and mapped_at is null order by created_at desc, id desc
      offset least(2000, (select count(*) / 2 from subscriptions
                          where order_partner_org_id = ${partner.id}::uuid and mapped_at is null))
      limit 1`.execute(handle.db);
    const cursorOf = (value: unknown[]) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const orderCursor = cursorOf([deep[0]?.created, deep[0]?.id]);
    const txCursor = cursorOf([deepTx[0]?.created.toISOString(), deepTx[0]?.id]);
    const subCursor = cursorOf([deepSub[0]?.created.toISOString(), deepSub[0]?.id]);
    const monthAgo = isoDate(new Date(Date.now() - 30 * 86_400_000));
    const fortnightAhead = isoDate(new Date(Date.now() + 14 * 86_400_000));
    const yearAgo = isoDate(new Date(Date.now() - 365 * 86_400_000));
    const yearAgoPlus = isoDate(new Date(Date.now() - 351 * 86_400_000));
    const sampleSub = `SUB-${10_000_000 + g * 3 + 1}`;
    // A contact as far as the first letters of the customer's domain: about 1 line in 80,000 (given ×
    // family × first word), taken from one of the tenant's newest orders, still pending.
    const { rows: contacts } = await sql<{ email: string }>`
      select provisioning_contact_email as email from order_lines
      where order_id = md5(${`order${total - 10}`})::uuid and line_number = 1`.execute(handle.db);
    const contactEmail = contacts[0]?.email ?? '';
    const rareContact = contactEmail.slice(0, contactEmail.indexOf('@') + 5);
    // The newest orders' subscriptions are still pending (order total - 10 is the tenant's).
    const pendingSub = `SUB-${10_000_000 + (total - 10) * 3 + 1}`;

    const orderCase = (name: string, query: Record<string, string>): Case => ({
      name,
      path: `/api/v1/orders?${new URLSearchParams(query)}`,
      service: (ctx) => listOrders(ctx, { limit: 25, ...query }),
    });
    const cases: Case[] = [
      orderCase('orders: first page', {}),
      orderCase('orders: a later page (1,000,000 in)', { cursor: orderCursor }),
      orderCase('orders: status and start-date window', {
        status: 'awaiting_provisioning_details',
        startFrom: monthAgo,
        startTo: fortnightAhead,
      }),
      orderCase('orders: status and a window a year ago', {
        status: 'closed',
        startFrom: yearAgo,
        startTo: yearAgoPlus,
      }),
      orderCase('orders: exact reference', { q: `PO-${g}` }),
      orderCase('orders: order number', { q: `PRV-${1_000_000 + g}` }),
      orderCase('orders: subscription id', { q: sampleSub }),
      orderCase('orders: part of a customer name (common)', { q: 'quasar' }),
      orderCase('orders: part of a customer name (rare)', { q: 'harbor pharma 42' }),
      orderCase('orders: part of a contact email (common)', { q: 'ivanova' }),
      orderCase('orders: part of a contact email (rare)', { q: rareContact }),
      orderCase('orders: start of a reference', { q: `PO-${g / 10}` }),
      orderCase('orders: matches nothing', { q: 'no-such-order-anywhere' }),
      {
        name: 'transactions: first page',
        path: '/api/v1/transactions',
        service: (ctx) => listTransactions(ctx, { limit: 25 }),
      },
      {
        name: 'transactions: a later page',
        path: `/api/v1/transactions?cursor=${txCursor}`,
        service: (ctx) => listTransactions(ctx, { limit: 25, cursor: txCursor }),
      },
      {
        name: 'transactions: failed only',
        path: '/api/v1/transactions?status=failed',
        service: (ctx) => listTransactions(ctx, { limit: 25, status: 'failed' }),
      },
      {
        name: 'transactions: one subscription',
        path: `/api/v1/transactions?subscriptionId=SUB-${10_000_000 + (g + 1) * 3 + 1}`,
        service: (ctx) =>
          listTransactions(ctx, { limit: 25, subscriptionId: `SUB-${10_000_000 + (g + 1) * 3 + 1}` }),
      },
      {
        name: 'subscriptions page: first page',
        path: '/subscriptions',
        service: (ctx) => listPendingSubscriptions(ctx, { limit: 25 }),
      },
      {
        name: 'subscriptions page: a later page',
        path: `/subscriptions?cursor=${subCursor}`,
        service: (ctx) => listPendingSubscriptions(ctx, { limit: 25, cursor: subCursor }),
      },
      {
        name: 'subscriptions page: part of a contact email (common)',
        path: '/subscriptions?q=ivanova',
        service: (ctx) => listPendingSubscriptions(ctx, { limit: 25, q: 'ivanova' }),
      },
      {
        name: 'subscriptions page: part of a contact email (rare)',
        path: `/subscriptions?q=${encodeURIComponent(rareContact)}`,
        service: (ctx) => listPendingSubscriptions(ctx, { limit: 25, q: rareContact }),
      },
      {
        name: 'subscriptions page: subscription id',
        path: `/subscriptions?q=${pendingSub}`,
        service: (ctx) => listPendingSubscriptions(ctx, { limit: 25, q: pendingSub }),
      },
    ];

    const app = createApp(rt);
    const login = await app.request('/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://127.0.0.1' },
      body: new URLSearchParams({ email, password }).toString(),
    });
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('provisio_session='))
      ?.split(';')[0];
    if (!cookie) throw new Error(`sign-in answered ${login.status}`);
    const request = async (url: string) => {
      const headers: Record<string, string> = url.startsWith('/api/')
        ? { Authorization: `Bearer ${key.key}` }
        : { Cookie: cookie };
      const res = await app.request(url, { headers });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${body.slice(0, 300)}`);
      return body;
    };
    await bare.connect();
    const ctx: Ctx = {
      ...system,
      db: recorder.db,
      actor: { type: 'api_key', apiKeyId: key.id, orgId: partner.id, orgKind: 'partner' },
    };

    const results: { name: string; rows: number; app: Timing; bare: Timing; statements: number }[] = [];
    for (const c of cases) {
      const answer = (await c.service(ctx)) as { items: unknown[] };
      const statements = recorder.take();
      const app = await timed(requests, () => request(c.path), 20);
      const bareTiming = await timed(
        requests,
        async () => {
          for (const s of statements) await bare.query(s.sql, [...s.parameters]);
        },
        20,
      );
      results.push({
        name: c.name,
        rows: answer.items.length,
        app,
        bare: bareTiming,
        statements: statements.length,
      });
    }
    await rt.close();

    const row = counts[0];
    console.log(
      `search: ${row?.tenant} orders in the tenant, ${row?.all} in all, ${row?.lines} lines, ${row?.transactions} transactions; PostgreSQL ${database.version}; generated in ${round1(genSeconds)} s`,
    );
    console.log(
      `one request at a time, ${requests} each (ms)         rows stmts   app p50  app p99  bare p50 bare p99`,
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(46)} ${String(r.rows).padStart(4)} ${String(r.statements).padStart(5)} ${r.app.p50.toFixed(2).padStart(9)} ${r.app.p99.toFixed(2).padStart(8)} ${r.bare.p50.toFixed(2).padStart(9)} ${r.bare.p99.toFixed(2).padStart(8)}`,
      );
    }
    const worst = Math.max(...results.map((r) => r.app.p99));
    console.log(`target: p99 < ${TARGET_P99_MS} ms for every query; worst p99 ${worst} ms`);
    console.log(JSON.stringify({ tenantOrders, total, postgres: database.version, genSeconds, results }));
    return 0;
  } finally {
    await bare.end().catch(() => undefined);
    await recorder.close().catch(() => undefined);
    await loader.close().catch(() => undefined);
    await handle.close().catch(() => undefined);
    if (process.env.BENCH_KEEP === '1' || reuse) console.log(`search: kept ${database.url}`);
    else await database.drop();
  }
}

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    console.error(
      `search: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
