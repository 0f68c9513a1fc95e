import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

interface OrderJson {
  id: string;
  lines: { id: string; subscriptionId: string }[];
}
interface Item {
  id: string;
  subscriptionId: string;
  createdAt: string;
  status: string;
}
interface ListJson {
  items: Item[];
  nextCursor: string | null;
}

for (const engine of testEngines()) {
  describe(`Transaction Manager over a tenant's many transactions (${engine})`, () => {
    let h: Harness;
    let distributor: Tenant;
    let reseller: Tenant;
    let stranger: Tenant;
    let forReseller: OrderJson[];
    let ownOfDistributor: OrderJson;
    let ownOfReseller: OrderJson;
    let ofStranger: OrderJson;

    async function place(tenant: Tenant, extra: Record<string, unknown> = {}): Promise<OrderJson> {
      const res = await h.api(tenant, 'POST', '/api/v1/orders', orderBody(extra));
      assert.equal(res.status, 201);
      return (await res.json()) as OrderJson;
    }
    /** A contact change before the first email: a completed transaction, nothing sent. */
    async function changeContact(tenant: Tenant, order: OrderJson, email: string) {
      const path = `/api/v1/orders/${order.id}/lines/${order.lines[0]?.id}/provisioning-contact`;
      assert.equal((await h.api(tenant, 'PUT', path, { email }, { 'If-Match': '*' })).status, 200);
    }
    async function everything(tenant: Tenant, query = '', limit = 100): Promise<Item[]> {
      const items: Item[] = [];
      let cursor: string | null = null;
      do {
        const params = new URLSearchParams(query);
        params.set('limit', String(limit));
        if (cursor) params.set('cursor', cursor);
        const res = await h.api(tenant, 'GET', `/api/v1/transactions?${params}`);
        assert.equal(res.status, 200);
        const page = (await res.json()) as ListJson;
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    }
    const subs = (orders: OrderJson[]) => orders.map((o) => o.lines[0]?.subscriptionId ?? '');

    before(async () => {
      h = await startHarness(engine);
      distributor = await h.tenant('distributor', 'Distributor D');
      reseller = await h.tenant('partner', 'Reseller R');
      stranger = await h.tenant('partner', 'Stranger S');
      await identity.addReseller(h.ctx, distributor.orgId, reseller.orgId);
      forReseller = [];
      for (let i = 0; i < 6; i += 1)
        forReseller.push(await place(distributor, { resellerOrgId: reseller.orgId }));
      ownOfDistributor = await place(distributor);
      ownOfReseller = await place(reseller);
      ofStranger = await place(stranger);
      // The clock stands still: every transaction below has the same created_at.
      for (const order of forReseller) await changeContact(distributor, order, 'ops@acme.example');
      await changeContact(distributor, ownOfDistributor, 'ops@acme.example');
      await changeContact(reseller, ownOfReseller, 'ops@acme.example');
      await changeContact(stranger, ofStranger, 'ops@acme.example');
    });
    after(() => h.close());

    it('a distributor sees the transactions of orders it placed for its resellers and for itself, each once', async () => {
      const seen = (await everything(distributor)).map((t) => t.subscriptionId);
      assert.deepEqual([...seen].sort(), subs([...forReseller, ownOfDistributor]).sort());
      const ofReseller = (await everything(reseller)).map((t) => t.subscriptionId);
      assert.deepEqual([...ofReseller].sort(), subs([...forReseller, ownOfReseller]).sort());
      assert.deepEqual(
        (await everything(stranger)).map((t) => t.subscriptionId),
        subs([ofStranger]),
      );
    });

    it('pages through transactions of the same instant without losing or repeating one, filters included', async () => {
      const whole = await everything(distributor);
      assert.equal(new Set(whole.map((t) => t.createdAt)).size, 1);
      for (const limit of [1, 2, 3]) {
        assert.deepEqual(
          (await everything(distributor, '', limit)).map((t) => t.id),
          whole.map((t) => t.id),
        );
        assert.deepEqual(
          (await everything(distributor, 'status=completed&type=provisioning_email_update', limit)).map(
            (t) => t.id,
          ),
          whole.map((t) => t.id),
        );
      }
      assert.deepEqual(await everything(distributor, 'status=failed'), []);
    });

    it('searches an exact subscription id in any case, never a part of one, never another tenant’s', async () => {
      const id = subs(forReseller)[2] ?? '';
      for (const tenant of [distributor, reseller]) {
        const found = await everything(
          tenant,
          `subscriptionId=${encodeURIComponent(` ${id.toLowerCase()}`)}`,
        );
        assert.deepEqual(
          found.map((t) => t.subscriptionId),
          [id],
        );
      }
      assert.deepEqual(await everything(distributor, `subscriptionId=${id.slice(0, -1)}`), []);
      assert.deepEqual(await everything(distributor, `subscriptionId=${id.slice(1)}`), []);
      assert.deepEqual(await everything(stranger, `subscriptionId=${id}`), []);
      assert.deepEqual(await everything(distributor, `subscriptionId=${subs([ofStranger])[0]}`), []);
    });
  });
}
