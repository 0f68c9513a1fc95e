/**
 * Start time and idle memory of `npm start`, beside a baseline measured in the same run: an empty node
 * HTTP server (`node -e`), spawned and polled the same way.
 *
 *   npm run bench:startup
 *
 * It builds first (`npm run build`, quick when the database template can be reused), then spawns what
 * `npm start` spawns, `node bin/provisio.mjs start` (npm's own start-up, about 0.3 s, is left out), and
 * times from the spawn to the first 200 from /healthz. Then it waits BENCH_IDLE_SECONDS (3) and reads
 * the process's resident memory (VmRSS) and its peak (VmHWM) from /proc, and the CPU time it used to
 * get healthy (user + system), which depends less than wall time on what else the machine is doing.
 *
 * Scenarios, BENCH_RUNS (3) times each, printed as p50 and max:
 *   embedded, first start   a fresh DATA_DIR: the database is made and the demo data loaded
 *   embedded, later start   the same DATA_DIR again
 *   postgres, first start   DATABASE_URL to a fresh database (migrations, no demo data)
 *   postgres, later start   the same database again
 * Env: BENCH_DATABASE_URL (else TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test) names
 * the server; a database provisio_bench_<hex> is created on it and dropped at the end. Without a
 * server the PostgreSQL rows are skipped. Figures are printed, not asserted: the run exits 0.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type BenchDatabase, createBenchDatabase, envInt } from './support.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin', 'provisio.mjs');
const TARGETS = { embeddedFirstMs: 3000, embeddedLaterMs: 1500, embeddedRssMb: 300, postgresRssMb: 200 };

interface Sample {
  startMs: number;
  cpuMs: number;
  rssMb: number;
  peakMb: number;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** VmRSS and VmHWM in MB, and user + system CPU time in ms, of a live process (Linux /proc). */
function processFigures(pid: number): { rssMb: number; peakMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  // Fields 14 and 15 of /proc/<pid>/stat, counted after the command name (which may hold spaces).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const ticksPerSecond = 100; // USER_HZ on Linux
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024, cpuMs: (ticks * 1000) / ticksPerSecond };
}

async function waitForOk(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the process exited with ${child.exitCode} before ${url} answered`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(10);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Spawns, times until `path` answers 200, lets it idle, reads its figures, stops it. */
async function measure(args: string[], env: NodeJS.ProcessEnv, probe: string): Promise<Sample> {
  const port = await freePort();
  const output: string[] = [];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => output.push(String(d)));
  child.stderr?.on('data', (d: Buffer) => output.push(String(d)));
  try {
    await waitForOk(`http://127.0.0.1:${port}${probe}`, child, 120_000);
    const startMs = performance.now() - started;
    const { cpuMs } = processFigures(child.pid ?? 0);
    await sleep(envInt('BENCH_IDLE_SECONDS', 3) * 1000);
    const { rssMb, peakMb } = processFigures(child.pid ?? 0);
    return { startMs, cpuMs, rssMb, peakMb };
  } catch (error) {
    throw new Error(
      `${args.join(' ')}: ${error instanceof Error ? error.message : error}\n${output.join('')}`,
    );
  } finally {
    await stop(child);
  }
}

const BASELINE_SERVER =
  "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST)";

function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DEMO_SEED: 'auto', ...extra };
  delete env.DEMO_PASSWORD;
  if (!extra.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

function quantiles(values: number[]): { p50: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN, max: sorted[sorted.length - 1] ?? NaN };
}

function row(name: string, samples: Sample[], target = ''): string {
  const pick = (key: keyof Sample) => quantiles(samples.map((s) => s[key]));
  const f = (q: { p50: number; max: number }, digits = 0) =>
    `${q.p50.toFixed(digits)} / ${q.max.toFixed(digits)}`;
  return [
    name.padEnd(26),
    f(pick('startMs')).padStart(13),
    f(pick('cpuMs')).padStart(13),
    f(pick('rssMb')).padStart(11),
    f(pick('peakMb')).padStart(11),
    `  ${target}`,
  ].join('');
}

async function scenario(
  runs: number,
  fresh: () => Promise<NodeJS.ProcessEnv>,
): Promise<{ first: Sample[]; later: Sample[] }> {
  const first: Sample[] = [];
  const later: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const env = await fresh();
    first.push(await measure([BIN, 'start'], env, '/healthz'));
    later.push(await measure([BIN, 'start'], env, '/healthz'));
  }
  return { first, later };
}

async function main(): Promise<number> {
  const runs = envInt('BENCH_RUNS', 3);
  const built = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) return 1;

  const baseline: Sample[] = [];
  for (let i = 0; i < runs; i++) baseline.push(await measure(['-e', BASELINE_SERVER], process.env, '/'));

  const dirs: string[] = [];
  const embedded = await scenario(runs, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'provisio-bench-start-'));
    dirs.push(dir);
    return cleanEnv({ DATA_DIR: dir });
  });
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });

  const databases: BenchDatabase[] = [];
  let postgres: { first: Sample[]; later: Sample[] } | undefined;
  let version = '';
  try {
    postgres = await scenario(runs, async () => {
      const database = await createBenchDatabase('startup');
      if (!database) throw new Error('no PostgreSQL server');
      databases.push(database);
      version = database.version;
      return cleanEnv({ DATABASE_URL: database.url, DATA_DIR: path.join(tmpdir(), 'provisio-bench-unused') });
    });
  } catch (error) {
    console.error(`startup: PostgreSQL rows skipped: ${error instanceof Error ? error.message : error}`);
  } finally {
    for (const database of databases) await database.drop();
  }

  console.log(
    `\nstartup (${runs} runs each; p50 / max; RSS read ${envInt('BENCH_IDLE_SECONDS', 3)} s after healthy)`,
  );
  console.log(
    `${'scenario'.padEnd(26)}${'to healthy ms'.padStart(13)}${'CPU ms'.padStart(13)}${'RSS MB'.padStart(11)}${'peak MB'.padStart(11)}  target`,
  );
  console.log(row('baseline: node -e http', baseline));
  console.log(
    row(
      'embedded, first (+demo)',
      embedded.first,
      `< ${TARGETS.embeddedFirstMs} ms, ≤ ${TARGETS.embeddedRssMb} MB`,
    ),
  );
  console.log(
    row('embedded, later', embedded.later, `< ${TARGETS.embeddedLaterMs} ms, ≤ ${TARGETS.embeddedRssMb} MB`),
  );
  if (postgres) {
    console.log(row(`postgres ${version}, first`, postgres.first, `≤ ${TARGETS.postgresRssMb} MB`));
    console.log(row(`postgres ${version}, later`, postgres.later, `≤ ${TARGETS.postgresRssMb} MB`));
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
