import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator, sql } from 'kysely';
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

/** Plain SQL files named NNNN_intent.sql, applied in name order. */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = migrationFiles();
    return Object.fromEntries(
      files.map((file) => {
        const text = readFileSync(path.join(migrationsDir, file), 'utf8');
        return [file.replace(/\.sql$/, ''), { up: async (db) => void (await sql.raw(text).execute(db)) }];
      }),
    );
  }
}

export interface MigrationOutcome {
  applied: string[];
}

const MIGRATION_TABLE = 'schema_migrations';

/**
 * True when exactly the migrations on disk are recorded as applied, which is every start but the first
 * after an upgrade. Kysely's migrator would find that out too, but it first lists every column of every
 * table to see whether its own two tables exist: about half a second on a freshly opened PGlite.
 */
async function allApplied(db: Db): Promise<boolean> {
  const exists = await sql<{
    found: boolean;
  }>`select to_regclass(${MIGRATION_TABLE}) is not null as found`.execute(db);
  if (!exists.rows[0]?.found) return false;
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(MIGRATION_TABLE)}`.execute(db);
  const onDisk = migrationFiles().map((file) => file.replace(/\.sql$/, ''));
  const applied = new Set(rows.map((row) => row.name));
  return applied.size === onDisk.length && onDisk.every((name) => applied.has(name));
}

/**
 * Brings the schema up to date. Kysely's migrator holds a PostgreSQL advisory lock for the whole
 * run and applies everything in one transaction, so several processes starting at once neither
 * race nor leave a half-migrated schema.
 */
export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  if (await allApplied(db)) return { applied: [] };
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrationProvider(),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: 'schema_migrations_lock',
  });
  const { error, results }: MigrationResultSet = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(
      `Migration ${failed ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      {
        cause: error,
      },
    );
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}
