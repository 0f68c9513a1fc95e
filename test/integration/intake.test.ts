import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  countRows,
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';

interface OrderJson {
  id: string;
  reference: string;
  orderNumber: string;
  lines: {
    id: string;
    status: string;
    subscriptionId: string;
    services: { code: string; quantity: number }[];
    provisioningContactEmail: string;
  }[];
}

for (const engine of testEngines()) {
  describe(`order intake API (${engine})`, () => {
    let h: Harness;
    let acme: Tenant;
    let globex: Tenant;
    const countOrders = () => countRows(h.db, 'orders');
    const countLines = () => countRows(h.db, 'order_lines');

    before(async () => {
      h = await startHarness(engine);
      acme = await h.tenant('partner', 'Acme Partner');
      globex = await h.tenant('partner', 'Globex Partner');
    });
    after(() => h.close());

    it('books the minimal order: lines wait for their start date, each with its own subscription and the offer’s services', async () => {
      const res = await h.api(acme, 'POST', '/api/v1/orders', {
        reference: 'PO-1001',
        endCustomer: { name: 'Acme' },
        lines: [
          {
            offer: 'A-WX',
            quantity: 50,
            requestedStartDate: '2026-12-01',
            provisioningContactEmail: 'IT@Acme.example',
          },
        ],
      });
      assert.equal(res.status, 201);
      const order = (await res.json()) as OrderJson;
      assert.match(order.id, /^[0-9a-f-]{36}$/);
      assert.equal(res.headers.get('location'), `/api/v1/orders/${order.id}`);
      assert.equal(order.lines.length, 1);
      const [line] = order.lines;
      assert.ok(line);
      assert.match(line.id, /^[0-9a-f-]{36}$/);
      assert.equal(line.status, 'scheduled');
      assert.match(line.subscriptionId, /^SUB-\d+$/);
      assert.equal(line.provisioningContactEmail, 'it@acme.example');
      assert.deepEqual(line.services, [
        { code: 'meetings', quantity: 50 },
        { code: 'calling', quantity: 50 },
      ]);

      const fetched = await h.api(acme, 'GET', `/api/v1/orders/${order.id}`);
      assert.equal(fetched.status, 200);
      assert.deepEqual(await fetched.json(), order);
      const lineRes = await h.api(acme, 'GET', `/api/v1/orders/${order.id}/lines/${line.id}`);
      assert.equal(lineRes.status, 200);
      assert.deepEqual(await lineRes.json(), line);
    });

    it('records on the order who placed it and when', async () => {
      const res = await h.api(acme, 'POST', '/api/v1/orders', orderBody());
      const order = (await res.json()) as OrderJson;
      const row = await h.db
        .selectFrom('orders')
        .select(['placed_by_org_id', 'placed_by_api_key_id', 'placed_by_user_id', 'created_at'])
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow();
      const key = await h.db
        .selectFrom('api_keys')
        .select('id')
        .where('organization_id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      assert.equal(row.placed_by_org_id, acme.orgId);
      assert.equal(row.placed_by_api_key_id, key.id);
      assert.equal(row.placed_by_user_id, null);
      assert.equal(row.created_at.toISOString(), h.clock.now().toISOString());
    });

    it('returns the first response again for the same Idempotency-Key and body, creating one order', async () => {
      const body = orderBody();
      const before = await countOrders();
      const first = await h.api(acme, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'retry-1' });
      const second = await h.api(acme, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'retry-1' });
      assert.equal(first.status, 201);
      assert.equal(second.status, 201);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      assert.deepEqual(await second.json(), await first.json());
      assert.equal(await countOrders(), before + 1);
    });

    it('replays a retry that arrives after the start date has passed, instead of refusing the date', async () => {
      const body = orderBody({}, { requestedStartDate: '2026-11-25' });
      const first = await h.api(acme, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'late-retry' });
      assert.equal(first.status, 201);
      h.clock.advance(10 * 86_400_000);
      try {
        const late = await h.api(acme, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'late-retry' });
        assert.equal(late.status, 201);
        assert.equal(((await late.json()) as OrderJson).id, ((await first.json()) as OrderJson).id);
      } finally {
        h.clock.advance(-10 * 86_400_000);
      }
    });

    it('refuses the same Idempotency-Key with a different body (422) and writes nothing', async () => {
      await h.api(acme, 'POST', '/api/v1/orders', orderBody(), { 'Idempotency-Key': 'retry-2' });
      const before = await countOrders();
      const res = await h.api(acme, 'POST', '/api/v1/orders', orderBody(), { 'Idempotency-Key': 'retry-2' });
      assert.equal(res.status, 422);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const problem = (await res.json()) as { code: string };
      assert.equal(problem.code, 'idempotency_key_reused');
      assert.equal(await countOrders(), before);
    });

    it('scopes Idempotency-Keys to the caller’s organization', async () => {
      const body = orderBody();
      const a = await h.api(acme, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'shared-key' });
      const b = await h.api(globex, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'shared-key' });
      assert.equal(a.status, 201);
      assert.equal(b.status, 201);
      assert.notEqual(((await a.json()) as OrderJson).id, ((await b.json()) as OrderJson).id);
    });

    // PGlite is one session: its transactions are serialised, so requests there cannot race.
    it('creates exactly one order when concurrent requests share a key', {
      skip: engine === 'postgres' ? false : 'requests can race only on a PostgreSQL server',
    }, async () => {
      const body = orderBody();
      const before = await countOrders();
      const concurrent = 100;
      const responses = await Promise.all(
        Array.from({ length: concurrent }, () =>
          h.api(acme, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'burst-1' }),
        ),
      );
      assert.deepEqual(
        responses.map((r) => r.status),
        Array(concurrent).fill(201),
      );
      assert.equal(
        responses.filter((r) => r.headers.get('idempotent-replayed') === 'true').length,
        concurrent - 1,
        'all but one are replays',
      );
      const ids = new Set(await Promise.all(responses.map(async (r) => ((await r.json()) as OrderJson).id)));
      assert.equal(ids.size, 1);
      assert.equal(await countOrders(), before + 1);
    });

    it('names every field at fault and refuses the whole order when one line is bad', async () => {
      const beforeOrders = await countOrders();
      const beforeLines = await countLines();
      const res = await h.api(acme, 'POST', '/api/v1/orders', {
        reference: 'PO-BAD',
        endCustomer: { name: 'Acme' },
        lines: [
          {
            offer: 'A-WX',
            quantity: 5,
            requestedStartDate: '2026-12-01',
            provisioningContactEmail: 'ok@acme.example',
          },
          {
            offer: 'A-WX',
            quantity: 0,
            requestedStartDate: '2026-02-30',
            provisioningContactEmail: 'not-an-email',
          },
          { offer: 'A-WX', quantity: 1, provisioningContactEmail: `${'x'.repeat(65)}@acme.example` },
        ],
      });
      assert.equal(res.status, 422);
      const problem = (await res.json()) as {
        code: string;
        errors: { field: string; code: string; message: string }[];
      };
      assert.equal(problem.code, 'validation_failed');
      const byField = Object.fromEntries(problem.errors.map((e) => [e.field, e.code]));
      assert.deepEqual(byField, {
        'lines[1].quantity': 'min',
        'lines[1].requestedStartDate': 'date',
        'lines[1].provisioningContactEmail': 'email',
        'lines[2].requestedStartDate': 'required',
        'lines[2].provisioningContactEmail': 'email',
      });
      assert.ok(problem.errors.every((e) => e.message.includes(e.field)));
      assert.equal(await countOrders(), beforeOrders);
      assert.equal(await countLines(), beforeLines);
    });

    it('tells a wrong type from a missing field', async () => {
      const res = await h.api(acme, 'POST', '/api/v1/orders', {
        reference: 'PO-TYPES',
        endCustomer: 'Acme',
        lines: [{ offer: 'A-WX', quantity: '5', requestedStartDate: '2026-12-01' }],
      });
      assert.equal(res.status, 422);
      const problem = (await res.json()) as { errors: { field: string; code: string; message: string }[] };
      assert.deepEqual(problem.errors.map((e) => `${e.field}:${e.code}`).sort(), [
        'endCustomer:type_object',
        'lines[0].provisioningContactEmail:required',
        'lines[0].quantity:type_number',
      ]);
      assert.equal(
        problem.errors.find((e) => e.code === 'type_number')?.message,
        'lines[0].quantity must be a number.',
      );
    });

    it('refuses unknown offers, past and far-future start dates, and unknown fields', async () => {
      const res = await h.api(acme, 'POST', '/api/v1/orders', {
        reference: 'PO-BAD-2',
        endCustomer: { name: 'Acme' },
        lines: [
          {
            offer: 'NOPE',
            quantity: 5,
            requestedStartDate: '2026-12-01',
            provisioningContactEmail: 'ok@acme.example',
          },
          {
            offer: 'A-SPK',
            quantity: 5,
            requestedStartDate: '2026-11-20',
            provisioningContactEmail: 'ok@acme.example',
          },
          {
            offer: 'A-SPK',
            quantity: 5,
            requestedStartDate: '2028-01-01',
            provisioningContactEmail: 'ok@acme.example',
          },
        ],
      });
      assert.equal(res.status, 422);
      const problem = (await res.json()) as { errors: { field: string; code: string }[] };
      assert.deepEqual(
        problem.errors.map((e) => `${e.field}:${e.code}`),
        [
          'lines[0].offer:unknown_offer',
          'lines[1].requestedStartDate:date_not_before',
          'lines[2].requestedStartDate:date_not_after',
        ],
      );
      const extra = await h.api(acme, 'POST', '/api/v1/orders', orderBody({ colour: 'blue' }));
      const extraProblem = (await extra.json()) as { errors: { field: string; code: string }[] };
      assert.deepEqual(extraProblem.errors, [
        { field: 'colour', code: 'unknown_field', message: 'colour is not a known field.' },
      ]);
    });

    it('speaks the caller’s language in errors', async () => {
      const res = await h.api(
        acme,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: 'bad' }),
        {
          'Accept-Language': 'it-IT,it;q=0.9,en;q=0.5',
        },
      );
      const problem = (await res.json()) as { title: string; detail: string; errors: { message: string }[] };
      const italian = JSON.parse(
        await (await import('node:fs/promises')).readFile('locales/it.json', 'utf8'),
      ) as {
        errors: { validation_failed: { title: string } };
      };
      assert.equal(problem.title, italian.errors.validation_failed.title);
      assert.notEqual(problem.title, 'Invalid request');
      assert.match(problem.errors[0]?.message ?? '', /lines\[0\]\.provisioningContactEmail/);
    });

    it('answers malformed JSON with a 400 problem', async () => {
      const res = await h.api(acme, 'POST', '/api/v1/orders', '{"reference": ');
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { code: string }).code, 'malformed_request');
    });

    it('refuses a reference the organization already used (409)', async () => {
      const body = orderBody({ reference: 'PO-DUP' });
      assert.equal((await h.api(acme, 'POST', '/api/v1/orders', body)).status, 201);
      const res = await h.api(acme, 'POST', '/api/v1/orders', body);
      assert.equal(res.status, 409);
      assert.equal(((await res.json()) as { code: string }).code, 'order_reference_taken');
    });

    it('needs a valid API key', async () => {
      const none = await h.api(null, 'GET', '/api/v1/orders');
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      const wrong = await h.api({ ...acme, apiKey: 'pvk_not-a-real-key' }, 'GET', '/api/v1/orders');
      assert.equal(wrong.status, 401);
    });

    it('keeps API keys, passwords and session tokens out of the logs', async () => {
      await h.api(acme, 'GET', '/api/v1/orders');
      const login = await h.app.request('/login', formPost({ email: acme.email, password: acme.password }));
      assert.equal(login.status, 303, 'signed in');
      const session = /provisio_session=([^;]+)/.exec(login.headers.get('set-cookie') ?? '')?.[1];
      assert.ok(session);
      await h.app.request('/orders', { headers: { Cookie: `provisio_session=${session}` } });
      const all = h.logs.join('\n');
      assert.ok(!all.includes(session));
      assert.ok(h.logs.some((line) => JSON.parse(line).msg === 'request'));
      assert.ok(!all.includes(acme.apiKey));
      assert.ok(!all.includes(acme.password));
    });
  });
}
