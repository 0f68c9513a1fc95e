import assert from 'node:assert/strict';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { connectPostgres } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Runtime } from '../../src/platform/runtime.ts';
import { createRuntime } from '../../src/runtime.ts';
import {
  CATALOG_FILE,
  freshDatabase,
  type Harness,
  orderBody,
  PUBLIC_URL,
  startHarness,
  testEngines,
} from '../support/harness.ts';

for (const engine of testEngines()) {
  describe(`logs carry no personal data or secrets (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    it('a failed query is logged by its SQLSTATE and statement name, never its parameters or message', async () => {
      const secrets = ['contact.person@customer.example', 'idem-key-7f3a9c'];
      const failure =
        await sql`insert into orders (id, reference) values (${secrets[0]}::uuid, ${secrets[1]})`
          .execute(h.db)
          .then(
            () => undefined,
            (error: unknown) => error,
          );
      assert.ok(failure instanceof Error);
      const lines: string[] = [];
      const log = createLogger(
        'trace',
        new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk));
            done();
          },
        }),
      );
      log.error({ err: failure }, 'unhandled error');
      const entry = JSON.parse(lines[0] ?? '{}') as { err?: { code?: string; statement?: string } };
      assert.equal(entry.err?.code, '22P02');
      assert.equal(entry.err?.statement, 'insert orders');
      for (const secret of secrets) assert.ok(!lines[0]?.includes(secret), `${secret} leaked: ${lines[0]}`);
    });

    it('no request leaves a contact email, an Idempotency-Key or an API key in the logs', async () => {
      const partner = await h.tenant();
      const email = 'private.person@leak-check.example';
      const key = 'leak-check-idempotency-key';
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: email }),
        { 'Idempotency-Key': key },
      );
      assert.equal(res.status, 201);
      await h.api(partner, 'GET', `/api/v1/orders?q=${encodeURIComponent(email)}`);
      const text = h.logs.join('');
      for (const secret of [email, key, partner.apiKey]) assert.ok(!text.includes(secret), secret);
    });
  });
}

/** A TCP hop between Provisio and PostgreSQL that the test can cut and restore, like a network failure. */
class CuttableLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    this.port = typeof address === 'object' && address ? address.port : 0;
    this.server = server;
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

describe('a database that goes away while running (postgres)', {
  skip: testEngines().includes('postgres') ? false : 'TEST_DATABASE_URL is not set',
}, () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let link: CuttableLink;
  let rt: Runtime;
  let apiKey = '';
  let cookie = '';
  const logs: string[] = [];

  before(async () => {
    database = await freshDatabase('postgres');
    const target = new URL(database.url ?? '');
    link = new CuttableLink(target.hostname, Number(target.port || 5432));
    await link.open();
    const viaLink = new URL(target);
    viaLink.host = `127.0.0.1:${link.port}`;
    const log = createLogger(
      'info',
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
    rt = await createRuntime({
      config: loadConfig({ PUBLIC_URL, CATALOG_FILE }),
      log,
      database: connectPostgres(viaLink.toString(), 4, log),
    });
    const ctx = rt.systemContext('test');
    const org = await identity.createOrganization(ctx, { kind: 'partner', name: 'Outage Partner' });
    await identity.createUser(ctx, {
      organizationId: org.id,
      email: 'admin@outage.example',
      role: 'partner_admin',
      password: 'correct horse battery',
    });
    apiKey = (await apiKeys.createApiKey(ctx, org.id, 'test')).key;
    const attempt = { email: 'admin@outage.example', password: 'correct horse battery', client: 'test' };
    cookie = `provisio_session=${(await identity.signIn(ctx, attempt, 1)).token}`;
  });
  after(async () => {
    await link.cut();
    await rt.close();
    await database.close();
  });

  it('answers 503 with Retry-After (problem+json for the API, a page for the workspace), then recovers', async () => {
    const app = createApp(rt);
    assert.equal(
      (await app.request('/api/v1/orders', { headers: { Authorization: `Bearer ${apiKey}` } })).status,
      200,
    );
    await link.cut();

    const api = await app.request('/api/v1/orders', {
      headers: { Authorization: `Bearer ${apiKey}`, 'Accept-Language': 'it' },
    });
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('content-type'), 'application/problem+json');
    assert.ok(Number(api.headers.get('retry-after')) > 0);
    const problem = (await api.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'service_unavailable');
    assert.match(problem.detail, /database/);

    const page = await app.request('/orders', { headers: { Cookie: cookie } });
    assert.equal(page.status, 503);
    assert.ok(Number(page.headers.get('retry-after')) > 0);
    assert.match(await page.text(), /Service temporarily unavailable/);

    const create = await app.request('/api/v1/orders', {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(orderBody()),
    });
    assert.equal(create.status, 503);
    assert.equal((await app.request('/healthz')).status, 503);
    assert.ok(!logs.join('').includes('"level":50'), 'an outage is a warning, not an unhandled error');

    await link.open();
    assert.equal(
      (await app.request('/api/v1/orders', { headers: { Authorization: `Bearer ${apiKey}` } })).status,
      200,
    );
  });
});
