import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'provisio.mjs');

export function tempDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'provisio-test-'));
}

/** The environment a fresh machine would have: no database URL, demo password left to chance. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env.DATABASE_URL;
  delete env.DEMO_PASSWORD;
  delete env.PORT;
  return { ...env, ...extra };
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface RunningServer {
  url: string;
  logs: string[];
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Spawns `provisio <command>` and resolves once a JSON log line satisfies `ready`; rejects when the
 * process exits first or does not get there in time (with its output, to see why).
 */
function spawnUntilReady<T>(
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  ready: (entry: Record<string, unknown>, child: ChildProcess, logs: string[]) => T | undefined,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, command], { cwd: ROOT, env });
    const logs: string[] = [];
    let buffered = '';
    let settled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} did not start in time:\n${logs.join('\n')}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => logs.push(String(d)));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const entry = safeJson(line);
        const value = entry && !settled ? ready(entry, child, logs) : undefined;
        if (value !== undefined) {
          settled = true;
          clearTimeout(timer);
          resolve(value);
        }
      }
    });
    // 'close', not 'exit': by then all of its output has been read, so the error shows why.
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code}:\n${logs.join('\n')}`));
    });
  });
}

/** Starts `provisio start` as a user would and waits until it listens. */
export function startServer(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningServer> {
  return spawnUntilReady(
    'start',
    { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    timeoutMs,
    (entry, child, logs) =>
      entry.msg === 'Provisio is listening' && typeof entry.port === 'number'
        ? {
            url: `http://127.0.0.1:${entry.port}`,
            logs,
            child,
            stop: () =>
              new Promise<void>((done) => {
                if (child.exitCode !== null || child.signalCode !== null) return done();
                child.once('close', () => done());
                child.kill('SIGTERM');
              }),
          }
        : undefined,
  );
}

function safeJson(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface RunningWorker {
  logs: string[];
  child: ChildProcess;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number | null>;
}

/** Starts `provisio worker` (jobs only, no HTTP) and waits until its workers run. */
export function startWorker(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningWorker> {
  return spawnUntilReady('worker', { ...env, LOG_LEVEL: 'info' }, timeoutMs, (entry, child, logs) =>
    entry.msg === 'Provisio worker is running'
      ? {
          logs,
          child,
          exited: new Promise<number | null>((done) => child.once('exit', (code) => done(code))),
        }
      : undefined,
  );
}

/** The JSON log entries among a process's output lines. */
export function logEntries(logs: string[]): Record<string, unknown>[] {
  return logs.map(safeJson).filter((entry) => entry !== undefined);
}
