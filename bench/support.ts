import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** What the benchmarks share: settings from the environment, a throwaway database, printable errors. */

export const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** The URL as it may be printed: any password masked. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export const round1 = (n: number) => Math.round(n * 10) / 10;

export interface BenchDatabase {
  url: string;
  version: string;
  drop(): Promise<void>;
}

/**
 * A fresh database provisio_bench_<hex> on the server (BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 * else the local one), or undefined with the reason printed when the server cannot be reached.
 */
export async function createBenchDatabase(bench: string): Promise<BenchDatabase | undefined> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || DEFAULT_URL;
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (error) {
    console.error(`${bench}: cannot reach PostgreSQL at ${displayUrl(serverUrl)}: ${message(error)}`);
    console.error(
      `${bench}: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a server you may create databases on.`,
    );
    return undefined;
  }
  const name = `provisio_bench_${randomBytes(6).toString('hex')}`;
  let version: string;
  try {
    const result = await admin.query<{ v: string }>(`select current_setting('server_version') as v`);
    version = (result.rows[0]?.v ?? '?').split(' ')[0] ?? '?';
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), version, drop: () => dropDatabase(bench, serverUrl, name) };
}

/**
 * pg-pool's end() resolves before its clients have finished closing, and terminating one of those
 * (DROP ... WITH (FORCE)) makes the pool emit an 'error' nobody listens to any more, which kills the
 * process. A plain DROP waits up to 5 s for other sessions to leave, so it goes first; FORCE only
 * if something else still holds the database. A failed drop is reported and makes the run fail.
 */
async function dropDatabase(bench: string, serverUrl: string, name: string): Promise<void> {
  const dropper = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 });
  try {
    await dropper.connect();
    try {
      await dropper.query(`drop database if exists ${name}`);
    } catch {
      await dropper.query(`drop database if exists ${name} with (force)`);
    }
  } catch (error) {
    process.exitCode = 1;
    console.error(`${bench}: could not drop database ${name}: ${message(error)}`);
  } finally {
    await dropper.end().catch(() => undefined);
  }
}

export interface Timing {
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** Runs `work` `count` times one at a time, after `warmup` untimed runs; p50 and p99 in ms. */
export async function timed(
  count: number,
  work: (i: number) => Promise<unknown>,
  warmup = 50,
): Promise<Timing> {
  for (let i = 0; i < Math.min(warmup, count); i++) await work(count + i);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await work(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const ms = (n: number) => Math.round(n * 100) / 100;
  return { p50: ms(percentile(times, 50)), p99: ms(percentile(times, 99)) };
}
