import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { relayDueWebhooks } from '../../src/modules/webhooks/relay.ts';
import type { Resolver } from '../../src/platform/safe-targets.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { bookOrder, escalated, record } from '../support/webhook-events.ts';
import { type Receiver, startReceiver } from '../support/webhook-receiver.ts';

const BASE = '/api/v1/webhook-endpoints';

/**
 * Without WEBHOOK_ALLOW_PRIVATE_TARGETS (the default): hostile targets never receive a request. The
 * receiver listens on 127.0.0.1 and must get nothing; names resolve through a table the test changes,
 * as a DNS server under an attacker's control would answer.
 */
for (const engine of testEngines()) {
  describe(`webhook targets that may not be reached (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let hostile: Receiver;
    const names = new Map<string, string[]>();
    const resolve: Resolver = async (host) => {
      const found = names.get(host);
      if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    };

    before(async () => {
      h = await startHarness(engine, {}, { resolve });
      partner = await h.tenant('partner', 'Target Partner');
      hostile = await startReceiver();
      names.set('localhost', ['127.0.0.1', '::1']);
      names.set('metadata.attacker.test', ['169.254.169.254']);
      names.set('inside.attacker.test', ['93.184.216.34', '10.0.0.1']);
    });
    after(async () => {
      await hostile.close();
      await h.close();
    });

    it('refuses loopback, private, link-local and metadata addresses, literal or by name, when registered or changed', async () => {
      const port = hostile.port;
      for (const url of [
        `http://127.0.0.1:${port}/hooks`,
        'http://10.0.0.1/hooks',
        'http://169.254.169.254/latest/meta-data/',
        `http://[::1]:${port}/hooks`,
        `http://[::ffff:127.0.0.1]:${port}/hooks`,
        `http://2130706433:${port}/hooks`,
        `http://localhost:${port}/hooks`,
        'http://metadata.attacker.test/',
        'http://inside.attacker.test/',
      ]) {
        const res = await h.api(partner, 'POST', BASE, { url });
        const problem = (await res.json()) as { errors?: { field: string; code: string }[] };
        assert.equal(res.status, 422, url);
        assert.deepEqual(
          problem.errors?.map((e) => [e.field, e.code]),
          [['url', 'webhook_url_private_target']],
          url,
        );
      }
      const unresolvable = await h.api(partner, 'POST', BASE, { url: 'http://nowhere.attacker.test/' });
      assert.equal(unresolvable.status, 422);
      assert.match(await unresolvable.text(), /webhook_url_unresolvable/);
      names.set('public.attacker.test', ['93.184.216.34']);
      const created = await h.api(partner, 'POST', BASE, { url: 'http://public.attacker.test/hooks' });
      assert.equal(created.status, 201);
      const { id } = (await created.json()) as { id: string };
      const changed = await h.api(partner, 'PATCH', `${BASE}/${id}`, {
        url: `http://127.0.0.1:${port}/hooks`,
      });
      assert.equal(changed.status, 422);
      await h.api(partner, 'DELETE', `${BASE}/${id}`);
      assert.equal(hostile.received.length, 0);
    });

    it('checks again at delivery and connects to the address it checked: DNS rebinding reaches nothing', async () => {
      names.set('rebind.attacker.test', ['93.184.216.34']);
      const created = await h.api(partner, 'POST', BASE, {
        url: `http://rebind.attacker.test:${hostile.port}/hooks`,
        // One event to follow: the booking below writes its own `order.created` too.
        eventTypes: ['line.escalated'],
      });
      assert.equal(created.status, 201, await created.clone().text());
      const { id } = (await created.json()) as { id: string };
      // Registered while the name pointed outside; now it points at Provisio's own host.
      names.set('rebind.attacker.test', ['127.0.0.1']);
      const order = await bookOrder(h, partner);
      await record(h, [escalated(order)]);
      await relayDueWebhooks(h.ctx);
      assert.equal(hostile.received.length, 0, 'the receiver on 127.0.0.1 got nothing');
      const attempts = await h.db
        .selectFrom('webhook_attempts')
        .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
        .select(['webhook_attempts.error', 'webhook_attempts.status_code', 'webhook_deliveries.status'])
        .where('webhook_deliveries.endpoint_id', '=', id)
        .execute();
      assert.deepEqual(attempts, [{ error: 'target_refused', status_code: null, status: 'pending' }]);
    });
  });
}
