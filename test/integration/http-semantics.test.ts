import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { translator } from '../../src/platform/i18n.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const SOME_ID = '0b0e6a4e-0000-4000-8000-000000000001';

interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
}

for (const engine of testEngines()) {
  describe(`status codes and caching (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let cookie: string;
    let orderId: string;
    let lineId: string;
    /** Each API path (as a concrete path) with the methods the OpenAPI document gives it. */
    let documented: { path: string; allow: string[] }[];

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Statuses');
      cookie = await h.signIn(partner);
      const placed = (await (await h.api(partner, 'POST', '/api/v1/orders', orderBody())).json()) as {
        id: string;
        lines: { id: string }[];
      };
      orderId = placed.id;
      lineId = placed.lines[0]?.id ?? '';
      const doc = (await (await h.app.request('/api/openapi.json')).json()) as {
        paths: Record<string, Record<string, unknown>>;
      };
      documented = Object.entries(doc.paths).map(([template, operations]) => {
        const methods = Object.keys(operations).map((m) => m.toUpperCase());
        return {
          path: `/api/v1${template.replace(/\{[^}]+\}/g, SOME_ID)}`,
          allow: METHODS.filter((m) => methods.includes(m) || (m === 'HEAD' && methods.includes('GET'))),
        };
      });
      assert.ok(documented.length >= 3, 'the document lists the API paths');
    });
    after(() => h.close());

    it('unknown assets are 404, also names an object inherits', async () => {
      for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'nope.js']) {
        const res = await h.app.request(`/assets/${name}`);
        assert.equal(res.status, 404, name);
        await res.body?.cancel();
      }
      const css = await h.app.request('/assets/app.css');
      assert.equal(css.status, 200);
      assert.equal(css.headers.get('content-type'), 'text/css');
      assert.equal(css.headers.get('cache-control'), 'public, max-age=3600');
      // The design foundation beside it, gzipped for a browser that takes gzip (docs/adr/0033).
      const pico = await h.app.request('/assets/pico.min.css', {
        headers: { 'Accept-Encoding': 'gzip, br' },
      });
      assert.equal(pico.headers.get('content-encoding'), 'gzip');
      assert.match(gunzipSync(Buffer.from(await pico.arrayBuffer())).toString('utf8'), /Pico CSS/);
    });

    it('answers a method an API path does not have with 405, its Allow header and a problem', async () => {
      let refused = 0;
      for (const { path, allow } of documented) {
        for (const method of METHODS.filter((m) => !allow.includes(m))) {
          for (const tenant of [partner, null]) {
            const bodiless = method === 'GET' || method === 'HEAD';
            const res = await h.api(tenant, method, path, bodiless ? undefined : {});
            const label = `${method} ${path} ${tenant ? 'with' : 'without'} a key`;
            assert.equal(res.status, 405, label);
            assert.equal(res.headers.get('allow'), allow.join(', '), label);
            assert.equal(res.headers.get('content-type'), 'application/problem+json', label);
            if (method === 'HEAD') continue;
            const problem = (await res.json()) as Problem;
            assert.equal(problem.code, 'method_not_allowed', label);
            assert.equal(problem.status, 405, label);
            refused += 1;
          }
        }
      }
      assert.ok(refused > 0);
      const put = await h.api(partner, 'PUT', '/api/v1/orders', orderBody(), { 'Accept-Language': 'it' });
      assert.equal(put.status, 405);
      assert.equal(put.headers.get('allow'), 'GET, HEAD, POST');
      const problem = (await put.json()) as Problem;
      const it = translator('it');
      assert.equal(problem.title, it('errors.method_not_allowed.title'));
      assert.equal(
        problem.detail,
        it('errors.method_not_allowed.detail', { method: 'PUT', allow: 'GET, HEAD, POST' }),
      );
      assert.notEqual(problem.title, translator('en')('errors.method_not_allowed.title'));
    });

    it('still answers the methods a path has, and 404 for a path the API does not have', async () => {
      for (const method of ['GET', 'HEAD']) {
        const res = await h.api(partner, method, `/api/v1/orders/${orderId}/lines/${lineId}`);
        assert.equal(res.status, 200, method);
        await res.body?.cancel();
      }
      assert.equal((await h.api(null, 'GET', '/api/v1/orders')).status, 401);
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const res = await h.api(partner, method, '/api/v1/nothing-here');
        assert.equal(res.status, 404, method);
        assert.equal(((await res.json()) as Problem).code, 'not_found');
      }
      const docs = await h.app.request('/api/openapi.json', { method: 'POST' });
      assert.equal(docs.status, 405);
      assert.equal(docs.headers.get('allow'), 'GET, HEAD');
    });

    it('signed-in pages and every API answer are not stored by caches', async () => {
      const pages = [`/orders`, `/orders?q=PO`, `/orders/${orderId}`, `/orders/${SOME_ID}`, '/orders?q=%00'];
      for (const path of pages) {
        const res = await h.app.request(path, { headers: { Cookie: cookie } });
        assert.ok([200, 404, 422].includes(res.status), `${path}: ${res.status}`);
        assert.equal(res.headers.get('cache-control'), 'no-store', path);
        await res.body?.cancel();
      }
      const answers = [
        await h.api(partner, 'GET', '/api/v1/orders'),
        await h.api(partner, 'GET', `/api/v1/orders/${orderId}`),
        await h.api(partner, 'GET', `/api/v1/orders/${SOME_ID}`),
        await h.api(partner, 'POST', '/api/v1/orders', orderBody()),
        await h.api(partner, 'POST', '/api/v1/orders', { reference: '' }),
        await h.api(partner, 'DELETE', '/api/v1/orders'),
        await h.api(null, 'GET', '/api/v1/orders'),
      ];
      assert.deepEqual(
        answers.map((r) => r.status),
        [200, 200, 404, 201, 422, 405, 401],
      );
      for (const res of answers)
        assert.equal(res.headers.get('cache-control'), 'no-store', String(res.status));
      const login = await h.app.request('/login');
      assert.equal(login.headers.get('cache-control'), 'no-store');
    });
  });
}
