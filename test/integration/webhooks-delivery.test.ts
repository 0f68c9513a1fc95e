import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { relayDueWebhooks } from '../../src/modules/webhooks/relay.ts';
import { createWebhookEndpoint } from '../../src/modules/webhooks/service.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { type BookedOrder, bookOrder, escalated, record } from '../support/webhook-events.ts';
import { answer, type Receiver, startReceiver } from '../support/webhook-receiver.ts';

const HOUR = 3600_000;

async function endpointFor(h: Harness, tenant: Tenant, receiver: Receiver, eventTypes?: string[]) {
  const res = await h.api(tenant, 'POST', '/api/v1/webhook-endpoints', {
    url: receiver.url,
    ...(eventTypes ? { eventTypes } : {}),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const created = (await res.json()) as { id: string; secret: string };
  receiver.secrets.push(created.secret);
  return created;
}

const relay = (h: Harness) => relayDueWebhooks(h.ctx);

for (const engine of testEngines()) {
  describe(`webhook deliveries (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let other: Tenant;
    let order: BookedOrder;
    const receivers: Receiver[] = [];
    const receiver = async () => {
      const r = await startReceiver();
      receivers.push(r);
      return r;
    };

    before(async () => {
      h = await startHarness(engine, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      partner = await h.tenant('partner', 'Hooked Partner');
      other = await h.tenant('partner', 'Other Partner');
      order = await bookOrder(h, partner, 3);
    });
    after(async () => {
      await Promise.all(receivers.map((r) => r.close()));
      await h.close();
    });

    it('delivers each event to the endpoints that may see it, verified by the standardwebhooks package', async () => {
      const mine = await receiver();
      const theirs = await receiver();
      const vendor = await receiver();
      await endpointFor(h, partner, mine);
      await endpointFor(h, other, theirs);
      const { secret } = await createWebhookEndpoint(h.ctx, { url: vendor.url });
      vendor.secrets.push(secret);
      const [id] = await record(h, [escalated(order)]);
      const outcome = await relay(h);
      assert.equal(outcome.delivered, 2);
      assert.deepEqual(mine.ids(), [id]);
      assert.deepEqual(vendor.ids(), [id]);
      assert.deepEqual(theirs.ids(), [], "another partner's endpoint hears nothing of this order");
      const got = mine.received[0];
      assert.ok(got);
      assert.deepEqual(got.verifiedBy, [0], 'the receiver verifies the signature with its secret');
      const body = JSON.parse(got.body) as { type: string; timestamp: string; data: Record<string, unknown> };
      assert.deepEqual(Object.keys(body), ['type', 'timestamp', 'data']);
      assert.equal(body.type, 'line.escalated');
      assert.equal(body.timestamp, h.clock.now().toISOString());
      assert.equal(body.data.subscriptionId, order.lines[0]?.subscriptionId);
      assert.deepEqual(got.verified, body);
      for (const r of [mine, theirs, vendor]) await r.close();
      await h.db.deleteFrom('webhook_endpoints').execute();
    });

    it('a receiver down, then up days later, gets every event with its original id, in order per subscription', async () => {
      const down = await receiver();
      await endpointFor(h, partner, down);
      down.respond(answer(503, 'maintenance'));
      // Three subscriptions, several events each, recorded in several transactions.
      const ids: string[] = [];
      for (let round = 0; round < 3; round++)
        ids.push(...(await record(h, [escalated(order, 0), escalated(order, 1), escalated(order, 2)])));
      await relay(h);
      // Only the first event of each subscription was tried: the others wait behind it.
      assert.equal(new Set(down.ids()).size, 3);
      down.respond(answer(200, 'ok'));
      for (let step = 0; step < 12 && new Set(down.ids()).size < ids.length; step++) {
        h.clock.advance(11 * HOUR);
        await relay(h);
      }
      assert.deepEqual(new Set(down.ids()), new Set(ids), 'every event arrived');
      for (const line of order.lines) {
        const sent = down.received
          .filter(
            (r) =>
              (JSON.parse(r.body) as { data: { subscriptionId: string } }).data.subscriptionId ===
              line.subscriptionId,
          )
          .map((r) => r.id);
        const wanted = ids.filter((_, i) => i % 3 === order.lines.indexOf(line));
        assert.deepEqual([...new Set(sent)], wanted, 'in the order they happened');
      }
      const delivered = await h.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'delivered')
        .executeTakeFirstOrThrow();
      assert.equal(Number(delivered.n), ids.length);
      await h.db.deleteFrom('webhook_endpoints').execute();
    });
  });
}
