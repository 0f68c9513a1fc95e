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

/** Starts `provisio start` as a user would and waits until it listens. */
export function startServer(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: ROOT,
      env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    });
    const logs: string[] = [];
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${logs.join('\n')}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => logs.push(String(d)));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        const entry = safeJson(line);
        if (entry?.msg === 'Provisio is listening' && typeof entry.port === 'number') {
          clearTimeout(timer);
          resolve({
            url: `http://127.0.0.1:${entry.port}`,
            logs,
            child,
            stop: () =>
              new Promise((done) => {
                child.once('close', () => done());
                child.kill('SIGTERM');
              }),
          });
        }
      }
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs.join('\n')}`));
    });
  });
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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'worker'], { cwd: ROOT, env: { ...env, LOG_LEVEL: 'info' } });
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const logs: string[] = [];
    let buffered = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not start in time:\n${logs.join('\n')}`));
    }, timeoutMs);
    child.stderr.on('data', (d: Buffer) => logs.push(String(d)));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        logs.push(line);
        if (safeJson(line)?.msg === 'Provisio worker is running') {
          clearTimeout(timer);
          resolve({ logs, child, exited });
        }
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${logs.join('\n')}`));
    });
  });
}

/** The JSON log entries among a process's output lines. */
export function logEntries(logs: string[]): Record<string, unknown>[] {
  return logs.map(safeJson).filter((entry) => entry !== undefined);
}
