import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { claimDue } from '../../src/modules/webhooks/deliveries-repository.ts';
import { purgeWebhookHistory } from '../../src/modules/webhooks/jobs.ts';
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

/** Polls until `check` holds; the bound is a deadline for a test that would otherwise hang, not a measurement. */
async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

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

    const endpointRow = (id: string) =>
      h.db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const deliveryOf = (endpointId: string) =>
      h.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', endpointId).execute();
    const disabledEvents = async (endpointId: string) =>
      (
        await h.db.selectFrom('events').selectAll().where('type', '=', 'webhook_endpoint.disabled').execute()
      ).filter((e) => (e.data as { endpointId: string }).endpointId === endpointId);
    const mailTo = (to: string) =>
      h.db.selectFrom('outbox_emails').selectAll().where('to_address', '=', to).execute();

    it('410 Gone disables the endpoint at once: its owner is emailed and webhook_endpoint.disabled recorded', async () => {
      const gone = await receiver();
      const { id } = await endpointFor(h, partner, gone);
      const watcher = await receiver();
      await endpointFor(h, partner, watcher, ['webhook_endpoint.disabled']);
      gone.respond(answer(410, 'no such hook'));
      await record(h, [escalated(order, 0), escalated(order, 1), escalated(order, 2)]);
      await relay(h);
      const row = await endpointRow(id);
      assert.equal(row.enabled, false);
      assert.equal(row.disabled_reason, 'gone');
      assert.equal((await disabledEvents(id)).length, 1);
      const mail = await mailTo(partner.email);
      assert.equal(mail.length, 1);
      assert.match(mail[0]?.subject ?? '', /disabled/);
      assert.match(mail[0]?.text_body ?? '', /410 Gone/);
      // The owner's other endpoint hears of it.
      const told = watcher.received.map(
        (r) => JSON.parse(r.body) as { type: string; data: { reason: string } },
      );
      assert.deepEqual(
        told.map((b) => [b.type, b.data.reason]),
        [['webhook_endpoint.disabled', 'gone']],
      );
      // A disabled endpoint gets nothing new, and nothing of it stays claimed.
      const before = (await deliveryOf(id)).length;
      await record(h, [escalated(order)]);
      await relay(h);
      assert.equal(gone.received.length, 3);
      const after = await deliveryOf(id);
      assert.equal(after.length, before);
      assert.ok(
        after.every((d) => d.claimed_until === null && d.status === 'failed'),
        'each 410 fails its delivery',
      );
      await h.db.deleteFrom('webhook_endpoints').execute();
      await h.db.deleteFrom('outbox_emails').execute();
    });

    it('an endpoint failing for 5 days is disabled, its admins emailed in their language', async () => {
      const failing = await receiver();
      const { id } = await endpointFor(h, partner, failing);
      await h.db.updateTable('users').set({ locale: 'it' }).where('email', '=', partner.email).execute();
      failing.respond(answer(500, 'boom'));
      const started = h.clock.now();
      // A new event every 12 hours, for six days: each is tried and fails.
      for (let half = 0; half < 12; half++) {
        await record(h, [escalated(order, half % 3)]);
        await relay(h);
        const row = await endpointRow(id);
        if (!row.enabled) break;
        assert.equal(row.failing_since?.getTime(), started.getTime(), 'failing since its first failure');
        h.clock.advance(12 * HOUR);
      }
      const row = await endpointRow(id);
      assert.equal(row.enabled, false);
      assert.equal(row.disabled_reason, 'failing');
      assert.ok(h.clock.now().getTime() - started.getTime() >= 5 * 24 * HOUR);
      const [told] = await disabledEvents(id);
      assert.ok(told);
      const data = told.data as { reason: string; failingSince: string };
      assert.equal(data.reason, 'failing');
      assert.equal(data.failingSince, started.toISOString());
      const mail = await mailTo(partner.email);
      assert.equal(mail.length, 1, JSON.stringify(mail.map((m) => [m.kind, m.subject, m.created_at])));
      assert.equal(mail[0]?.locale, 'it');
      assert.match(mail[0]?.subject ?? '', /disattivato/);
      await h.db.updateTable('users').set({ locale: 'en' }).where('email', '=', partner.email).execute();
      await h.db.deleteFrom('webhook_endpoints').execute();
      await h.db.deleteFrom('outbox_emails').execute();
    });

    it('a success in between forgets the failures; Retry-After is honoured; only the first 2 KB of an answer are kept', async () => {
      const flaky = await receiver();
      const { id } = await endpointFor(h, partner, flaky);
      flaky.respond(answer(429, `slow down ${'x'.repeat(10_000)}`, { 'Retry-After': '7200' }));
      await record(h, [escalated(order)]);
      await relay(h);
      const [waiting] = await deliveryOf(id);
      assert.equal(waiting?.status, 'pending');
      assert.equal(waiting?.next_attempt_at.getTime(), h.clock.now().getTime() + 7200_000);
      const [attempt] = await h.db
        .selectFrom('webhook_attempts')
        .selectAll()
        .where('delivery_id', '=', waiting?.id ?? '')
        .execute();
      assert.equal(attempt?.status_code, 429);
      assert.equal(attempt?.response_excerpt?.length, 2048);
      assert.ok((await endpointRow(id)).failing_since);
      // Not before the receiver said.
      h.clock.advance(3600_000);
      await relay(h);
      assert.equal(flaky.received.length, 1);
      // Unless someone asks: a retry of a waiting delivery goes at once, a new round of attempts.
      const retried = await h.api(
        partner,
        'POST',
        `/api/v1/webhook-endpoints/${id}/deliveries/${waiting?.id}/retry`,
      );
      assert.equal(retried.status, 202);
      assert.deepEqual(
        ((await retried.json()) as { attemptsThisRound: number; nextAttemptAt: string }).nextAttemptAt,
        h.clock.now().toISOString(),
      );
      await relay(h);
      assert.equal(flaky.received.length, 2);
      h.clock.advance(60_000);
      flaky.respond(answer(200));
      h.clock.advance(2 * 3600_000);
      await relay(h);
      assert.equal(flaky.received.length, 3);
      assert.equal((await endpointRow(id)).failing_since, null);
      await h.db.deleteFrom('webhook_endpoints').execute();
    });

    it('a redirect is a failed attempt, never followed', async () => {
      const elsewhere = await receiver();
      const redirecting = await receiver();
      const { id } = await endpointFor(h, partner, redirecting);
      redirecting.respond(answer(307, '', { Location: elsewhere.url }));
      await record(h, [escalated(order)]);
      await relay(h);
      assert.equal(redirecting.received.length, 1);
      assert.equal(elsewhere.received.length, 0);
      const [delivery] = await deliveryOf(id);
      assert.equal(delivery?.status, 'pending');
      assert.equal(delivery?.last_status_code, 307);
      await h.db.deleteFrom('webhook_endpoints').execute();
    });

    it('forgets attempts and finished deliveries after 30 days, and keeps what is younger', async () => {
      const r = await receiver();
      const { id } = await endpointFor(h, partner, r);
      await record(h, [escalated(order)]);
      await relay(h);
      h.clock.advance(29 * 24 * HOUR);
      await record(h, [escalated(order, 1)]);
      await relay(h);
      h.clock.advance(2 * 24 * HOUR);
      const signal = new AbortController().signal;
      await purgeWebhookHistory.handler(h.ctx, {}, { id: 'purge', attempt: 1, signal, expireInSeconds: 60 });
      const left = await deliveryOf(id);
      assert.equal(left.length, 1, 'the 31-day-old delivery is gone, the 2-day-old one stays');
      const attempts = await h.db.selectFrom('webhook_attempts').selectAll().execute();
      assert.deepEqual(
        attempts.map((a) => a.delivery_id),
        [left[0]?.id],
      );
      await h.db.deleteFrom('webhook_endpoints').execute();
    });

    it('a lease another relay took a moment later, by its own clock, still counts as live', async () => {
      const r = await receiver();
      await endpointFor(h, partner, r);
      await record(h, [escalated(order)]);
      const claim = (now: Date) =>
        claimDue(h.db, {
          now,
          until: new Date(now.getTime() + 30_000),
          suspect: new Date(now.getTime() + 60_000),
          token: randomUUID(),
          window: 10,
          windows: [],
          limit: 10,
        });
      const at = h.clock.now();
      assert.equal((await claim(new Date(at.getTime() + 50))).length, 1);
      assert.equal(
        (await claim(at)).length,
        0,
        'not claimed again by a relay whose clock reads 50 ms earlier',
      );
      // A lease two leases ahead can only come from a clock that went back: it is over.
      await h.db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: new Date(at.getTime() - 120_000) })
        .execute();
      assert.equal((await claim(new Date(at.getTime() - 61_000))).length, 1);
      await h.db.deleteFrom('webhook_endpoints').execute();
    });

    it('a receiver that hangs does not delay another endpoint', async () => {
      const hanging = await receiver();
      const quick = await receiver();
      const stuck: (() => void)[] = [];
      hanging.respond(
        (_req, res) =>
          new Promise<void>((resolve) => {
            stuck.push(() => {
              res.writeHead(200).end();
              resolve();
            });
          }),
      );
      const slow = await endpointFor(h, partner, hanging);
      const fast = await endpointFor(h, partner, quick);
      await record(h, [escalated(order, 0)]);
      const running = relay(h);
      // Events keep coming while the first request hangs: the same relay run claims them.
      for (let i = 0; i < 5; i++) {
        if (i > 0) await record(h, [escalated(order, i % 3)]);
        await waitFor(
          async () => (await deliveryOf(fast.id)).filter((d) => d.status === 'delivered').length === i + 1,
        );
      }
      assert.equal(quick.received.length, 5, 'all delivered while the other endpoint hangs');
      assert.equal(hanging.received.length, 3, 'the hanging endpoint holds one request per subscription');
      assert.ok((await deliveryOf(slow.id)).every((d) => d.status === 'pending'));
      hanging.respond(answer(200));
      for (const release of stuck.splice(0)) release();
      await running;
      assert.ok((await deliveryOf(slow.id)).every((d) => d.status === 'delivered'));
      await h.db.deleteFrom('webhook_endpoints').execute();
    });
  });
}
