import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { DatabaseHandle } from '../../src/platform/db.ts';
import { type Engine, freshDatabase, testEngines } from '../support/harness.ts';
import { BIN, cleanEnv, logEntries, ROOT, runCli, startServer, tempDataDir } from '../support/process.ts';

/** `provisio start` as a person sees it: which log format, and what the demo's first start prints. */

interface DemoLoaded {
  msg: string;
  demoPassword: string;
  logins: { role: string; email: string; organization: string }[];
  demoApiKey: { key: string; organization: string; try: string };
}

async function signIn(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: url },
    body: new URLSearchParams({ email, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

/** `provisio start` with readable logs: ready once a line says it listens (and on which port). */
function startPretty(
  env: NodeJS.ProcessEnv,
): Promise<{ lines: string[]; port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start'], {
      cwd: ROOT,
      env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no start in time:\n${out}`));
    }, 120_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const port = / INFO {2}Provisio is listening port=(\d+)/.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ lines: out.split('\n'), port: Number(port), child });
      }
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`start exited with ${code}:\n${out}`));
    });
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('close', () => done());
    child.kill('SIGTERM');
  });

for (const engine of testEngines()) {
  describe(`the demo's first start and the next (${engine})`, () => {
    let env: NodeJS.ProcessEnv;
    let database: (DatabaseHandle & { url?: string }) | undefined;

    before(async () => {
      if (engine === ('postgres' satisfies Engine)) {
        database = await freshDatabase('postgres');
        env = cleanEnv({ DATABASE_URL: database.url ?? '', DATA_DIR: tempDataDir(), DEMO_SEED: 'always' });
      } else {
        env = cleanEnv({ DATA_DIR: tempDataDir() });
      }
    });
    after(() => database?.close());

    it('prints one login per role, the password and an API key that works, as JSON lines off a terminal', async () => {
      const server = await startServer(env);
      try {
        const entries = logEntries(server.logs);
        assert.equal(entries.length, server.logs.filter((l) => l.trim()).length, 'every line is JSON');
        const demo = entries.find((e) => String(e.msg).startsWith('demo data loaded')) as
          | DemoLoaded
          | undefined;
        assert.ok(demo, 'the demo block is logged');
        assert.deepEqual(
          demo.logins.map((l) => l.role),
          ['operator', 'partner_admin', 'partner_user', 'customer_admin', 'customer_user'],
        );
        for (const login of demo.logins) {
          assert.equal(await signIn(server.url, login.email, demo.demoPassword), 303, login.email);
        }
        const orders = await fetch(`${server.url}/api/v1/orders`, {
          headers: { Authorization: `Bearer ${demo.demoApiKey.key}` },
        });
        assert.equal(orders.status, 200, 'the demo API key authenticates');
        assert.ok(((await orders.json()) as { items: unknown[] }).items.length > 0);
        assert.match(demo.demoApiKey.try, /^curl -H "Authorization: Bearer pvk_/);
      } finally {
        await server.stop();
      }
    });

    it('on the next start, shows no password or key but how to make a new key, which works', async () => {
      const server = await startServer(env);
      let command: string;
      try {
        const present = logEntries(server.logs).find((e) => String(e.msg).startsWith('demo data present'));
        assert.ok(present, 'the next start mentions the demo');
        assert.ok(!server.logs.some((l) => /demoPassword|pvk_/.test(l)), 'no password and no key');
        command = (present.getNew as { key: string }).key;
        assert.match(command, /^npx provisio apikey create --org [0-9a-f-]{36} --name demo$/);
      } finally {
        await server.stop();
      }
      const created = await runCli(command.split(' ').slice(2), { ...env, LOG_LEVEL: 'warn' });
      assert.equal(created.code, 0, created.stderr);
      const { apiKey } = JSON.parse(created.stdout) as { apiKey: string };
      const again = await startServer(env);
      try {
        const res = await fetch(`${again.url}/api/v1/orders`, {
          headers: { Authorization: `Bearer ${apiKey}` },
        });
        assert.equal(res.status, 200);
      } finally {
        await again.stop();
      }
    });
  });
}

describe('LOG_FORMAT', () => {
  it('pretty: readable lines (time, level, message, key=value), the demo as a block, no colour off a terminal', async () => {
    const { lines, port, child } = await startPretty(
      cleanEnv({ DATA_DIR: tempDataDir(), LOG_FORMAT: 'pretty' }),
    );
    try {
      const text = lines.join('\n');
      assert.ok(!lines.some((l) => l.startsWith('{')), 'no JSON line');
      assert.ok(!text.includes('\u001b['), 'no colour codes into a pipe');
      assert.match(
        text,
        new RegExp(`^\\d\\d:\\d\\d:\\d\\d INFO  Provisio is listening port=${port} engine=pglite`, 'm'),
      );
      assert.match(
        text,
        /^\d\d:\d\d:\d\d INFO {2}demo data loaded: sign in at http:\/\/localhost:0 .* demoPassword=demo-\S+$/m,
      );
      assert.match(text, /^ {4}logins:\n {6}operator {8}nora\.walsh@provisio\.example/m);
      assert.match(text, /^ {4}demoApiKey:\n {6}key {11}pvk_[\w-]{43}$/m);
      assert.ok(
        lines.every((l) => l.length <= 200),
        'no 700-character lines',
      );
    } finally {
      await stop(child);
    }
  });

  it('unset, is readable and coloured on a terminal (a pseudo-terminal from script(1))', {
    skip: existsSync('/usr/bin/script') ? false : 'script(1) is not installed',
  }, async () => {
    // A start that loads the demo (an INFO line whether it runs the build or the sources) and then
    // stops by itself: HOST is no address of this machine.
    const env = cleanEnv({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'info', HOST: 'no-such-host.invalid' });
    delete env.LOG_FORMAT;
    delete env.DEMO_SEED;
    const output = await new Promise<string>((resolve) => {
      const child = spawn('/usr/bin/script', ['-qec', `${process.execPath} ${BIN} start`, '/dev/null'], {
        cwd: ROOT,
        env,
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d;
      });
      child.once('close', () => resolve(out));
    });
    const esc = String.fromCharCode(27);
    assert.ok(output.includes(`${esc}[32mINFO ${esc}[0m demo data loaded`), output);
    assert.ok(!output.includes('{"level"'), 'no JSON on a terminal');
    assert.match(output, /HOST: "no-such-host\.invalid" is not an address of this machine/);
  });

  it('refuses a value it does not know, in one line naming the setting', async () => {
    const result = await runCli(['start'], cleanEnv({ DATA_DIR: tempDataDir(), LOG_FORMAT: 'yaml' }));
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(
      result.stderr,
      /^Invalid configuration: LOG_FORMAT: must be "pretty" or "json" \(got "yaml"\)/,
    );
  });
});
