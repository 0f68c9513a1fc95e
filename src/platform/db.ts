import { mkdirSync } from 'node:fs';
import v8 from 'node:v8';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, type LogEvent, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from '../db-types.ts';
import { type DataDirLock, lockDataDir } from './data-dir-lock.ts';
import { nameFailedStatement } from './db-errors.ts';
import type { Logger } from './logger.ts';
import type { PoolStats } from './metrics/registry.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { copyTemplate, findTemplate, holdsNoDatabase } from './pglite-template.ts';
import { preparingPool } from './prepared-statements.ts';

export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Either the database or an open transaction on it: repositories accept both. */
export type Executor = Db | Tx;

/** True when `error` is PostgreSQL's unique violation of the named constraint (or index). */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return e.code === '23505' && (e.constraint === constraint || String(e.message).includes(constraint));
}

/** Inside a transaction: waits until no other transaction holds the lock named `name`, then holds it until commit. */
export async function lockForTransaction(db: Tx, name: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext(${name}))`.execute(db);
}

export type Engine = 'postgres' | 'pglite';

/**
 * Runs `read` with each of its statements limited to `timeoutMs` (PostgreSQL's statement_timeout,
 * local to a read-only transaction, so the pool's connections keep their defaults). A statement
 * that runs longer is cancelled with SQLSTATE 57014. PGlite runs in this thread and never
 * interrupts a statement (statement_timeout has no effect there), so there `read` runs as it is.
 * Inside a caller's transaction the limit is not changed.
 */
export async function withStatementTimeout<T>(
  db: Executor,
  engine: Engine,
  timeoutMs: number,
  read: (db: Executor) => Promise<T>,
): Promise<T> {
  if (engine !== 'postgres' || db.isTransaction) return read(db);
  return (db as Db)
    .transaction()
    .setAccessMode('read only')
    .execute(async (tx) => {
      await sql`select set_config('statement_timeout', ${String(timeoutMs)}, true)`.execute(tx);
      return read(tx);
    });
}

export interface DatabaseHandle {
  db: Db;
  engine: Engine;
  /**
   * Whether the database answers, for /healthz: on PostgreSQL over a connection of its own, so
   * that a pool whose every connection is busy does not make a working database look down.
   */
  ping?(): Promise<void>;
  /** The connection pool's figures now, for /metrics. */
  poolStats?(): PoolStats;
  /** The embedded database itself, for what must speak to it directly (the job queue). */
  pglite?: PGlite;
  close(): Promise<void>;
}

/** A failed statement's error learns the statement's name, so logs can say which one failed without its values. */
function onQueryEvent(event: LogEvent): void {
  if (event.level === 'error') nameFailedStatement(event.error, event.query.sql);
}

const OID_INT8 = 20;
const OID_DATE = 1082;

/** Calendar dates stay 'YYYY-MM-DD' strings (no time-zone shift); counts come back as numbers. */
const pgTypes = {
  getTypeParser(oid: number, format?: string) {
    if (oid === OID_DATE) return (value: string) => value;
    if (oid === OID_INT8) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

/** A database that does not answer /healthz within this time is as good as down for a load balancer. */
export const HEALTH_CHECK_TIMEOUT_MS = 2000;

export interface PostgresOptions {
  /**
   * Marked hot statements go as named prepared statements (prepared-statements.ts). False behind a
   * pooler that cannot keep them (PgBouncer older than 1.21 in transaction mode): every statement
   * is then sent unnamed, as `pg` does by default (DATABASE_PREPARED_STATEMENTS, docs/adr/0039).
   */
  preparedStatements?: boolean;
}

export function connectPostgres(
  url: string,
  poolSize = 10,
  log?: Logger,
  options: PostgresOptions = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: pgTypes,
    connectionTimeoutMillis: 5000,
  });
  // A server restart or failover kills idle connections; the pool replaces them on the next checkout,
  // so an idle client's error must not crash the process (pg emits it with no one else listening).
  pool.on('error', (err) => log?.warn({ err }, 'idle database connection lost'));
  // A checked-out client has no pool listener: when its connection drops, the query in flight fails
  // (and answers 503), but the client's own 'error' event would otherwise crash the process.
  pool.on('connect', (client) => {
    client.on('error', (err) => log?.warn({ err }, 'database connection lost'));
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: options.preparedStatements === false ? pool : preparingPool(pool) }),
    log: onQueryEvent,
  });
  // One connection outside the pool for the health check, kept open and replaced when it drops.
  const health = new pg.Pool({
    connectionString: url,
    max: 1,
    idleTimeoutMillis: 0,
    connectionTimeoutMillis: HEALTH_CHECK_TIMEOUT_MS,
    // Timed out by the client, not with a statement_timeout startup parameter: PgBouncer refuses a
    // connection whose startup names one ("unsupported startup parameter"), and `select 1` needs no
    // server-side limit.
    query_timeout: HEALTH_CHECK_TIMEOUT_MS,
    application_name: 'provisio health check',
  });
  health.on('error', (err) => log?.warn({ err }, 'health check connection lost'));
  return {
    db,
    engine: 'postgres',
    ping: async () => {
      await health.query('select 1');
    },
    poolStats: () => ({
      max: poolSize,
      inUse: pool.totalCount - pool.idleCount,
      idle: pool.idleCount,
      waiting: pool.waitingCount,
    }),
    close: async () => {
      try {
        await db.destroy();
      } finally {
        await health.end();
      }
    },
  };
}

/** See openPglite: the embedded database's page cache, resident in this process. */
export const PGLITE_SHARED_BUFFERS = '16MB';

/**
 * Opens embedded PostgreSQL: in memory when dataDir is undefined, else persisted under it, which
 * this process then owns until it closes the database or exits (see data-dir-lock.ts).
 */
export async function openPglite(
  dataDir: string | undefined,
  /** In memory only: start from this image of a data directory (`dumpDataDir`) instead of running initdb. */
  start: { image?: Blob } = {},
): Promise<DatabaseHandle> {
  let lock: DataDirLock | undefined;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir);
  }
  // V8 runs WebAssembly compiled by its baseline compiler (Liftoff) and recompiles the functions that
  // run often with its optimising one (TurboFan). For PGlite's 8.7 MB PostgreSQL that second pass costs
  // about 100 MB of resident memory and a second of CPU in the first minute, for queries measured here
  // at most a quarter faster. Set before the module is compiled; it concerns WebAssembly only.
  v8.setFlagsFromString('--liftoff-only');
  let pglite: PGlite;
  try {
    // An empty data directory starts from the build's template instead of running initdb (seconds).
    const template = dataDir && holdsNoDatabase(dataDir) ? findTemplate() : undefined;
    if (dataDir && template) copyTemplate(template, dataDir);
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir } : {}),
      ...(!dataDir && start.image ? { loadDataDir: start.image } : {}),
      // Trigram indexes serve the part-of-text searches (migration 0006).
      extensions: { pg_trgm },
      // PostgreSQL's 128 MB of shared buffers live in the WebAssembly heap and are resident as soon as
      // they are set up: 16 MB hold the demo data several times over, and a page beyond them is read
      // from a file the operating system caches, not from disk. This saves about 125 MB of memory.
      startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${PGLITE_SHARED_BUFFERS}`],
      parsers: {
        [pgliteTypes.DATE]: (value: string) => value,
        [pgliteTypes.INT8]: (value: string) => Number(value),
      },
    });
  } catch (error) {
    lock?.release();
    throw error;
  }
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<Database>({ dialect, log: onQueryEvent });
  return {
    db,
    engine: 'pglite',
    pglite,
    // One session behind a lock: a pool of one, in use while a statement or transaction holds it.
    poolStats: () => ({
      max: 1,
      inUse: dialect.lock.held ? 1 : 0,
      idle: dialect.lock.held ? 0 : 1,
      waiting: dialect.lock.waiting,
    }),
    close: async () => {
      try {
        await db.destroy();
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

export async function openDatabase(options: {
  databaseUrl: string | undefined;
  dataDir: string | undefined;
  poolSize?: number;
  log?: Logger;
  preparedStatements?: boolean;
}): Promise<DatabaseHandle> {
  if (options.databaseUrl)
    return connectPostgres(options.databaseUrl, options.poolSize, options.log, {
      preparedStatements: options.preparedStatements,
    });
  return openPglite(options.dataDir);
}
