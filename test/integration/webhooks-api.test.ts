import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createApiKey } from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { relayDueWebhooks } from '../../src/modules/webhooks/relay.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { bookOrder, escalated, record } from '../support/webhook-events.ts';
import { type Receiver, startReceiver } from '../support/webhook-receiver.ts';

const BASE = '/api/v1/webhook-endpoints';

interface Problem {
  code: string;
  errors?: { field: string; code: string }[];
}
interface Endpoint {
  id: string;
  url: string;
  secret?: string;
  enabled: boolean;
  disabledReason: string | null;
  eventTypes: string[];
  scope: string;
  previousSecretExpiresAt: string | null;
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return (text ? JSON.parse(text) : undefined) as T;
}

for (const engine of testEngines()) {
  describe(`the webhooks API (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let stranger: Tenant;
    let vendor: Tenant;
    let receiver: Receiver;
    const count = async () =>
      Number(
        (
          await h.db
            .selectFrom('webhook_endpoints')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      h = await startHarness(engine, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      partner = await h.tenant('partner', 'Api Partner');
      stranger = await h.tenant('distributor', 'Api Stranger');
      const org = await identity.createOrganization(h.ctx, {
        kind: 'vendor',
        name: 'Api Vendor',
        country: 'IT',
      });
      vendor = {
        orgId: org.id,
        apiKey: (await createApiKey(h.ctx, org.id, 'ops')).key,
        email: '',
        password: '',
      };
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await h.close();
    });

    it('registers an endpoint, shows its secret once, and lists it to its owner only', async () => {
      const created = await json<Endpoint>(
        await h.api(partner, 'POST', BASE, {
          url: receiver.url,
          eventTypes: ['line.escalated', 'line.escalated', 'subscription.activated'],
          description: 'ERP feed',
        }),
        201,
      );
      assert.match(created.secret ?? '', /^whsec_[A-Za-z0-9+/]{43}=$/);
      assert.deepEqual(created.eventTypes, ['line.escalated', 'subscription.activated']);
      assert.equal(created.scope, 'organization');
      const listed = await json<{ items: Endpoint[] }>(await h.api(partner, 'GET', BASE), 200);
      assert.deepEqual(
        listed.items.map((e) => e.id),
        [created.id],
      );
      assert.equal('secret' in (listed.items[0] ?? {}), false, 'the secret is never listed');
      const row = await h.db
        .selectFrom('webhook_endpoints')
        .select('secret_sealed')
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();
      assert.doesNotMatch(row.secret_sealed, /whsec_/, 'the secret is stored sealed');
      assert.deepEqual(
        (await json<{ items: Endpoint[] }>(await h.api(stranger, 'GET', BASE), 200)).items,
        [],
      );
      assert.deepEqual((await json<{ items: Endpoint[] }>(await h.api(vendor, 'GET', BASE), 200)).items, []);
      await h.api(partner, 'DELETE', `${BASE}/${created.id}`);
    });

    it("answers 404 for another organization's endpoint, and for ids that name nothing", async () => {
      const mine = await json<Endpoint>(await h.api(partner, 'POST', BASE, { url: receiver.url }), 201);
      const vendors = await json<Endpoint>(await h.api(vendor, 'POST', BASE, { url: receiver.url }), 201);
      assert.equal(vendors.scope, 'vendor');
      for (const [who, id] of [
        [stranger, mine.id],
        [vendor, mine.id],
        [partner, vendors.id],
        [partner, randomUUID()],
        [partner, 'not-a-uuid'],
      ] as const) {
        const calls: [string, string, unknown?][] = [
          ['PATCH', `${BASE}/${id}`, { description: 'x' }],
          ['DELETE', `${BASE}/${id}`],
          ['POST', `${BASE}/${id}/secret/rotate`],
          ['POST', `${BASE}/${id}/test`],
          ['GET', `${BASE}/${id}/deliveries`],
          ['POST', `${BASE}/${id}/deliveries/${randomUUID()}/retry`],
          ['POST', `${BASE}/${id}/recover`, { since: '2026-11-01T00:00:00Z' }],
        ];
        for (const [method, path, body] of calls) {
          const problem = await json<Problem>(await h.api(who, method, path, body), 404);
          assert.equal(problem.code, 'not_found', `${method} ${path}`);
        }
      }
      const deliveryOfMine = await json<Problem>(
        await h.api(partner, 'POST', `${BASE}/${mine.id}/deliveries/${randomUUID()}/retry`),
        404,
      );
      assert.equal(deliveryOfMine.code, 'not_found');
      assert.equal(
        (await h.db.selectFrom('webhook_endpoints').selectAll().execute()).length,
        2,
        'nothing changed',
      );
      await h.api(partner, 'DELETE', `${BASE}/${mine.id}`);
      await h.api(vendor, 'DELETE', `${BASE}/${vendors.id}`);
    });

    it('refuses huge and odd input with 422 naming the field, and writes nothing', async () => {
      const before = await count();
      const cases: [unknown, string, string][] = [
        [{ url: `http://127.0.0.1/${'a'.repeat(3000)}` }, 'url', 'max_length'],
        [{ url: 'ftp://hooks.example/x' }, 'url', 'webhook_url_invalid'],
        [{ url: 'not a url' }, 'url', 'webhook_url_invalid'],
        [{ url: 'https://user:secret@hooks.example/' }, 'url', 'webhook_url_credentials'],
        [{}, 'url', 'required'],
        [{ url: 42 }, 'url', 'type_string'],
        [{ url: receiver.url, eventTypes: ['order.created', 'nonsense.type'] }, 'eventTypes[1]', 'one_of'],
        [{ url: receiver.url, eventTypes: 'order.created' }, 'eventTypes', 'type_array'],
        [{ url: receiver.url, eventTypes: Array(100).fill('order.created') }, 'eventTypes', 'max_items'],
        [{ url: receiver.url, description: 'x'.repeat(501) }, 'description', 'max_length'],
        [{ url: receiver.url, description: 'a\u0000b' }, 'description', 'control_characters'],
        [{ url: receiver.url, description: '\ud800' }, 'description', 'unpaired_surrogate'],
        [{ url: receiver.url, secret: 'whsec_mine' }, 'secret', 'unknown_field'],
      ];
      for (const [body, field, rule] of cases) {
        const problem = await json<Problem>(await h.api(partner, 'POST', BASE, body), 422);
        assert.equal(problem.code, 'validation_failed');
        assert.ok(
          problem.errors?.some((e) => e.field === field && e.code === rule),
          `${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(problem.errors)}`,
        );
      }
      const malformed = await h.api(partner, 'POST', BASE, '{"url":');
      assert.equal(malformed.status, 400);
      const mine = await json<Endpoint>(await h.api(partner, 'POST', BASE, { url: receiver.url }), 201);
      for (const [body, field] of [
        [{ enabled: 'yes' }, 'enabled'],
        [{ url: '' }, 'url'],
        [{ eventTypes: [null] }, 'eventTypes[0]'],
      ] as const) {
        const problem = await json<Problem>(await h.api(partner, 'PATCH', `${BASE}/${mine.id}`, body), 422);
        assert.ok(
          problem.errors?.some((e) => e.field === field),
          JSON.stringify(problem),
        );
      }
      for (const [body, field] of [
        [{ since: 'yesterday' }, 'since'],
        [{ since: '2099-01-01T00:00:00Z' }, 'since'],
        [{}, 'since'],
      ] as const) {
        const problem = await json<Problem>(
          await h.api(partner, 'POST', `${BASE}/${mine.id}/recover`, body),
          422,
        );
        assert.ok(
          problem.errors?.some((e) => e.field === field),
          JSON.stringify(problem),
        );
      }
      const page = await json<Problem>(
        await h.api(partner, 'GET', `${BASE}/${mine.id}/deliveries?cursor=forged`),
        422,
      );
      assert.ok(page.errors?.some((e) => e.field === 'cursor'));
      assert.equal(await count(), before + 1, 'only the one valid endpoint was written');
      await h.api(partner, 'DELETE', `${BASE}/${mine.id}`);
    });

    it('keeps to 20 endpoints per organization, even asked 100 times at once', async () => {
      const answers = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          h.api(stranger, 'POST', BASE, { url: `${receiver.url}?n=${i}`, description: `n${i}` }),
        ),
      );
      const statuses = answers.map((r) => r.status).sort();
      assert.deepEqual(statuses, [...Array(20).fill(201), ...Array(80).fill(409)]);
      const problem = (await answers.find((r) => r.status === 409)?.json()) as Problem;
      assert.equal(problem.code, 'webhook_endpoint_limit');
      const listed = await json<{ items: Endpoint[] }>(await h.api(stranger, 'GET', BASE), 200);
      assert.equal(listed.items.length, 20);
      for (const e of listed.items) await json(await h.api(stranger, 'DELETE', `${BASE}/${e.id}`), 204);
    });

    it('changes, disables and enables an endpoint; rotation signs with both secrets for 24 hours', async () => {
      const order = await bookOrder(h, partner);
      const created = await json<Endpoint>(await h.api(partner, 'POST', BASE, { url: receiver.url }), 201);
      receiver.secrets.splice(0, receiver.secrets.length, created.secret ?? '');
      const off = await json<Endpoint>(
        await h.api(partner, 'PATCH', `${BASE}/${created.id}`, { enabled: false }),
        200,
      );
      assert.equal(off.disabledReason, 'manual');
      assert.equal((await h.api(partner, 'POST', `${BASE}/${created.id}/test`)).status, 409);
      await record(h, [escalated(order)]);
      await relayDueWebhooks(h.ctx);
      assert.equal(receiver.received.length, 0, 'a disabled endpoint gets no new deliveries');
      const on = await json<Endpoint>(
        await h.api(partner, 'PATCH', `${BASE}/${created.id}`, {
          enabled: true,
          eventTypes: ['line.escalated'],
        }),
        200,
      );
      assert.equal(on.enabled, true);
      assert.deepEqual(on.eventTypes, ['line.escalated']);

      const rotated = await json<{ secret: string; previousSecretExpiresAt: string }>(
        await h.api(partner, 'POST', `${BASE}/${created.id}/secret/rotate`),
        200,
      );
      assert.equal(
        new Date(rotated.previousSecretExpiresAt).getTime(),
        h.clock.now().getTime() + 24 * 3600_000,
      );
      receiver.secrets.push(rotated.secret);
      await record(h, [escalated(order)]);
      await relayDueWebhooks(h.ctx);
      assert.equal(receiver.received.length, 1);
      assert.deepEqual(receiver.received[0]?.verifiedBy, [0, 1], 'the old and the new secret both verify');
      assert.equal(receiver.received[0]?.signature.split(' ').length, 2);
      h.clock.advance(24 * 3600_000 + 1000);
      await record(h, [escalated(order)]);
      await relayDueWebhooks(h.ctx);
      assert.deepEqual(receiver.received[1]?.verifiedBy, [1], 'after 24 hours only the new one signs');
      await json(await h.api(partner, 'DELETE', `${BASE}/${created.id}`), 204);
      assert.equal(
        (await h.db.selectFrom('webhook_deliveries').selectAll().execute()).length,
        0,
        'its deliveries went with it',
      );
      receiver.received.length = 0;
    });

    it('sends a test event, retries a delivery and recovers everything since a time, with the original ids', async () => {
      // Away from the events the tests before recorded.
      h.clock.advance(3600_000);
      const order = await bookOrder(h, partner);
      const created = await json<Endpoint>(await h.api(partner, 'POST', BASE, { url: receiver.url }), 201);
      receiver.secrets.splice(0, receiver.secrets.length, created.secret ?? '');
      const sent = await json<{ deliveryId: string }>(
        await h.api(partner, 'POST', `${BASE}/${created.id}/test`),
        202,
      );
      const ids = await record(h, [escalated(order), escalated(order)]);
      await relayDueWebhooks(h.ctx);
      // The test has no subscription: it goes beside the events, which keep their order.
      assert.deepEqual(new Set(receiver.ids()), new Set([sent.deliveryId, ...ids]));
      assert.deepEqual(
        receiver.ids().filter((id) => id !== sent.deliveryId),
        ids,
      );
      const got = receiver.received.find((r) => r.id === sent.deliveryId);
      const test = JSON.parse(got?.body ?? '{}') as { type: string; data: { endpointId: string } };
      assert.equal(test.type, 'webhook_endpoint.test');
      assert.equal(test.data.endpointId, created.id);
      assert.deepEqual(got?.verifiedBy, [0]);

      const log = await json<{
        items: { id: string; eventId: string | null; status: string; attempts: unknown[] }[];
      }>(await h.api(partner, 'GET', `${BASE}/${created.id}/deliveries?limit=2`), 200);
      assert.equal(log.items.length, 2);
      assert.ok(log.items.every((d) => d.status === 'delivered' && d.attempts.length === 1));
      const first = log.items[0];
      assert.ok(first);
      const retried = await json<{ status: string }>(
        await h.api(partner, 'POST', `${BASE}/${created.id}/deliveries/${first.id}/retry`),
        202,
      );
      assert.equal(retried.status, 'pending');
      await relayDueWebhooks(h.ctx);
      assert.equal(receiver.ids().at(-1), first.eventId ?? first.id, 'the retry carries the same webhook-id');

      const since = new Date(h.clock.now().getTime() - 60_000).toISOString();
      const recovered = await json<{ queued: number }>(
        await h.api(partner, 'POST', `${BASE}/${created.id}/recover`, {
          since,
          eventTypes: ['line.escalated'],
        }),
        202,
      );
      assert.equal(recovered.queued, 2);
      const before = receiver.received.length;
      await relayDueWebhooks(h.ctx);
      assert.deepEqual(receiver.ids().slice(before), ids);
      await json(await h.api(partner, 'DELETE', `${BASE}/${created.id}`), 204);
    });

    it('never writes a secret or a signature to the log', () => {
      const logs = h.logs.join('\n');
      assert.ok(receiver.secrets.length > 0);
      for (const secret of receiver.secrets) assert.equal(logs.includes(secret), false);
      assert.doesNotMatch(logs, /whsec_|v1,[A-Za-z0-9+/]{20}/);
    });
  });
}
