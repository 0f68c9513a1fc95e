import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { cleanEnv, runCli, tempDataDir } from '../support/process.ts';

const PAGE = '/settings/api-keys';

for (const engine of testEngines()) {
  describe(`API keys in the workspace (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let admin = '';
    let user = '';
    let otherAdmin = '';

    const get = (cookie: string, path: string) => h.app.request(path, { headers: { Cookie: cookie } });
    const submit = (cookie: string, path: string, fields: Record<string, string>) =>
      h.app.request(path, formPost(fields, { Cookie: cookie }));
    const apiStatus = async (app: Harness['app'], key: string) =>
      (await app.request('/api/v1/orders', { headers: { Authorization: `Bearer ${key}` } })).status;

    /** Creates a key through the page; answers its id and secret. */
    async function createOnPage(name: string): Promise<{ id: string; secret: string }> {
      const res = await submit(admin, PAGE, { name });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const html = await res.text();
      const secret = /value="(pvk_[\w-]{43})"/.exec(html)?.[1];
      assert.ok(secret, 'the new key is on the page');
      const keys = await apiKeys.listApiKeys(h.ctx, partner.orgId);
      const id = keys.find((k) => k.name === name && secret.startsWith(k.prefix))?.id;
      assert.ok(id);
      return { id, secret };
    }

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Keyed Partner');
      admin = await h.signIn(partner);
      const colleague = `user@${partner.email.split('@')[1]}`;
      await identity.createUser(h.ctx, {
        organizationId: partner.orgId,
        email: colleague,
        role: 'partner_user',
        password: partner.password,
      });
      user = await h.signIn({ ...partner, email: colleague });
      otherAdmin = await h.signIn(await h.tenant('distributor', 'Other Distributor'));
    });
    after(() => h.close());

    it('lists the organization’s keys for a partner admin, linked from the header', async () => {
      const orders = await (await get(admin, '/orders')).text();
      assert.match(orders, /<a href="\/settings\/api-keys"[^>]*>API keys<\/a>/);
      const res = await get(admin, PAGE);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<h1>API keys<\/h1>/);
      // The harness's key: issued by Provisio itself, never used yet.
      assert.match(html, /<td>test<\/td><td><code>pvk_[\w-]{6}…<\/code><\/td><td>Command line<\/td>/);
      assert.match(html, /Never/);
      assert.match(html, /Active/);
      assert.ok(!html.includes(partner.apiKey), 'no secret on the list');
    });

    it('creates a key whose secret is shown once, and that works at once', async () => {
      const { secret } = await createOnPage('ERP integration');
      assert.equal(await apiStatus(h.app, secret), 200);
      const list = await (await get(admin, PAGE)).text();
      assert.match(list, /<td>ERP integration<\/td>/);
      assert.ok(list.includes(partner.email), 'created by the admin');
      assert.ok(!list.includes(secret), 'the secret is never shown again');
      assert.match(list, new RegExp(`<code>${secret.slice(0, 10)}…</code>`));

      const unnamed = await submit(admin, PAGE, { name: '   ' });
      assert.equal(unnamed.status, 422);
      const html = await unnamed.text();
      assert.match(html, /id="error-name"[^>]*>Name is required\./);
      // The input is described by its hint and its message; the summary above the form links to it.
      assert.match(html, /aria-describedby="hint-name error-name"/);
      assert.match(html, /class="error-summary"[\s\S]*<a href="#name">Name is required\.<\/a>/);
    });

    it('revokes a key after a confirmation: another app instance refuses it at once', async () => {
      const { id, secret } = await createOnPage('to revoke');
      const other = await h.sibling();
      try {
        assert.equal(await apiStatus(other.app, secret), 200);
        const confirm = await get(admin, `${PAGE}/${id}/revoke`);
        assert.equal(confirm.status, 200);
        assert.match(await confirm.text(), /Revoke the key “to revoke”\?[\s\S]*name="confirm" value="yes"/);
        // A post without the confirmation only leads to the confirmation page.
        const unconfirmed = await submit(admin, `${PAGE}/${id}/revoke`, {});
        assert.equal(unconfirmed.status, 303);
        assert.equal(unconfirmed.headers.get('location'), `${PAGE}/${id}/revoke`);
        assert.equal(await apiStatus(other.app, secret), 200);

        const revoked = await submit(admin, `${PAGE}/${id}/revoke`, { confirm: 'yes' });
        assert.equal(revoked.status, 303);
        assert.equal(revoked.headers.get('location'), `${PAGE}?notice=revoked`);
        assert.equal(await apiStatus(other.app, secret), 401);
        assert.equal(await apiStatus(h.app, secret), 401);

        const list = await (await get(admin, `${PAGE}?notice=revoked`)).text();
        assert.match(list, /The key was revoked/);
        assert.match(list, /Revoked on /);
        const audit = await h.db
          .selectFrom('audit_events')
          .select(['actor_type', 'actor_id', 'organization_id', 'payload'])
          .where('action', '=', 'api_key.revoked')
          .where('entity_id', '=', id)
          .execute();
        assert.equal(audit.length, 1);
        assert.equal(audit[0]?.actor_type, 'user');
        assert.equal(audit[0]?.organization_id, partner.orgId);
        assert.deepEqual(audit[0]?.payload, { name: 'to revoke', prefix: secret.slice(0, 10) });
        // Revoking again changes nothing.
        await submit(admin, `${PAGE}/${id}/revoke`, { confirm: 'yes' });
        const again = await h.db
          .selectFrom('audit_events')
          .select('id')
          .where('action', '=', 'api_key.revoked')
          .where('entity_id', '=', id)
          .execute();
        assert.equal(again.length, 1);
      } finally {
        await other.close();
      }
    });

    it('shows partner users and other organizations nothing: 404, and the key keeps working', async () => {
      const { id, secret } = await createOnPage('kept');
      assert.doesNotMatch(await (await get(user, '/orders')).text(), /settings\/api-keys/);
      for (const cookie of [user, otherAdmin]) {
        assert.equal((await get(cookie, `${PAGE}/${id}/revoke`)).status, 404);
        assert.equal((await submit(cookie, `${PAGE}/${id}/revoke`, { confirm: 'yes' })).status, 404);
      }
      assert.equal((await get(user, PAGE)).status, 404);
      assert.equal((await submit(user, PAGE, { name: 'sneaky' })).status, 404);
      const others = await get(otherAdmin, PAGE);
      assert.equal(others.status, 200);
      const html = await others.text();
      assert.ok(!html.includes(id) && !html.includes('kept'), 'another organization’s keys are not listed');
      assert.equal((await get(admin, `${PAGE}/not-a-key/revoke`)).status, 404);
      const crossSite = await h.app.request(`${PAGE}/${id}/revoke`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Origin: 'https://evil.example',
          Cookie: admin,
        },
        body: 'confirm=yes',
      });
      assert.equal(crossSite.status, 403);
      assert.equal(await apiStatus(h.app, secret), 200);
      assert.ok((await apiKeys.listApiKeys(h.ctx, partner.orgId)).every((k) => k.name !== 'sneaky'));
    });

    it('records a key’s last use at most once a minute', async () => {
      const { id, secret } = await createOnPage('busy');
      const lastUsed = async () => (await apiKeys.getApiKey(h.ctx, id)).lastUsedAt?.getTime();
      const start = h.clock.now().getTime();
      try {
        assert.equal(await lastUsed(), undefined);
        await apiStatus(h.app, secret);
        assert.equal(await lastUsed(), start);
        h.clock.advance(30_000);
        await Promise.all([apiStatus(h.app, secret), apiStatus(h.app, secret)]);
        assert.equal(await lastUsed(), start);
        h.clock.advance(31_000);
        await apiStatus(h.app, secret);
        assert.equal(await lastUsed(), start + 61_000);
      } finally {
        h.clock.set(new Date(start));
      }
    });

    it('asks to sign in first', async () => {
      const res = await h.app.request(PAGE);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent(PAGE)}`);
    });
  });
}

