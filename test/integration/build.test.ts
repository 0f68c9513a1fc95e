import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, ROOT, tempDataDir } from '../support/process.ts';

interface Built {
  url: string;
  logs: string[];
  stop(): Promise<void>;
}

/** Runs the bundle as plain node would in production (no --import tsx) until it says it listens. */
function startBuilt(main: string, env: NodeJS.ProcessEnv): Promise<Built> {
  const child = spawn(process.execPath, [main, 'start'], {
    cwd: ROOT,
    env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
  });
  const logs: string[] = [];
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once('close', () => done());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the build did not start in time:\n${logs.join('\n')}`));
    }, 60_000);
    child.stderr.on('data', (d: Buffer) => logs.push(String(d)));
    child.stdout.on('data', (d: Buffer) => {
      for (const line of String(d).split('\n')) {
        logs.push(line);
        const port = /"msg":"Provisio is listening"/.test(line) ? /"port":(\d+)/.exec(line)?.[1] : undefined;
        if (port) {
          clearTimeout(timer);
          resolve({ url: `http://127.0.0.1:${port}`, logs, stop });
        }
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`the build exited with ${code}:\n${logs.join('\n')}`));
    });
  });
}

/**
 * The production build as `npm start` runs it: bundled JavaScript, no TypeScript compiler loaded, the
 * files it reads at run time found from its own folder, a fresh embedded database made from the
 * build's template and given the demo data. Built into a folder of its own (the same layout as dist/),
 * so the tests that run bin/provisio.mjs meanwhile are not disturbed.
 */
describe('the production build', () => {
  let out: string;
  let server: Built | undefined;

  before(async () => {
    out = mkdtempSync(path.join(ROOT, '.build-test-'));
    const built = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/build.ts', '--out', path.basename(out)],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    assert.equal(built.status, 0, built.stderr);
    server = await startBuilt(path.join(out, 'main.js'), cleanEnv({ DATA_DIR: tempDataDir() }));
  });
  after(async () => {
    await server?.stop();
    rmSync(out, { recursive: true, force: true });
  });

  it('holds the bundle, the migrations and a database template', () => {
    assert.ok(existsSync(path.join(out, 'main.js')));
    assert.ok(existsSync(path.join(out, 'migrations', '0001_foundation.sql')));
    assert.ok(existsSync(path.join(out, 'pglite-template', 'PG_VERSION')));
    assert.doesNotMatch(readFileSync(path.join(out, 'main.js'), 'utf8'), /from ["']tsx/);
  });

  it('starts on a fresh data directory with the demo loaded and answers healthy', async () => {
    assert.ok(server);
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.ok(
      server.logs.some((line) => line.includes('demo data loaded')),
      'the demo logins are announced',
    );
  });

  it('serves a page with its stylesheet and script', async () => {
    assert.ok(server);
    const page = await fetch(`${server.url}/login`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form/);
    for (const asset of ['app.css', 'provisioning.js', 'htmx.min.js']) {
      const response = await fetch(`${server.url}/assets/${asset}`);
      assert.equal(response.status, 200, asset);
      assert.ok((await response.text()).length > 100, asset);
    }
  });
});
