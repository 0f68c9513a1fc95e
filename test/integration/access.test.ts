import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { listOrders } from '../../src/modules/orders/search.ts';
import { getOrder } from '../../src/modules/orders/service.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

interface OrderJson {
  id: string;
  partnerOrgId: string;
  placedByOrgId: string;
  lines: { id: string; subscriptionId: string }[];
}
interface ListJson {
  items: { id: string }[];
}

for (const engine of testEngines()) {
  describe(`who sees which orders (${engine})`, () => {
    let h: Harness;
    let partnerA: Tenant;
    let partnerB: Tenant;
    let distributor: Tenant;
    let reseller: Tenant;
    let orderOfA: OrderJson;

    before(async () => {
      h = await startHarness(engine);
      partnerA = await h.tenant('partner', 'Partner A');
      partnerB = await h.tenant('partner', 'Partner B');
      distributor = await h.tenant('distributor', 'Distributor D');
      reseller = await h.tenant('partner', 'Reseller R');
      await identity.addReseller(h.ctx, distributor.orgId, reseller.orgId);
      const res = await h.api(
        partnerA,
        'POST',
        '/api/v1/orders',
        orderBody({ reference: 'A-SECRET' }, { provisioningContactEmail: 'secret@a-customer.example' }),
      );
      orderOfA = (await res.json()) as OrderJson;
    });
    after(() => h.close());

    it('partner B cannot read partner A’s order or its lines: 404, as if it did not exist', async () => {
      const [line] = orderOfA.lines;
      assert.ok(line);
      for (const path of [
        `/api/v1/orders/${orderOfA.id}`,
        `/api/v1/orders/${orderOfA.id}/lines/${line.id}`,
      ]) {
        const res = await h.api(partnerB, 'GET', path);
        assert.equal(res.status, 404, path);
        assert.equal(((await res.json()) as { code: string }).code, 'not_found');
      }
      assert.equal((await h.api(partnerA, 'GET', `/api/v1/orders/${orderOfA.id}`)).status, 200);
    });

    it('partner B cannot list or search its way to partner A’s order', async () => {
      for (const q of [
        '',
        'A-SECRET',
        'secret@a-customer.example',
        orderOfA.lines[0]?.subscriptionId ?? 'x',
        'Acme',
      ]) {
        const res = await h.api(partnerB, 'GET', `/api/v1/orders?q=${encodeURIComponent(q)}`);
        assert.equal(res.status, 200);
        assert.deepEqual(((await res.json()) as ListJson).items, [], `q=${q}`);
      }
      const own = (await (await h.api(partnerA, 'GET', '/api/v1/orders?q=A-SECRET')).json()) as ListJson;
      assert.deepEqual(
        own.items.map((o) => o.id),
        [orderOfA.id],
      );
    });

    it('guessed and malformed ids answer 404 too', async () => {
      assert.equal((await h.api(partnerB, 'GET', `/api/v1/orders/${randomUUID()}`)).status, 404);
      assert.equal((await h.api(partnerB, 'GET', '/api/v1/orders/not-a-uuid')).status, 404);
      assert.equal(
        (await h.api(partnerA, 'GET', `/api/v1/orders/${orderOfA.id}/lines/${randomUUID()}`)).status,
        404,
      );
    });

    it('partner B cannot see partner A’s order in the workspace either', async () => {
      const cookie = await h.signIn(partnerB);
      const page = await h.app.request(`/orders/${orderOfA.id}`, { headers: { Cookie: cookie } });
      assert.equal(page.status, 404);
      assert.ok(!(await page.text()).includes('A-SECRET'));
    });

    it('a distributor sees the orders it placed for its resellers, and so does the reseller; nobody else does', async () => {
      const res = await h.api(
        distributor,
        'POST',
        '/api/v1/orders',
        orderBody({ reference: 'D-FOR-R', resellerOrgId: reseller.orgId }),
      );
      assert.equal(res.status, 201);
      const order = (await res.json()) as OrderJson;
      assert.equal(order.partnerOrgId, reseller.orgId);
      assert.equal(order.placedByOrgId, distributor.orgId);
      assert.equal((await h.api(distributor, 'GET', `/api/v1/orders/${order.id}`)).status, 200);
      assert.equal((await h.api(reseller, 'GET', `/api/v1/orders/${order.id}`)).status, 200);
      assert.equal((await h.api(partnerB, 'GET', `/api/v1/orders/${order.id}`)).status, 404);
      const listed = (await (await h.api(distributor, 'GET', '/api/v1/orders')).json()) as ListJson;
      assert.ok(listed.items.some((o) => o.id === order.id));
    });

    it('a distributor does not see the orders its reseller placed itself', async () => {
      const res = await h.api(reseller, 'POST', '/api/v1/orders', orderBody({ reference: 'R-OWN' }));
      const order = (await res.json()) as OrderJson;
      assert.equal((await h.api(reseller, 'GET', `/api/v1/orders/${order.id}`)).status, 200);
      assert.equal((await h.api(distributor, 'GET', `/api/v1/orders/${order.id}`)).status, 404);
      const listed = (await (await h.api(distributor, 'GET', '/api/v1/orders?q=R-OWN')).json()) as ListJson;
      assert.deepEqual(listed.items, []);
    });

    it('partner B’s workspace list and search never show partner A’s orders', async () => {
      const cookie = await h.signIn(partnerB);
      for (const q of ['', 'A-SECRET', 'secret@a-customer.example']) {
        const page = await h.app.request(`/orders?q=${encodeURIComponent(q)}`, {
          headers: { Cookie: cookie },
        });
        assert.equal(page.status, 200);
        const html = await page.text();
        const marker = html.indexOf('id="results"');
        assert.ok(marker >= 0, `q=${q}: the page has its results section`);
        const results = html.slice(marker);
        assert.ok(!results.includes('A-SECRET') && !html.includes(orderOfA.id), `q=${q}`);
      }
    });

    it('an unauthenticated caller of the service layer sees nothing', async () => {
      await assert.rejects(listOrders({ ...h.ctx, actor: { type: 'anonymous' } }, { limit: 10 }), {
        code: 'not_found',
      });
      await assert.rejects(getOrder({ ...h.ctx, actor: { type: 'anonymous' } }, orderOfA.id), {
        code: 'not_found',
      });
    });

    it('keeps one organization per user and one verifier per domain, even when asked twice', async () => {
      const [first, second] = await Promise.allSettled([
        identity.createUser(h.ctx, {
          organizationId: partnerA.orgId,
          email: 'twice@a.example',
          role: 'partner_user',
        }),
        identity.createUser(h.ctx, {
          organizationId: partnerB.orgId,
          email: 'Twice@A.example',
          role: 'partner_user',
        }),
      ]);
      const outcomes = [first, second].map((r) =>
        r.status === 'fulfilled' ? 'created' : (r.reason as { code: string }).code,
      );
      assert.deepEqual(outcomes.sort(), ['created', 'email_taken']);
      await assert.rejects(
        identity
          .createOrganization(h.ctx, {
            kind: 'customer',
            name: 'Copycat',
            domains: [{ domain: 'verified-once.example', status: 'verified' }],
          })
          .then(() =>
            identity.createOrganization(h.ctx, {
              kind: 'customer',
              name: 'Copycat 2',
              domains: [{ domain: 'verified-once.example', status: 'verified' }],
            }),
          ),
        { code: 'domain_taken' },
      );
    });

    it('refuses an organization name that is too long or unprintable, naming the field', async () => {
      for (const [name, rule] of [
        ['x'.repeat(201), 'max_length'],
        ['Acme\u0000Corp', 'control_characters'],
        ['   ', 'required'],
      ] as const) {
        await assert.rejects(
          identity.createOrganization(h.ctx, { kind: 'customer', name }),
          (error: unknown) => {
            assert.deepEqual((error as { fields: { field: string; rule: string }[] }).fields, [
              { field: 'name', rule, ...(rule === 'max_length' ? { params: { count: 200 } } : {}) },
            ]);
            return true;
          },
        );
      }
    });

    it('nobody can place an order for a partner that is not their reseller', async () => {
      for (const [caller, target] of [
        [distributor, partnerA],
        [partnerB, reseller],
      ] as const) {
        const res = await h.api(caller, 'POST', '/api/v1/orders', orderBody({ resellerOrgId: target.orgId }));
        assert.equal(res.status, 422);
        const problem = (await res.json()) as { errors: { field: string; code: string }[] };
        assert.deepEqual(
          problem.errors.map((e) => [e.field, e.code]),
          [['resellerOrgId', 'not_your_reseller']],
        );
      }
    });
  });
}
