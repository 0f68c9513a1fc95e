import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { DEMO_ORGS } from '../../src/demo/data.ts';
import { LINE_STATUSES } from '../../src/modules/orders/lifecycle.ts';
import { openPglite } from '../../src/platform/db.ts';
import { LOCALES } from '../../src/platform/i18n.ts';
import { freshDatabase } from '../support/harness.ts';
import { cleanEnv, runCli, startServer, tempDataDir } from '../support/process.ts';

interface DemoJson {
  status: 'created' | 'unchanged' | 'reset';
  orgs: { id: string; name: string; kind: string; apiKey: string | null }[];
  users: { email: string; password: string | null; orgId: string; role: string }[];
}

const lastLine = (text: string) => text.trim().split('\n').pop() ?? '';

/** The migrations a started server must have applied: the SQL files in src/migrations. */
const MIGRATION_FILES = readdirSync(
  path.resolve(import.meta.dirname, '..', '..', 'src', 'migrations'),
).filter((name) => /^\d{4}_\w+\.sql$/.test(name));

describe('the provisio command', () => {
  const dataDir = tempDataDir();
  const env = cleanEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
  let demo: DemoJson;

  before(async () => {
    const seeded = await runCli(['seed', '--demo'], env);
    assert.equal(seeded.code, 0, seeded.stderr);
    demo = JSON.parse(lastLine(seeded.stdout)) as DemoJson;
  });

  it('lists every command in --help, and every command has its own --help', async () => {
    const { code, stdout } = await runCli(['--help'], env);
    assert.equal(code, 0);
    for (const command of ['start', 'migrate', 'seed', 'org', 'user', 'apikey', 'order'])
      assert.match(stdout, new RegExp(`\\b${command}\\b`));
    for (const [args, expected] of [
      [['seed', '--help'], /--demo/],
      [['org', 'create', '--help'], /--kind <kind>.*\n?.*partner/],
      [['user', 'create', '--help'], /--role <role>/],
      [['apikey', 'create', '--help'], /--org <id>/],
      [['apikey', 'list', '--help'], /--org <id>/],
      [['apikey', 'revoke', '--help'], /<id>/],
      [['order', 'create', '--help'], /--as <email>/],
      [['start', '--help'], /Serve the web app/],
    ] as const) {
      const help = await runCli([...args], env);
      assert.equal(help.code, 0, args.join(' '));
      assert.match(help.stdout, expected, args.join(' '));
    }
  });

  it('seeds believable demo data and prints the logins as JSON on its last line', async () => {
    const kinds = demo.orgs.map((o) => o.kind);
    assert.ok(kinds.filter((k) => k === 'partner').length >= 2);
    assert.ok(kinds.includes('distributor'));
    assert.ok(kinds.filter((k) => k === 'customer').length >= 3);
    for (const org of demo.orgs) assert.equal(org.apiKey === null, org.kind === 'customer', org.name);
    assert.equal(demo.status, 'created');
    assert.ok(
      demo.users.every((u) => (u.password ?? '').length >= 10 && demo.orgs.some((o) => o.id === u.orgId)),
    );
    assert.ok(
      demo.users.some((u) => u.role === 'partner_admin') && demo.users.some((u) => u.role === 'partner_user'),
    );
  });

  it('seeds again changing nothing and saying so; --reset issues a new password and fresh keys', async () => {
    const hashes = async () => {
      const handle = await openPglite(dataDir);
      try {
        return await handle.db
          .selectFrom('users')
          .select(['email', 'password_hash'])
          .orderBy('email')
          .execute();
      } finally {
        await handle.close();
      }
    };
    const before = await hashes();
    const again = await runCli(['seed', '--demo'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already loaded: nothing changed/);
    const second = JSON.parse(lastLine(again.stdout)) as DemoJson;
    assert.equal(second.status, 'unchanged');
    assert.ok(second.orgs.every((o) => o.apiKey === null) && second.users.every((u) => u.password === null));
    assert.deepEqual(await hashes(), before, 'no password hash changed');

    // A demo user an admin removed in the hub since: the reset goes on for the others.
    const removed = await openPglite(dataDir);
    try {
      await removed.db.deleteFrom('users').where('email', '=', 'jane.doe@acme.example').execute();
    } finally {
      await removed.close();
    }
    const reset = await runCli(['seed', '--demo', '--reset'], env);
    assert.equal(reset.code, 0, reset.stderr);
    const third = JSON.parse(lastLine(reset.stdout)) as DemoJson;
    assert.equal(third.status, 'reset');
    assert.deepEqual(
      third.orgs.map((o) => o.id),
      demo.orgs.map((o) => o.id),
    );
    assert.notEqual(third.orgs[0]?.apiKey, demo.orgs[0]?.apiKey);
    assert.notDeepEqual(await hashes(), before);
    demo = third;
  });

  it('creates an API key, refuses a bad user with a message naming the field', async () => {
    const partner = demo.orgs.find((o) => o.kind === 'partner');
    assert.ok(partner);
    const key = await runCli(['apikey', 'create', '--org', partner.id, '--name', 'erp'], env);
    assert.equal(key.code, 0, key.stderr);
    assert.match((JSON.parse(lastLine(key.stdout)) as { apiKey: string }).apiKey, /^pvk_[\w-]{43}$/);
    const bad = await runCli(
      ['user', 'create', '--org', partner.id, '--email', 'not-an-email', '--role', 'partner_user'],
      env,
    );
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /email: email must be a valid email address/);
    const unknownFlag = await runCli(
      ['apikey', 'create', '--org', partner.id, '--organisation', partner.id],
      env,
    );
    assert.equal(unknownFlag.code, 1);
    assert.equal(unknownFlag.stderr.trim(), "error: unknown option '--organisation' (add --help for usage)");
  });

  it('lists an organization’s keys without their secrets, and revokes one by id', async () => {
    const partner = demo.orgs.find((o) => o.kind === 'partner');
    assert.ok(partner?.apiKey);
    type KeyJson = { id: string; name: string; prefix: string; status: string; revokedAt: string | null };
    const list = async () => {
      const listed = await runCli(['apikey', 'list', '--org', partner.id, '--json'], env);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok(!listed.stdout.includes(partner.apiKey ?? ''), 'no secret is printed');
      return JSON.parse(lastLine(listed.stdout)) as KeyJson[];
    };
    const keys = await list();
    // Seeding with --reset replaced the first demo key: it is listed as revoked.
    assert.ok(keys.some((k) => k.name === 'demo' && k.status === 'revoked'));
    const live = keys.find((k) => k.name === 'demo' && k.status === 'active');
    assert.ok(live && partner.apiKey.startsWith(live.prefix));

    const revoked = await runCli(['apikey', 'revoke', live.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    const printed = JSON.parse(lastLine(revoked.stdout)) as KeyJson;
    assert.equal(printed.status, 'revoked');
    assert.ok(printed.revokedAt);
    assert.equal((await list()).find((k) => k.id === live.id)?.status, 'revoked');

    const unknown = await runCli(['apikey', 'revoke', '00000000-0000-4000-8000-000000000000'], env);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr.trim(),
      'apikey revoke: there is no API key 00000000-0000-4000-8000-000000000000 (apikey list --org <id> shows them)',
    );
  });

  describe('demo contents', () => {
    let handle: Awaited<ReturnType<typeof openPglite>>;
    before(async () => {
      handle = await openPglite(dataDir);
    });
    after(() => handle.close());

    it('covers every line status, every language, verified and claimed domains, and user activity', async () => {
      const statuses = await handle.db.selectFrom('order_lines').select('status').distinct().execute();
      assert.deepEqual(statuses.map((s) => s.status).sort(), [...LINE_STATUSES].sort());
      const locales = await handle.db.selectFrom('orders').select('locale').distinct().execute();
      assert.deepEqual(locales.map((l) => l.locale).sort(), [...LOCALES].sort());
      const domains = await handle.db
        .selectFrom('organization_domains')
        .select('status')
        .distinct()
        .execute();
      assert.deepEqual(domains.map((d) => d.status).sort(), ['claimed', 'verified']);
      const { rows } = await sql<{ active: number; stale: number }>`
        select count(*) filter (where last_active_at > now() - interval '30 days')::int as active,
               count(*) filter (where last_active_at < now() - interval '365 days')::int as stale
        from users`.execute(handle.db);
      assert.ok((rows[0]?.active ?? 0) > 0 && (rows[0]?.stale ?? 0) > 0);
      const resellerOrders = await handle.db
        .selectFrom('orders')
        .select('id')
        .whereRef('partner_org_id', '<>', 'placed_by_org_id')
        .execute();
      assert.ok(resellerOrders.length > 0, 'a distributor placed orders for its resellers');
      // A newcomer finds a request waiting for an operator in the back office (docs/adr/0032).
      const open = await handle.db
        .selectFrom('provision_requests')
        .select(['mode', 'offer_code'])
        .where('state', '=', 'open')
        .execute();
      assert.deepEqual(open, [{ mode: 'manual', offer_code: 'A-CALL' }]);
    });
  });
});

describe('npm start on an empty embedded database', () => {
  it('applies migrations, loads the demo, logs the demo logins, and serves /healthz', async () => {
    const server = await startServer(cleanEnv({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'info' }));
    try {
      const res = await fetch(`${server.url}/healthz`);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { status: string }).status, 'ok');
      const demoLine = server.logs.map((l) => l.trim()).find((l) => l.includes('demo data loaded'));
      assert.ok(demoLine, 'the demo logins are logged');
      const logged = JSON.parse(demoLine) as { logins: { email: string }[]; demoPassword: string };
      assert.ok(logged.logins.length >= 3);
      const login = await fetch(`${server.url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.url },
        body: new URLSearchParams({ email: logged.logins[0]?.email ?? '', password: logged.demoPassword }),
      });
      assert.equal(login.status, 303, 'the logged demo login works');
    } finally {
      await server.stop();
    }
  });
});

describe('npm start on a PostgreSQL server', {
  skip: process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set',
}, () => {
  it('two processes starting at once both come up on one migrated schema, with no demo unless asked', async () => {
    const database = await freshDatabase('postgres', { empty: true });
    const env = cleanEnv({ DATABASE_URL: database.url ?? '', DATA_DIR: tempDataDir() });
    const servers = await Promise.all([startServer(env), startServer(env)]);
    try {
      for (const server of servers) {
        const res = await fetch(`${server.url}/healthz`);
        assert.equal(res.status, 200);
        assert.ok(!server.logs.some((l) => l.includes('demo data loaded')));
      }
      const orgs = await database.db.selectFrom('organizations').select('id').execute();
      assert.equal(orgs.length, 0);
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from schema_migrations`.execute(
        database.db,
      );
      assert.equal(rows[0]?.n, MIGRATION_FILES.length, 'every migration applied, each once');
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await database.close();
    }
  });

  it('with DEMO_SEED=always, two processes starting at once load the demo exactly once', async () => {
    const database = await freshDatabase('postgres');
    const env = cleanEnv({ DATABASE_URL: database.url ?? '', DATA_DIR: tempDataDir(), DEMO_SEED: 'always' });
    const servers = await Promise.all([startServer(env), startServer(env)]);
    try {
      const seeded = servers.filter((s) => s.logs.some((l) => l.includes('demo data loaded')));
      assert.equal(seeded.length, 1);
      const orgs = await database.db.selectFrom('organizations').select('id').execute();
      assert.equal(orgs.length, DEMO_ORGS.length);
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
      await database.close();
    }
  });
});
