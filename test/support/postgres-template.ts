import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import { connectPostgres } from '../../src/platform/db.ts';
import { createJobRuntime } from '../../src/platform/job-runtime.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { migrateToLatest, migrationsFingerprint } from '../../src/platform/migrations.ts';
import { defaultModules } from '../../src/runtime.ts';

/**
 * Test databases on the PostgreSQL server are copies of a migrated template database (with the job
 * queue's schema installed), so a harness does not run every migration again (about 0.7 s each).
 * The template's name carries the migrations' and pg-boss's fingerprint: a changed migration makes a
 * new template (older ones stay: another checkout on the same server may still use them). It is built under another name and
 * renamed when complete, under an advisory lock, so test files starting at once build it once and a
 * build killed half-way leaves nothing that would be used.
 */

const TEMPLATE_PREFIX = 'provisio_tpl_';
const BUILD_LOCK = 'provisio test template';

function templateName(): string {
  const require = createRequire(import.meta.url);
  const { version } = require('pg-boss/package.json') as { version: string };
  const key = createHash('sha256').update(`${migrationsFingerprint()}\0${version}`).digest('hex');
  return `${TEMPLATE_PREFIX}${key.slice(0, 16)}`;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function exists(admin: pg.Client, name: string): Promise<boolean> {
  const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [name]);
  return rowCount === 1;
}

async function build(serverUrl: string, admin: pg.Client, name: string): Promise<void> {
  // Under the lock no one else builds: a half-built database left here was a killed build's.
  const dead = await admin.query<{ datname: string }>(
    "select datname from pg_database where datname like 'provisio\\_tplbuild\\_%'",
  );
  for (const { datname } of dead.rows) await admin.query(`drop database if exists ${datname} with (force)`);
  const building = `provisio_tplbuild_${randomBytes(6).toString('hex')}`;
  await admin.query(`create database ${building}`);
  const handle = connectPostgres(databaseUrl(serverUrl, building), 2);
  try {
    await migrateToLatest(handle.db);
    const jobs = createJobRuntime({
      db: handle.db,
      log: createLogger('silent'),
      jobs: defaultModules().jobs,
      concurrency: 1,
      context: () => {
        throw new Error('the template database runs no job');
      },
    });
    await jobs.install();
  } finally {
    await handle.close();
  }
  await admin.query(`alter database ${building} rename to ${name}`);
}

let template: Promise<string> | undefined;

/** The name of the current template database on the server, built on first use. */
export function postgresTemplate(serverUrl: string): Promise<string> {
  template ??= (async () => {
    const name = templateName();
    const admin = new pg.Client({ connectionString: serverUrl });
    const lock = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    try {
      if (await exists(admin, name)) return name;
      // A transaction-level lock, held by a transaction open on a connection of its own while the
      // build runs on others: behind PgBouncer in transaction mode a session lock would stay on
      // whichever server connection took it (create database cannot run inside that transaction).
      await lock.connect();
      await lock.query('begin');
      await lock.query('select pg_advisory_xact_lock(hashtext($1))', [BUILD_LOCK]);
      if (!(await exists(admin, name))) await build(serverUrl, admin, name);
      await lock.query('commit');
      return name;
    } finally {
      await Promise.all([admin.end(), lock.end().catch(() => undefined)]);
    }
  })();
  return template;
}

/**
 * Creates `name` as a copy of the template. PostgreSQL refuses to copy a database another session
 * is connected to (55006); no test connects to the template, but its builder may still be closing.
 */
export async function createFromTemplate(admin: pg.Client, serverUrl: string, name: string): Promise<void> {
  const source = await postgresTemplate(serverUrl);
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${source}`);
      return;
    } catch (error) {
      if (!(error instanceof pg.DatabaseError && error.code === '55006') || attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
