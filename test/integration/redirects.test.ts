import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const OFF_SITE = ['/.//evil.example', '/a/..//evil.example', '/%2e//evil.example', 'https:evil.example'];

/** Where a browser on this site goes with the response's Location header. */
function destination(res: Response): URL {
  const location = res.headers.get('location');
  assert.ok(location, 'a Location header');
  return new URL(location, 'https://provisio.example/login');
}

for (const engine of testEngines()) {
  describe(`redirects after sign-in and language change (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    const post = (path: string, form: Record<string, string>) => h.app.request(path, formPost(form));

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Redirected');
    });
    after(() => h.close());

    it('signing in with an off-site next stays on this site', async () => {
      for (const next of OFF_SITE) {
        const res = await post('/login', { email: partner.email, password: partner.password, next });
        assert.equal(res.status, 303, next);
        assert.ok(
          res.headers.getSetCookie().some((c) => c.startsWith('provisio_session=')),
          next,
        );
        const to = destination(res);
        assert.equal(to.origin, 'https://provisio.example', next);
        assert.equal(to.pathname, '/orders', next);
      }
    });

    it('signing in keeps a local next', async () => {
      const res = await post('/login', {
        email: partner.email,
        password: partner.password,
        next: '/orders?q=PO-1',
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), '/orders?q=PO-1');
    });

    it('changing language with an off-site back stays on this site', async () => {
      for (const back of OFF_SITE) {
        const res = await post('/lang', { lang: 'it', back });
        assert.equal(res.status, 303, back);
        assert.ok(
          res.headers.getSetCookie().some((c) => c.startsWith('provisio_lang=it')),
          back,
        );
        const to = destination(res);
        assert.equal(to.origin, 'https://provisio.example', back);
        assert.equal(to.pathname, '/orders', back);
      }
      const local = await post('/lang', { lang: 'ru', back: '/orders?status=scheduled' });
      assert.equal(local.headers.get('location'), '/orders?status=scheduled');
    });
  });
}
