import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_ORGS } from '../../src/demo/data.ts';
import { cleanEnv, logEntries, runCli, startServer, tempDataDir } from '../support/process.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';
const demoOperator = DEMO_ORGS.flatMap((o) => o.users).find((u) => u.role === 'operator');

/** Signs in with a form post as a browser would; 303 means it worked. */
async function signIn(url: string, email: string, password: string): Promise<number> {
  const res = await fetch(`${url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: url },
    body: new URLSearchParams({ email, password }),
  });
  return res.status;
}

describe('NODE_ENV=production never loads the demo unasked, and logs no secret', () => {
  let sink: SmtpSink;
  before(async () => {
    sink = await startSmtpSink({ parse: false });
  });
  after(() => sink.close());

  /** Webhook signing secrets are sealed with it; production refuses to start without one. */
  const WEBHOOK_SECRETS_KEY = Buffer.alloc(32, 3).toString('base64');
  const production = (extra: Record<string, string> = {}) =>
    cleanEnv({
      NODE_ENV: 'production',
      SMTP_URL: sink.url,
      DATA_DIR: tempDataDir(),
      WEBHOOK_SECRETS_KEY,
      ...extra,
    });

  it('starts an empty database empty, with one line saying how to create the first operator and partner', async () => {
    const env = production({ DEMO_PASSWORD: 'a-password-someone-set' });
    const server = await startServer(env);
    let logs: string[];
    try {
      logs = server.logs;
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
      assert.notEqual(
        await signIn(server.url, demoOperator?.email ?? '', 'a-password-someone-set'),
        303,
        'no demo operator exists',
      );
    } finally {
      await server.stop();
    }
    assert.ok(!logs.some((l) => l.includes('demo data loaded')));
    const hints = logEntries(logs).filter((e) => String(e.msg).startsWith('empty database'));
    assert.equal(hints.length, 1, 'one line explains the empty database');
    assert.match(JSON.stringify(hints[0]), /provisio org create --kind vendor/);
    assert.match(JSON.stringify(hints[0]), /--role operator/);
    assert.ok(!logs.some((l) => l.includes('a-password-someone-set')), 'no password in the log');
    assert.ok(!logs.some((l) => l.includes(WEBHOOK_SECRETS_KEY)), 'no webhook key in the log');
    assert.ok(!logs.some((l) => l.includes('WEBHOOK_SECRETS_KEY is not set')), 'no development key');
    assert.ok(
      !logs.some((l) => /demoPassword|"apiKey":"[^[]/.test(l)),
      'no password or key field in the log',
    );

    // The commands the line names work: the first operator signs in.
    const org = await runCli(['org', 'create', '--kind', 'vendor', '--name', 'Vendor Ops'], env);
    assert.equal(org.code, 0, org.stderr);
    const { id } = JSON.parse(lastLine(org.stdout)) as { id: string };
    const user = await runCli(
      ['user', 'create', '--org', id, '--role', 'operator', '--email', 'first.operator@vendor.example'],
      env,
    );
    assert.equal(user.code, 0, user.stderr);
    const { password } = JSON.parse(lastLine(user.stdout)) as { password: string };
    const again = await startServer(env);
    try {
      assert.equal(await signIn(again.url, 'first.operator@vendor.example', password), 303);
      assert.ok(!again.logs.some((l) => l.includes('empty database')), 'no hint once there is data');
      assert.ok(!again.logs.some((l) => l.includes(password)));
    } finally {
      await again.stop();
    }
  });

  it('refuses `seed --demo` unless --allow-production is given', async () => {
    const env = production();
    const refused = await runCli(['seed', '--demo'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /NODE_ENV=production/);
    assert.match(refused.stderr, /--allow-production/);
    assert.equal(refused.stdout.trim(), '', 'nothing printed, nothing loaded');

    const allowed = await runCli(['seed', '--demo', '--allow-production'], env);
    assert.equal(allowed.code, 0, allowed.stderr);
    const demo = JSON.parse(lastLine(allowed.stdout)) as { users: { password: string }[] };
    assert.ok(demo.users.length > 0, 'asked for on purpose: the logins are the command’s output');
  });

  it('refuses to start without WEBHOOK_SECRETS_KEY, naming the setting', async () => {
    const result = await runCli(['migrate'], production({ WEBHOOK_SECRETS_KEY: '' }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /WEBHOOK_SECRETS_KEY: required when NODE_ENV=production/);
  });

  it('refuses DEMO_SEED=always in production with a message naming the setting', async () => {
    const result = await runCli(['migrate'], production({ DEMO_SEED: 'always' }));
    assert.equal(result.code, 1);
    assert.match(result.stderr, /DEMO_SEED/);
    assert.match(result.stderr, /NODE_ENV=production/);
  });
});
