/**
 * What one PostgreSQL runs out of first (docs/adr/0042): order intake through the HTTP API at 1, 4 and 16
 * requests at once beside a plain-SQL baseline writing the same order rows in the same run, the API over
 * smaller pools, the connections one process holds and each backend's private memory, the write-ahead log
 * per order booked and per line dispatched, the job-queue rows per order, and the rows and bytes per order
 * (booked, then each line's first provisioning email) projected to 10,000,000 lines.
 *
 *   npm run bench:db-limits
 *
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else the local server); a fresh database
 * provisio_bench_<hex> is created on it and dropped at the end. BENCH_ORDERS (300 per step), BENCH_POOL
 * (10), BENCH_DUE_ORDERS (200: orders due today, dispatched and relayed to a local SMTP sink). WAL per
 * order is read with pg_waldump when the server's pg_wal is readable here (see wal.ts), else only the
 * server-wide LSN difference is printed. Measured, not asserted: the run exits 0 whatever the figures.
 */
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { readCatalogFile } from '../src/modules/catalog/service.ts';
import * as apiKeys from '../src/modules/identity/api-keys.ts';
import * as identity from '../src/modules/identity/service.ts';
import { dispatchDueLines } from '../src/modules/provisioning/dispatch.ts';
import { addDays, isoDate, systemClock } from '../src/platform/clock.ts';
import { connectPostgres, type Db } from '../src/platform/db.ts';
import { createLogger } from '../src/platform/logger.ts';
import { relayDueEmails } from '../src/platform/mail/outbox.ts';
import { createRuntime } from '../src/runtime.ts';
import { serveWeb } from '../src/server.ts';
import { startSmtpSink } from '../test/support/smtp-sink.ts';
import { type App, bookApi, bookBaseline, LINES } from './db-limits-booking.ts';
import { createBenchDatabase, envInt, round1 } from './support.ts';
import { type WalAmount, walReader } from './wal.ts';

const CATALOG_FILE = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');
const PROJECTED_LINES = 10_000_000;
/** The tables an order's life writes to, and pg-boss's. */
const TABLES = [
  'orders',
  'order_lines',
  'order_line_services',
  'subscriptions',
  'idempotency_keys',
  'events',
  'audit_events',
  'provisioning_links',
  'outbox_emails',
  'provisioning_email_lines',
  'pgboss.job',
  'pgboss.archive',
] as const;
type Counts = Record<(typeof TABLES)[number], number>;

