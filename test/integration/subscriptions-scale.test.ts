import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  sql,
} from 'kysely';
import * as identity from '../../src/modules/identity/service.ts';
import {
  listPendingSubscriptions,
  type PendingSubscription,
  subscriptionActions,
} from '../../src/modules/provisioning/subscriptions.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { mapLine } from '../support/provisioning-state.ts';

interface OrderJson {
  id: string;
  lines: { id: string; subscriptionId: string }[];
}

/** Counts the statements sent to the database. */
class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs) {
    this.count += 1;
    return args.result;
  }
}

for (const engine of testEngines()) {
  describe(`Cloud/SaaS Subscriptions over a tenant's many orders (${engine})`, () => {
    let h: Harness;
    let distributor: Tenant;
    let reseller: Tenant;
    let stranger: Tenant;
    /** Placed by the distributor for its reseller, then for itself, all in the same instant. */
    let forReseller: OrderJson[];
    let ownOfDistributor: OrderJson[];
    let ownOfReseller: OrderJson;
    let ofStranger: OrderJson;
    let mapped: string;

    const as = (tenant: Tenant, kind: 'partner' | 'distributor'): Ctx => ({
      ...h.ctx,
      actor: { type: 'api_key', apiKeyId: 'k', orgId: tenant.orgId, orgKind: kind },
    });
    const subs = (orders: OrderJson[]) => orders.flatMap((o) => o.lines.map((l) => l.subscriptionId));
    async function place(tenant: Tenant, extra: Record<string, unknown>, lines = 1): Promise<OrderJson> {
      const body = orderBody(extra);
      body.lines = Array.from({ length: lines }, () => ({
        offer: 'A-WX',
        quantity: 5,
        requestedStartDate: '2026-12-01',
        provisioningContactEmail: 'it@acme.example',
      }));
      const res = await h.api(tenant, 'POST', '/api/v1/orders', body);
      assert.equal(res.status, 201);
      return (await res.json()) as OrderJson;
    }
    async function everything(ctx: Ctx, q?: string, limit = 100): Promise<PendingSubscription[]> {
      const items: PendingSubscription[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: PendingSubscription[]; nextCursor: string | null } =
          await listPendingSubscriptions(ctx, { limit, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) });
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    }

    before(async () => {
      h = await startHarness(engine);
      distributor = await h.tenant('distributor', 'Distributor D');
      reseller = await h.tenant('partner', 'Reseller R');
      stranger = await h.tenant('partner', 'Stranger S');
      await identity.addReseller(h.ctx, distributor.orgId, reseller.orgId);
      // The clock stands still: every subscription below has the same created_at.
      forReseller = [];
      for (let i = 0; i < 12; i += 1)
        forReseller.push(await place(distributor, { resellerOrgId: reseller.orgId }, 2));
      ownOfDistributor = [await place(distributor, {}), await place(distributor, {})];
      ownOfReseller = await place(reseller, {});
      ofStranger = await place(stranger, {});
      mapped = forReseller[0]?.lines[0]?.id ?? '';
      await mapLine(h, mapped, h.clock.now());
    });
    after(() => h.close());

    it('a distributor sees the orders it placed for its resellers and for itself, each once; not its reseller’s own', async () => {
      const seen = (await everything(as(distributor, 'distributor'))).map((s) => s.subscriptionId);
      const pendingForReseller = subs(forReseller).filter((_, i) => i !== 0);
      assert.deepEqual([...seen].sort(), [...pendingForReseller, ...subs(ownOfDistributor)].sort());
      assert.equal(new Set(seen).size, seen.length);

      const ofReseller = (await everything(as(reseller, 'partner'))).map((s) => s.subscriptionId);
      assert.deepEqual([...ofReseller].sort(), [...pendingForReseller, ...subs([ownOfReseller])].sort());
      const ofOther = (await everything(as(stranger, 'partner'))).map((s) => s.subscriptionId);
      assert.deepEqual(ofOther, subs([ofStranger]));
    });

    it('pages through subscriptions created in the same instant without losing or repeating one', async () => {
      const whole = await everything(as(distributor, 'distributor'));
      assert.equal(new Set(whole.map((s) => s.createdAt.toISOString())).size, 1);
      for (const limit of [1, 2, 5, 7]) {
        const paged = await everything(as(distributor, 'distributor'), undefined, limit);
        assert.deepEqual(
          paged.map((s) => s.subscriptionId),
          whole.map((s) => s.subscriptionId),
        );
      }
      // Provisio itself (and the vendor's operators) walk every tenant's the same way.
      const all = await everything(h.ctx, undefined, 3);
      assert.equal(new Set(all.map((s) => s.subscriptionId)).size, all.length);
      assert.equal(all.length, whole.length + 2);
    });

    it('finds a subscription by its exact id in any case, never by part of it, and never another tenant’s', async () => {
      const id = forReseller[3]?.lines[1]?.subscriptionId ?? '';
      for (const [tenant, kind] of [
        [distributor, 'distributor'],
        [reseller, 'partner'],
      ] as const) {
        const found = await everything(as(tenant, kind), ` ${id.toLowerCase()} `);
        assert.deepEqual(
          found.map((s) => s.subscriptionId),
          [id],
        );
      }
      assert.deepEqual(await everything(as(distributor, 'distributor'), id.slice(1)), []);
      assert.deepEqual(await everything(as(stranger, 'partner'), id), []);
      const strangers = subs([ofStranger])[0] ?? '';
      assert.deepEqual(await everything(as(distributor, 'distributor'), strangers), []);
      // A mapped subscription is past the Point of No Return: no longer pending.
      const mappedSub = forReseller[0]?.lines[0]?.subscriptionId ?? '';
      assert.deepEqual(await everything(as(distributor, 'distributor'), mappedSub), []);
    });

    it('finds by part of the contact email within the tenant only', async () => {
      const byEmail = await everything(as(stranger, 'partner'), 'ACME.example');
      assert.deepEqual(
        byEmail.map((s) => s.subscriptionId),
        subs([ofStranger]),
      );
      assert.equal((await everything(as(distributor, 'distributor'), 'acme', 4)).length, 25);
      assert.deepEqual(await everything(as(distributor, 'distributor'), 'nobody@nowhere'), []);
    });

    it('costs the same number of statements for a page of 25 as for a page of 5', async () => {
      async function statements(limit: number) {
        const counter = new StatementCounter();
        const ctx = { ...as(distributor, 'distributor'), db: h.db.withPlugin(counter) };
        const page = await listPendingSubscriptions(ctx, { limit });
        const actions = await subscriptionActions(
          ctx,
          page.items.map((s) => s.orderId),
        );
        assert.equal(page.items.length, limit);
        // Every row gets its actions and facts: the page content is whole.
        for (const s of page.items) {
          assert.equal(actions.lines.get(s.lineId)?.orderId, s.orderId);
          assert.equal(actions.states.get(s.lineId)?.mayAct, true);
          assert.equal(s.facts?.subscriptionId, s.subscriptionId);
        }
        return counter.count;
      }
      assert.equal(await statements(25), await statements(5));
    });

    it('pages through subscriptions written microseconds apart, as plain SQL writes them', async () => {
      // Within one millisecond: a cursor that kept only milliseconds would skip or repeat these.
      await sql`update subscriptions set created_at = timestamptz '2026-11-21 10:00:00.000100+00'
                  + (ascii(right(id, 1)) % 7) * interval '1 microsecond'
                where order_placed_by_org_id = ${distributor.orgId}::uuid`.execute(h.db);
      const whole = await everything(as(distributor, 'distributor'));
      assert.ok(new Set(whole.map((s) => s.createdAt.toISOString())).size === 1);
      for (const limit of [1, 3]) {
        const paged = await everything(as(distributor, 'distributor'), undefined, limit);
        assert.deepEqual(
          paged.map((s) => s.subscriptionId),
          whole.map((s) => s.subscriptionId),
        );
      }
    });
  });
}
