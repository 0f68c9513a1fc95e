import { execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../src/platform/db.ts';

/**
 * How much write-ahead log a piece of work wrote. The LSN difference is the whole server's: on a
 * server other sessions also write to (the shared 2-core machine runs other helpers' tests), it
 * over-counts. When this process may read the server's pg_wal directory (a local server, run as
 * its owner or root) and pg_waldump is installed, the records of the range are also read and only
 * those of the benchmark's database (and the commit records of its transactions) are summed.
 */

export interface WalAmount {
  /** pg_wal_lsn_diff over the range: every database's WAL. */
  serverBytes: number;
  /** This database's records (pg_waldump); undefined when the WAL files cannot be read here. */
  ownBytes?: number;
  /** Of ownBytes, the full-page images (the first change to a page after a checkpoint copies the page). */
  ownFullPageBytes?: number;
  ownRecords?: number;
}

export interface WalReader {
  position(): Promise<string>;
  between(from: string, to: string): Promise<WalAmount>;
  /** Whether pg_waldump figures are available (else only serverBytes). */
  readonly detailed: boolean;
}

function findWaldump(): string | undefined {
  if (process.env.BENCH_PG_WALDUMP) return process.env.BENCH_PG_WALDUMP;
  try {
    const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    const candidate = path.join(bindir, 'pg_waldump');
    accessSync(candidate, constants.X_OK);
    return candidate;
  } catch {
    return undefined;
  }
}

const RECORD = /len \(rec\/tot\):\s*\d+\/\s*(\d+), tx:\s*(\d+),/;
const REL = /rel \d+\/(\d+)\/\d+/;

export async function walReader(db: Db): Promise<WalReader> {
  const info = await sql<{ dir: string; oid: string }>`
    select current_setting('data_directory') as dir,
           (select oid::text from pg_database where datname = current_database()) as oid`.execute(db);
  const row = info.rows[0];
  const walDir = row ? path.join(row.dir, 'pg_wal') : '';
  let waldump = findWaldump();
  try {
    accessSync(walDir, constants.R_OK);
  } catch {
    waldump = undefined;
  }
  const oid = row?.oid ?? '';
  const position = async () => {
    const { rows } = await sql<{ lsn: string }>`select pg_current_wal_lsn()::text as lsn`.execute(db);
    return rows[0]?.lsn ?? '0/0';
  };
  const between = async (from: string, to: string): Promise<WalAmount> => {
    const { rows } = await sql<{ bytes: string }>`
      select pg_wal_lsn_diff(${to}::pg_lsn, ${from}::pg_lsn)::text as bytes`.execute(db);
    const serverBytes = Number(rows[0]?.bytes ?? 0);
    if (!waldump || from === to) return { serverBytes };
    let text: string;
    try {
      text = execFileSync(waldump, ['-p', walDir, '-s', from, '-e', to], {
        encoding: 'utf8',
        maxBuffer: 512 * 1024 * 1024,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
    } catch (error) {
      // pg_waldump exits 1 when the range ends mid-record ("error in WAL record"): what it printed stands.
      const out = (error as { stdout?: unknown }).stdout;
      if (typeof out !== 'string' || out === '') return { serverBytes };
      text = out;
    }
    // A transaction is ours when one of its records touches our database; its commit record is then ours too.
    const ours = new Set<string>();
    const records: { bytes: number; tx: string; mine: boolean; fpw: boolean }[] = [];
    for (const line of text.split('\n')) {
      const m = RECORD.exec(line);
      if (!m) continue;
      const rel = REL.exec(line);
      const mine = rel?.[1] === oid;
      const tx = m[2] ?? '0';
      if (mine && tx !== '0') ours.add(tx);
      records.push({ bytes: Number(m[1]), tx, mine, fpw: line.includes(' FPW') });
    }
    let ownBytes = 0;
    let ownFullPageBytes = 0;
    let ownRecords = 0;
    for (const r of records) {
      if (!r.mine && !(r.tx !== '0' && ours.has(r.tx))) continue;
      ownBytes += r.bytes;
      ownRecords += 1;
      if (r.fpw) ownFullPageBytes += r.bytes;
    }
    return { serverBytes, ownBytes, ownFullPageBytes, ownRecords };
  };
  return { position, between, detailed: waldump !== undefined };
}
