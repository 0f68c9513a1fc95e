import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator, sql } from 'kysely';
import type { Db } from './db.ts';

const migrationsDir = path.resolve(import.meta.dirname, '..', 'migrations');

/** Plain SQL files named NNNN_intent.sql, applied in name order. */
class SqlFileMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = readdirSync(migrationsDir)
      .filter((name) => /^\d{4}_[a-z0-9_]+\.sql$/.test(name))
      .sort();
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

/**
 * Brings the schema up to date. Kysely's migrator holds a PostgreSQL advisory lock for the whole
 * run and applies everything in one transaction, so several processes starting at once neither
 * race nor leave a half-migrated schema.
 */
export async function migrateToLatest(db: Db): Promise<MigrationOutcome> {
  const migrator = new Migrator({
    db,
    provider: new SqlFileMigrationProvider(),
    migrationTableName: 'schema_migrations',
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
