import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const PAGE = '/account/password';

for (const engine of testEngines()) {
  describe(`changing a password (${engine})`, () => {
    let h: Harness;
    let tenant: Tenant;

    const signedIn = async (cookie: string) =>
      (await h.app.request('/orders', { headers: { Cookie: cookie } })).status === 200;
    const change = (cookie: string, fields: Record<string, string>) =>
      h.app.request(PAGE, formPost(fields, { Cookie: cookie }));

    before(async () => {
      h = await startHarness(engine);
      tenant = await h.tenant('partner', 'Password Partner');
    });
    after(() => h.close());

    it('names each refused field and changes nothing', async () => {
      const cookie = await h.signIn(tenant);
      const page = await h.app.request(PAGE, { headers: { Cookie: cookie } });
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<label for="currentPassword">Current password<\/label>/);
      for (const [fields, expected] of [
        [
          {
            currentPassword: 'not my password',
            newPassword: 'brand new secret',
            confirmation: 'brand new secret',
          },
          /id="error-currentPassword"[^>]*>Current password is not correct\./,
        ],
        [
          {
            currentPassword: tenant.password,
            newPassword: 'brand new secret',
            confirmation: 'brand new secrets',
          },
          /id="error-confirmation"[^>]*>New password again does not match the new password\./,
        ],
        [
          { currentPassword: tenant.password, newPassword: 'short', confirmation: 'short' },
          /id="error-newPassword"[^>]*>New password must be at least 10 characters long\./,
        ],
      ] as const) {
        const res = await change(cookie, fields);
        assert.equal(res.status, 422);
        const html = await res.text();
        assert.match(html, expected);
        assert.match(html, /Your password was not changed/);
      }
      assert.ok(await signedIn(cookie));
      assert.equal(
        (await h.signIn(tenant)).startsWith('provisio_session='),
        true,
        'the old password still works',
      );
    });

    it('ends every other session of the user and keeps the current one', async () => {
      const current = await h.signIn(tenant);
      const elsewhere = await h.signIn(tenant);
      const colleague = await h.signIn(await h.tenant('partner', 'Bystander'));
      const newPassword = 'a much better passphrase';
      const res = await change(current, {
        currentPassword: tenant.password,
        newPassword,
        confirmation: newPassword,
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${PAGE}?changed=1`);
      const done = await h.app.request(`${PAGE}?changed=1`, { headers: { Cookie: current } });
      assert.match(await done.text(), /Your password was changed/);

      assert.equal(await signedIn(current), true);
      assert.equal(await signedIn(elsewhere), false);
      assert.equal(await signedIn(colleague), true, 'other users keep their sessions');
      await assert.rejects(h.signIn(tenant), /sign-in failed with 401/);
      tenant = { ...tenant, password: newPassword };
      assert.ok(await h.signIn(tenant));

      const audit = await h.db
        .selectFrom('audit_events')
        .select(['actor_type', 'payload'])
        .where('action', '=', 'user.password_changed')
        .execute();
      // `elsewhere`, and the two sessions the previous test opened.
      assert.deepEqual(audit, [{ actor_type: 'user', payload: { sessionsEnded: 3 } }]);
    });

    it('setting a password (CLI, demo seed) ends all of the user’s sessions', async () => {
      const cookie = await h.signIn(tenant);
      assert.equal(await signedIn(cookie), true);
      await identity.setPassword(h.ctx, tenant.email, 'set by an operator');
      assert.equal(await signedIn(cookie), false);
      tenant = { ...tenant, password: 'set by an operator' };
      assert.ok(await h.signIn(tenant));
    });

    it('needs a signed-in user', async () => {
      const res = await h.app.request(PAGE);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /^\/login\?next=/);
      assert.equal(
        (await change('', { currentPassword: 'x', newPassword: 'y', confirmation: 'y' })).status,
        303,
      );
    });
  });
}
