import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CompiledQuery } from 'kysely';
import { PROJECT_DIR } from '../../paths.ts';
import type { Db } from '../db.ts';
import { migrationsFingerprint } from '../migrations.ts';
import { pgliteVersion } from '../pglite-template.ts';
import type { DatabaseSnapshot, SnapshotEntry } from './archive.ts';

/**
 * What of DATA_DIR is the embedded database: PostgreSQL's own files and folders, and nothing that
 * Provisio keeps beside them (its lock, the control socket, FILES_DIR when it lies inside DATA_DIR).
 * postmaster.pid is left out: it names the process that had the database open.
 */
const DATABASE_ENTRY = /^(PG_VERSION|base|global|pg_[a-z_]+(\.conf)?|postgresql(\.auto)?\.conf)$/;

/** package.json sits one directory above the code, from src/ and from dist/ alike. */
export function provisioVersion(): string {
  try {
    const file = path.join(PROJECT_DIR, 'package.json');
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Read synchronously, on purpose: the database is held meanwhile, and a thousand small files read
 * through the thread pool took five times as long (3.4 s against 0.65 s on a busy two-core machine).
 * The event loop is blocked for that time; requests could not have used the database anyway.
 */
function readDatabaseFiles(dataDir: string): SnapshotEntry[] {
  const entries: SnapshotEntry[] = [];
  const walk = (relative: string): void => {
    const names = readdirSync(path.join(dataDir, relative)).sort();
    for (const name of names) {
      if (!relative && !DATABASE_ENTRY.test(name)) continue;
      const rel = relative ? `${relative}/${name}` : name;
      const info = statSync(path.join(dataDir, rel));
      if (info.isDirectory()) {
        entries.push({ name: rel, type: 'directory', mtimeMs: info.mtimeMs });
        walk(rel);
      } else if (info.isFile()) {
        entries.push({
          name: rel,
          type: 'file',
          data: readFileSync(path.join(dataDir, rel)),
          mtimeMs: info.mtimeMs,
        });
      }
    }
  };
  walk('');
  return entries;
}

/**
 * The embedded database's files as they are between two statements. PGlite is one PostgreSQL
 * session and our dialect hands its one connection out behind a lock, held for a whole transaction
 * (pglite-dialect.ts): holding it here means no statement runs and no transaction is open, and the
 * job queue's statements wait too (pgboss-db.ts). A CHECKPOINT first writes every changed page to the
 * files, so the copy needs no WAL replay; then the files are read into memory and the connection is
 * given back, before the (slower) compressing and writing. Requests wait meanwhile: a fraction of a
 * second for a database of some tens of megabytes.
 */
export async function snapshotDatabase(db: Db, dataDir: string): Promise<DatabaseSnapshot> {
  return db.connection().execute(async (conn) => {
    await conn.executeQuery(CompiledQuery.raw('checkpoint', []));
    const table = await conn.executeQuery<{ found: boolean }>(
      CompiledQuery.raw(`select to_regclass('schema_migrations') is not null as found`, []),
    );
    const migrations = table.rows[0]?.found
      ? (
          await conn.executeQuery<{ name: string }>(
            CompiledQuery.raw('select name from schema_migrations order by name', []),
          )
        ).rows.map((row) => row.name)
      : [];
    const entries = readDatabaseFiles(dataDir);
    const pgVersion = entries
      .find((e) => e.name === 'PG_VERSION')
      ?.data?.toString('utf8')
      .trim();
    if (!pgVersion) throw new Error(`DATA_DIR ${dataDir} holds no embedded database (no PG_VERSION)`);
    return {
      facts: {
        provisio: provisioVersion(),
        pglite: pgliteVersion(),
        postgres: pgVersion,
        migrations,
        migrationsFingerprint: migrationsFingerprint(),
      },
      entries,
    };
  });
}
