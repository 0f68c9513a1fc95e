import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cleanEnv, type RunningServer, runCli, startServer, tempDataDir } from '../support/process.ts';

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';
const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

interface DemoJson {
  orgs: { id: string; kind: string; apiKey: string | null }[];
}

async function postOrder(server: RunningServer, apiKey: string, reference: string): Promise<number> {
  const res = await fetch(`${server.url}/api/v1/orders`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      reference,
      endCustomer: { name: 'Acme' },
      lines: [
        {
          offer: 'A-WX',
          quantity: 5,
          requestedStartDate: inAMonth,
          provisioningContactEmail: 'it@acme.example',
        },
      ],
    }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('the embedded database has one owner', () => {
  const dataDir = tempDataDir();
  const env = cleanEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  let server: RunningServer;
  let partner: { id: string; apiKey: string };

  before(async () => {
    const seeded = await runCli(['seed', '--demo'], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    const demo = JSON.parse(lastLine(seeded.stdout)) as DemoJson;
    const org = demo.orgs.find((o) => o.kind === 'partner' && o.apiKey);
    assert.ok(org?.apiKey);
    partner = { id: org.id, apiKey: org.apiKey };
    server = await startServer(env);
  });
  after(async () => {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.stop();
  });

  it('refuses every second process at once, naming the owner and what to do, and loses no write', async () => {
    const pid = String(server.child.pid);
    const attempts = await Promise.all([
      runCli(['seed', '--demo'], env),
      runCli(['org', 'create', '--kind', 'customer', '--name', 'Second Writer'], env),
      runCli(['apikey', 'create', '--org', partner.id], env),
      runCli(['migrate'], env),
    ]);
    for (const attempt of attempts) {
      assert.equal(attempt.code, 1, attempt.stdout);
      const lines = attempt.stderr.trim().split('\n');
      assert.equal(lines.length, 1, attempt.stderr);
      assert.match(attempt.stderr, new RegExp(`in use by Provisio process ${pid}`));
      assert.match(attempt.stderr, /Stop that process first, or set DATABASE_URL/);
    }
    await assert.rejects(startServer(env, 30_000), new RegExp(`in use by Provisio process ${pid}`));
    // The running server still owns a working database.
    assert.equal(await postOrder(server, partner.apiKey, 'OWNER-STILL-WORKS'), 201);
  });

  it('keeps acknowledged orders through kill -9, and the next start takes the stale lock over', async () => {
    const references = Array.from({ length: 20 }, (_, i) => `KILL9-${i}`);
    const statuses = await Promise.all(references.map((r) => postOrder(server, partner.apiKey, r)));
    assert.deepEqual(statuses, Array(references.length).fill(201));
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('close', resolve));

    server = await startServer(env);
    const res = await fetch(`${server.url}/api/v1/orders?q=KILL9-&limit=100`, {
      headers: { Authorization: `Bearer ${partner.apiKey}` },
    });
    assert.equal(res.status, 200);
    const listed = (await res.json()) as { items: { reference: string }[] };
    assert.deepEqual(listed.items.map((o) => o.reference).sort(), [...references].sort());
  });

  it('frees the directory when the owner stops, so the CLI can use it', async () => {
    await server.stop();
    const created = await runCli(['org', 'create', '--kind', 'customer', '--name', 'After Stop'], env);
    assert.equal(created.code, 0, created.stderr);
  });
});

describe('start-up failures are one line naming the cause and the setting', () => {
  const run = (extra: Record<string, string>) =>
    runCli(['start'], cleanEnv({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'info', ...extra }));

  function assertOneLine(result: { code: number; stderr: string }, pattern: RegExp) {
    assert.notEqual(result.code, 0);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', pattern);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace below LOG_LEVEL=debug');
  }

  it('a database that is down', async () => {
    const result = await run({ DATABASE_URL: 'postgres://provisio:S3cretPw@127.0.0.1:1/provisio' });
    assertOneLine(
      result,
      /Cannot reach the database \(DATABASE_URL postgres:\/\/provisio:\*\*\*@127\.0\.0\.1:1\/provisio\)/,
    );
    assert.doesNotMatch(result.stderr, /S3cretPw/);
  });

  it('a port in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const address = blocker.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const result = await run({ PORT: String(port), HOST: '127.0.0.1', DEMO_SEED: 'never' });
      assertOneLine(result, new RegExp(`PORT: port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('a HOST that is not this machine', async () => {
    const result = await run({ HOST: 'no-such-host.invalid', DEMO_SEED: 'never' });
    assertOneLine(result, /HOST: "no-such-host\.invalid" is not an address of this machine/);
  });

  it('a missing or broken catalogue file', async () => {
    assertOneLine(await run({ CATALOG_FILE: '/nonexistent/catalog.json' }), /CATALOG_FILE: no such file/);
    const broken = path.join(tempDataDir(), 'catalog.json');
    writeFileSync(broken, '{ not json');
    assertOneLine(await run({ CATALOG_FILE: broken }), /CATALOG_FILE .*catalog\.json: is not valid JSON/);
  });

  it('a bad setting, never echoing a password in URL or key=value form', async () => {
    assertOneLine(await run({ PORT: 'eighty' }), /Invalid configuration: PORT: .*"eighty"/);
    for (const url of ['mysql://admin:Hunter2Pw@db/x', 'host=db user=admin password=Hunter2Pw dbname=x']) {
      const result = await run({ DATABASE_URL: url });
      assertOneLine(result, /DATABASE_URL/);
      assert.doesNotMatch(result.stderr, /Hunter2Pw/);
    }
  });

  it('shows the stack trace at LOG_LEVEL=debug', async () => {
    const result = await run({ CATALOG_FILE: path.join(tempDataDir(), 'missing.json'), LOG_LEVEL: 'debug' });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\n\s+at /);
  });
});
