import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A database reached through PgBouncer (TEST_PGBOUNCER_URL, started by scripts/pgbouncer.sh with a
 * wildcard entry, so every database of the server is reachable through it by name). The database is
 * made and dropped on the server itself (TEST_DATABASE_URL): PgBouncer only relays.
 */
export interface BouncedDatabase {
  /** The database through PgBouncer. */
  url: string;
  /** The same database on the server directly, for checks that must not go through the pooler. */
  directUrl: string;
  drop(): Promise<void>;
}

/** Why the PgBouncer tests cannot run here, or undefined when they can. */
export function poolerUnavailable(): string | undefined {
  if (!process.env.TEST_PGBOUNCER_URL)
    return 'TEST_PGBOUNCER_URL is not set: start one with scripts/pgbouncer.sh (.ci/run does, after npm test)';
  if (!process.env.TEST_DATABASE_URL) return 'TEST_DATABASE_URL is not set: PgBouncer relays to that server';
  return undefined;
}

function withDatabase(url: string, name: string): string {
  const next = new URL(url);
  next.pathname = `/${name}`;
  return next.toString();
}

export async function bouncedDatabase(): Promise<BouncedDatabase> {
  const bouncer = process.env.TEST_PGBOUNCER_URL;
  const server = process.env.TEST_DATABASE_URL;
  if (!bouncer || !server) throw new Error(poolerUnavailable());
  const name = `provisio_bounced_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(bouncer, name),
    directUrl: withDatabase(server, name),
    drop: async () => {
      const dropper = new pg.Client({ connectionString: server });
      await dropper.connect();
      try {
        // PgBouncer still holds server connections to it: `force` ends them (it opens new ones on demand).
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
