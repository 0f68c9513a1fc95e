import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { CODE_DIR } from '../paths.ts';
import type { Db } from './db.ts';

// src/migrations when run from the sources, dist/migrations (copied by the build) when built.
const migrationsDir = path.join(CODE_DIR, 'migrations');

function migrationFiles(): string[] {
  return readdirSync(migrationsDir)
    .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
    .sort();
}

/** The migrations this code knows, by name (without `.sql`), in the order they apply. */
export function migrationNames(): string[] {
  return migrationFiles().map((file) => file.replace(/\.sql$/, ''));
}

/** Names and contents of every migration in one hash: a schema made from other migrations differs. */
export function migrationsFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of migrationFiles())
    hash.update(`${file}\0${readFileSync(path.join(migrationsDir, file))}\0`);
  return hash.digest('hex');
}

export interface MigrationOutcome {
  applied: string[];
}

const MIGRATION_TABLE = 'schema_migrations';

/**
 * The migrations on disk not recorded as applied, in order (all of them on a database never migrated).
 * Migrations recorded but not on disk (a newer release migrated this database) are not counted.
 */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const onDisk = migrationFiles().map((file) => file.replace(/\.sql$/, ''));
  const exists = await sql<{
    found: boolean;
  }>`select to_regclass(${MIGRATION_TABLE}) is not null as found`.execute(db);
  if (!exists.rows[0]?.found) return onDisk;
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  const applied = new Set(rows.map((row) => row.name));
  return onDisk.filter((name) => !applied.has(name));
}

/**
 * True when every migration on disk is recorded as applied, which is every start but the first
 * after an upgrade. Kysely's migrator would find that out too, but it first lists every column of every
 * table to see whether its own two tables exist: about half a second on a freshly opened PGlite.
 */
async function allApplied(db: Db): Promise<boolean> {
  return (await pendingMigrations(db)).length === 0;
}

const MIGRATION_LOCK = 'provisio.migrations';

/**
 * Brings the schema up to date: the pending migrations in name order, in one transaction that first
 * takes a transaction-level advisory lock, so several processes starting at once neither race nor
 * leave a half-migrated schema. Not Kysely's migrator: it holds a session-level lock across its
 * transaction, which PgBouncer in transaction mode cannot keep (the lock lands on one server
 * connection, the migration and the unlock on others: docs/adr/0039). The tables are Kysely's
 * (`schema_migrations`: name, timestamp), so databases it migrated carry on.
 *
 * Migrations this code does not know (a newer release migrated the database) are left alone when
 * nothing is pending; with something pending as well, the order would be unclear: refused.
 */
export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  if (await allApplied(db)) return { applied: [] };
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${MIGRATION_LOCK}))`.execute(tx);
    // After the lock: what another process applied meanwhile is seen (each statement reads what is committed).
    await sql`create table if not exists ${sql.table(MIGRATION_TABLE)} (
      name varchar(255) not null primary key,
      timestamp varchar(255) not null
    )`.execute(tx);
    const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(tx);
    const applied = new Set(rows.map((row) => row.name));
    const files = migrationFiles();
    const names = new Set(files.map((file) => file.replace(/\.sql$/, '')));
    const pending = files.filter((file) => !applied.has(file.replace(/\.sql$/, '')));
    if (pending.length === 0) return { applied: [] };
    const unknown = [...applied].filter((name) => !names.has(name));
    if (unknown.length > 0)
      throw new Error(
        `the database has migrations this release does not know (${unknown.join(', ')}) and lacks ${pending.join(', ')}: start the release that migrated it`,
      );
    const done: string[] = [];
    for (const file of pending) {
      const name = file.replace(/\.sql$/, '');
      try {
        await sql.raw(readFileSync(path.join(migrationsDir, file), 'utf8')).execute(tx);
      } catch (error) {
        throw new Error(
          `Migration ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      await sql`insert into ${sql.table(MIGRATION_TABLE)} (name, timestamp) values (${name}, ${new Date().toISOString()})`.execute(
        tx,
      );
      done.push(name);
    }
    return { applied: done };
  });
}