async function countRows(db: Db): Promise<Counts> {
  const counts = {} as Counts;
  for (const table of TABLES) {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.raw(table)}`.execute(db);
    counts[table] = rows[0]?.n ?? 0;
  }
  return counts;
}

const diff = (after: Counts, before: Counts, per: number) =>
  Object.fromEntries(
    TABLES.map((t) => [t, Math.round(((after[t] - before[t]) / per) * 100) / 100]).filter(([, n]) => n !== 0),
  ) as Record<string, number>;

/** Bytes of WAL per unit: this database's (pg_waldump) when known, else the server's. */
function walPer(amount: WalAmount, units: number) {
  const own = amount.ownBytes === undefined ? undefined : Math.round(amount.ownBytes / units);
  return {
    /** Undefined when pg_waldump could not read the range: then only the server-wide figure is known. */
    bytes: own,
    serverBytes: Math.round(amount.serverBytes / units),
    fullPageShare: amount.ownBytes
      ? round1(((amount.ownFullPageBytes ?? 0) * 100) / amount.ownBytes)
      : undefined,
  };
}

/** Private (anonymous) resident memory of a backend, from /proc, in kB; undefined when not readable. */
function backendPrivateKb(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /RssAnon:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  const perStep = envInt('BENCH_ORDERS', 300);
  const mainPool = envInt('BENCH_POOL', 10);
  const dueOrders = envInt('BENCH_DUE_ORDERS', 200);
  const database = await createBenchDatabase('db-limits');
  if (!database) return 1;
  const sink = await startSmtpSink({ parse: false });
  const apps: App[] = [];
  const watcher = new pg.Client({ connectionString: database.url });
  try {
    const config = loadConfig({
      CATALOG_FILE,
      HOST: '127.0.0.1',
      PORT: '0',
      PUBLIC_URL: 'http://127.0.0.1',
      SESSION_COOKIE_SECURE: 'false',
      SMTP_URL: sink.url,
      MAIL_FROM: 'provisioning@bench.example',
    });
    const startApp = async (pool: number): Promise<App> => {
      const handle = connectPostgres(database.url, pool);
      const rt = await createRuntime({
        config,
        log: createLogger('silent'),
        clock: systemClock,
        database: handle,
      });
      const web = await serveWeb(rt);
      const app = {
        rt,
        web,
        agent: new Agent({ keepAlive: true, maxSockets: 16 }),
        url: new URL(`http://127.0.0.1:${web.port}/api/v1/orders`),
      };
      apps.push(app);
      return app;
    };
    const app = await startApp(mainPool);
    const db = app.rt.db;
    const ctx = app.rt.systemContext('bench');
    const org = await identity.createOrganization(ctx, {
      kind: 'partner',
      name: 'Bench Partner',
      country: 'IT',
    });
    const key = await apiKeys.createApiKey(ctx, org.id, 'bench');
    const servicesOf = new Map(readCatalogFile(CATALOG_FILE).offers.map((o) => [o.code, [...o.services]]));
    const tenant = { orgId: org.id, keyId: key.id, servicesOf };
    const later = addDays(isoDate(new Date()), 5);
    const wal = await walReader(db);
    await watcher.connect();
    const settings = await watcher.query<Record<string, string>>(`select
      current_setting('max_connections') as max_connections,
      current_setting('superuser_reserved_connections') as reserved,
      current_setting('shared_buffers') as shared_buffers,
      current_setting('max_wal_size') as max_wal_size,
      current_setting('wal_compression') as wal_compression`);
    const s = settings.rows[0] ?? {};

    // Warm-up: JIT, the pool's connections and their prepared statements, the catalogue pages.
    await bookApi(app, key.key, 'WARM-API', perStep, 16, later);
    await bookBaseline(db, tenant, 'WARM-SQL', perStep, 16);

    // 1. Intake at 1, 4 and 16 at once, each step's WAL and rows beside the plain-SQL baseline's.
    const steps: Record<string, unknown>[] = [];
    let apiRows: Record<string, number> = {};
    let sqlRows: Record<string, number> = {};
    let peakConnections = 0;
    let backendKb: number[] = [];
    for (const concurrency of [1, 4, 16]) {
      for (const side of ['api', 'sql'] as const) {
        const before = await countRows(db);
        const from = await wal.position();
        let sampling = concurrency === 16 && side === 'api';
        const sampler = (async () => {
          while (sampling) {
            const r = await watcher.query<{ pid: number }>(
              `select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
            );
            if (r.rows.length > peakConnections) {
              peakConnections = r.rows.length;
              backendKb = r.rows
                .map((x) => backendPrivateKb(x.pid))
                .filter((n): n is number => n !== undefined);
            }
            await new Promise((r2) => setTimeout(r2, 25));
          }
        })();
        const prefix = `${side.toUpperCase()}-C${concurrency}`;
        const rate =
          side === 'api'
            ? await bookApi(app, key.key, prefix, perStep, concurrency, later)
            : await bookBaseline(db, tenant, prefix, perStep, concurrency);
        sampling = false;
        await sampler;
        const amount = await wal.between(from, await wal.position());
        const rows = diff(await countRows(db), before, perStep);
        if (concurrency === 16) {
          if (side === 'api') apiRows = rows;
          else sqlRows = rows;
        }
        steps.push({
          side,
          concurrency,
          pool: mainPool,
          ordersPerSec: round1(rate),
          wal: walPer(amount, perStep),
        });
      }
    }
    await app.rt.ping(); // the health check's own connection, as /healthz opens it

    // 2. The API at 16 at once over smaller pools (each a runtime of its own, as a process would be).
    for (const pool of [2, 5]) {
      const small = await startApp(pool);
      await bookApi(small, key.key, `WARM-P${pool}`, 100, 16, later);
      const rate = await bookApi(small, key.key, `API-P${pool}`, perStep, 16, later);
      steps.push({ side: 'api', concurrency: 16, pool, ordersPerSec: round1(rate) });
    }

    // 3. Orders due today: what booking queues (pg-boss), then the dispatch and relay as the worker runs them.
    const beforeDue = await countRows(db);
    await bookApi(app, key.key, 'DUE', dueOrders, 4, isoDate(new Date()));
    const dueRows = diff(await countRows(db), beforeDue, dueOrders);
    const beforeDispatch = await countRows(db);
    const dispatchFrom = await wal.position();
    const dispatchStart = performance.now();
    while ((await dispatchDueLines(ctx)).lines > 0);
    for (;;) {
      const { sent, failed, retrying } = await relayDueEmails(ctx);
      if (sent + failed + retrying === 0) break;
    }
    const dispatchMs = performance.now() - dispatchStart;
    const dueLines = dueOrders * LINES;
    const dispatchWal = walPer(await wal.between(dispatchFrom, await wal.position()), dueLines);
    const dispatchRows = diff(await countRows(db), beforeDispatch, dueLines);

    // 4. Rows and bytes: table (with TOAST) and index bytes per row, after everything above.
    await sql`analyze`.execute(db);
    const sizes = await sql<{ name: string; rows: number; table_bytes: number; index_bytes: number }>`
      select n.nspname || '.' || c.relname as name, c.reltuples::bigint as rows,
             pg_table_size(c.oid) as table_bytes, pg_indexes_size(c.oid) as index_bytes
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p') and n.nspname = 'public'
        and c.relname in ('orders', 'order_lines', 'order_line_services', 'subscriptions', 'idempotency_keys',
                          'events', 'audit_events', 'provisioning_links', 'outbox_emails')
      order by 1`.execute(db);
    const totalLines = (await countRows(db)).order_lines;
    let bytesPerOrder = 0;
    const sizeRows = sizes.rows.map((r) => {
      const table = r.name.replace('public.', '') as keyof Counts;
      const perRow = (Number(r.table_bytes) + Number(r.index_bytes)) / Math.max(1, Number(r.rows));
      // Booking's rows, and each line's first provisioning email (dispatch and relay).
      const perOrder = (apiRows[table] ?? 0) + LINES * (dispatchRows[table] ?? 0);
      bytesPerOrder += perRow * perOrder;
      return {
        table,
        rows: Number(r.rows),
        tableBytesPerRow: Math.round(Number(r.table_bytes) / Math.max(1, Number(r.rows))),
        indexBytesPerRow: Math.round(Number(r.index_bytes) / Math.max(1, Number(r.rows))),
        rowsPerOrder: perOrder,
      };
    });

    // Report.
    const maxConnections = Number(s.max_connections) - Number(s.reserved);
    const perProcess = mainPool + 1;
    console.log(
      `db-limits: PostgreSQL ${database.version}, shared_buffers ${s.shared_buffers}, max_connections ${s.max_connections} (${s.reserved} reserved), ${perStep} orders × ${LINES} lines per step${wal.detailed ? ', WAL read with pg_waldump' : ', WAL: server-wide LSN difference (pg_wal not readable here)'}`,
    );
    console.log('\nintake (orders/s; WAL bytes per order, this database; share of it in full-page images)');
    for (const step of steps) {
      const w = step.wal as ReturnType<typeof walPer> | undefined;
      console.log(
        `  ${String(step.side).padEnd(4)} c=${String(step.concurrency).padEnd(3)} pool=${String(step.pool).padEnd(3)} ${String(step.ordersPerSec).padStart(7)} orders/s${w ? `   WAL ${w.bytes ?? '?'} B/order (server-wide ${w.serverBytes}), FPI ${w.fullPageShare ?? '?'} %` : ''}`,
      );
    }
    console.log(
      `\nrows per order at c=16: API ${JSON.stringify(apiRows)}; plain SQL ${JSON.stringify(sqlRows)}`,
    );
    console.log(`orders due today: rows per order booked ${JSON.stringify(dueRows)}`);
    console.log(
      `dispatch + relay of ${dueLines} lines: ${round1((dueLines * 1000) / dispatchMs)} lines/s, WAL ${dispatchWal.bytes ?? '?'} B/line (server-wide ${dispatchWal.serverBytes}) (FPI ${dispatchWal.fullPageShare ?? '?'} %), rows per line ${JSON.stringify(dispatchRows)}`,
    );
    console.log(
      `\nconnections: peak ${peakConnections} backends for one process at pool ${mainPool} under load (+1 health check once /healthz asks) = ${perProcess} per process; ${maxConnections} usable → ${Math.floor(maxConnections / perProcess)} processes; backend private memory p50 ${backendKb.sort((a, b) => a - b)[Math.floor(backendKb.length / 2)] ?? '?'} kB`,
    );
    console.log(`\nbytes per row (table incl. TOAST / indexes), over ${totalLines} lines:`);
    for (const r of sizeRows)
      console.log(
        `  ${r.table.padEnd(22)} ${String(r.tableBytesPerRow).padStart(6)} / ${String(r.indexBytesPerRow).padStart(6)}  × ${r.rowsPerOrder} per order`,
      );
    const projectedOrders = PROJECTED_LINES / LINES;
    console.log(
      `per order booked and emailed: ${Math.round(bytesPerOrder)} B; ${PROJECTED_LINES.toLocaleString('en')} lines (${Math.round(projectedOrders).toLocaleString('en')} orders): ${round1((bytesPerOrder * projectedOrders) / 1024 ** 3)} GiB (events and sent emails before their purge)`,
    );
    console.log(
      JSON.stringify({
        postgres: database.version,
        settings: s,
        steps,
        apiRowsPerOrder: apiRows,
        sqlRowsPerOrder: sqlRows,
        dueRowsPerOrder: dueRows,
        dispatch: {
          lines: dueLines,
          linesPerSec: round1((dueLines * 1000) / dispatchMs),
          wal: dispatchWal,
          rowsPerLine: dispatchRows,
        },
        connections: {
          peak: peakConnections,
          perProcess,
          usable: maxConnections,
          backendPrivateKb: backendKb,
        },
        sizes: sizeRows,
        bytesPerOrder: Math.round(bytesPerOrder),
      }),
    );
    return 0;
  } finally {
    await watcher.end().catch(() => undefined);
    for (const a of apps.reverse()) {
      a.agent.destroy();
      await a.web.close().catch(() => undefined);
      await a.rt.close().catch(() => undefined);
    }
    await sink.close();
    await database.drop();
  }
}

main().then(
  (code) => {
    process.exitCode = process.exitCode || code;
  },
  (error: unknown) => {
    console.error(
      `db-limits: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exitCode = 1;
  },
);