describe('API keys on the command line, against a running app (postgres)', {
  skip: process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set',
}, () => {
  let h: Harness;
  let partner: Tenant;
  before(async () => {
    h = await startHarness('postgres');
    partner = await h.tenant('partner', 'CLI Partner');
  });
  after(() => h.close());

  it('lists keys without secrets and revokes one: the app refuses it on the next request', async () => {
    const env = cleanEnv({ DATABASE_URL: h.databaseUrl ?? '', DATA_DIR: tempDataDir(), LOG_LEVEL: 'warn' });
    const listed = await runCli(['apikey', 'list', '--org', partner.orgId, '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(partner.apiKey));
    const keys = JSON.parse(listed.stdout.trim()) as { id: string; name: string; status: string }[];
    assert.deepEqual(
      keys.map((k) => [k.name, k.status]),
      [['test', 'active']],
    );
    const use = () =>
      h.app.request('/api/v1/orders', { headers: { Authorization: `Bearer ${partner.apiKey}` } });
    assert.equal((await use()).status, 200);

    const revoked = await runCli(['apikey', 'revoke', keys[0]?.id ?? ''], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((JSON.parse(revoked.stdout.trim()) as { status: string }).status, 'revoked');
    assert.equal((await use()).status, 401);
    const audit = await h.db
      .selectFrom('audit_events')
      .select(['actor_type', 'actor_id'])
      .where('action', '=', 'api_key.revoked')
      .executeTakeFirst();
    assert.deepEqual(audit, { actor_type: 'system', actor_id: 'cli' });
  });
});
