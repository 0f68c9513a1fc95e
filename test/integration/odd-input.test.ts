import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { translator } from '../../src/platform/i18n.ts';
import {
  countRows,
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';

interface Problem {
  status: number;
  code: string;
  errors?: { field: string; code: string; message: string }[];
}

/** A paging cursor as the API encodes one, around any date text. */
const cursorAt = (createdAt: string) =>
  Buffer.from(JSON.stringify([createdAt, '0b0e6a4e-0000-4000-8000-000000000001'])).toString('base64url');

/** Dates JavaScript can hold and PostgreSQL cannot take. */
const OUT_OF_RANGE_DATES = [
  '0000-01-01T00:00:00.000Z',
  new Date(Date.UTC(-5000, 0, 1)).toISOString(),
  new Date(8.64e15).toISOString(),
  new Date(-8.64e15).toISOString(),
];

const escapeHtml = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

for (const engine of testEngines()) {
  describe(`odd input gets a 4xx naming the field, never a 500 (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let cookie: string;
    const countOrders = () => countRows(h.db, 'orders');
    const countKeys = () => countRows(h.db, 'idempotency_keys');

    /** Posts an order and expects exactly one field error. */
    async function refused(
      body: unknown,
      field: string,
      rule: string,
      headers: Record<string, string> = {},
    ): Promise<void> {
      const label = `${field}=${JSON.stringify(body)} ${JSON.stringify(headers)}`;
      const res = await h.api(partner, 'POST', '/api/v1/orders', body, headers);
      assert.equal(res.status, 422, label);
      assert.equal(res.headers.get('content-type'), 'application/problem+json', label);
      const problem = (await res.json()) as Problem;
      assert.equal(problem.code, 'validation_failed', label);
      assert.deepEqual(
        problem.errors?.map((e) => [e.field, e.code]),
        [[field, rule]],
        label,
      );
      const message = problem.errors?.[0]?.message ?? '';
      assert.equal(message, translator('en')(`validation.${rule}`, { field }), label);
      assert.ok(message.includes(field), label);
    }

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Odd Input');
      cookie = await h.signIn(partner);
    });
    after(() => h.close());

    it('refuses NUL and other control characters in the order’s text fields, writing nothing', async () => {
      const orders = await countOrders();
      for (const control of [
        '\u0000',
        '\u0001',
        '\u001b[31m',
        '\u007f',
        '\u0085',
        'a\nb',
        'a\tb',
        '\u2028',
      ]) {
        await refused(orderBody({ reference: `PO-${control}-1` }), 'reference', 'control_characters');
        await refused(
          orderBody({ endCustomer: { name: `Acme${control}Corp` } }),
          'endCustomer.name',
          'control_characters',
        );
      }
      await refused(orderBody({}, { offer: 'A-WX\u0000' }), 'lines[0].offer', 'control_characters');
      await refused(
        orderBody({}, { provisioningContactEmail: 'it\u0000@acme.example' }),
        'lines[0].provisioningContactEmail',
        'control_characters',
      );
      assert.equal(await countOrders(), orders);
    });

    it('refuses text made only of invisible characters where text is required', async () => {
      const orders = await countOrders();
      for (const invisible of [
        '\u200b',
        '\u2060',
        '\u00ad',
        '\u200c\u200d',
        ' \u200b ',
        '\u3164',
        '\u2800',
      ]) {
        await refused(orderBody({ reference: invisible }), 'reference', 'invisible_only');
        await refused(orderBody({ endCustomer: { name: invisible } }), 'endCustomer.name', 'invisible_only');
      }
      // Whitespace (the byte order mark included) is trimmed away: then nothing is left.
      for (const blank of ['   ', '\ufeff', ' \u00a0\u3000 '])
        await refused(orderBody({ reference: blank }), 'reference', 'required');
      await refused(orderBody({}, { offer: '\u200b' }), 'lines[0].offer', 'invisible_only');
      assert.equal(await countOrders(), orders);
    });

    it('refuses half a surrogate pair instead of storing U+FFFD', async () => {
      const orders = await countOrders();
      for (const broken of ['\ud800', 'PO-\udc00-1', 'x\ud83d'])
        await refused(orderBody({ reference: broken }), 'reference', 'unpaired_surrogate');
      await refused(
        orderBody({ endCustomer: { name: 'Acme \udfff' } }),
        'endCustomer.name',
        'unpaired_surrogate',
      );
      // Hand-written JSON, as a client in another language would send it.
      const raw = JSON.stringify(orderBody({ reference: 'PO-SURROGATE' })).replace(
        'PO-SURROGATE',
        'PO-\\ud800',
      );
      await refused(raw, 'reference', 'unpaired_surrogate');
      assert.equal(await countOrders(), orders);
    });

    it('refuses bidirectional controls in the reference and the offer, naming the field', async () => {
      const orders = await countOrders();
      const keys = await countKeys();
      for (const control of [
        '\u202a',
        '\u202b',
        '\u202c',
        '\u202d',
        '\u202e',
        '\u2066',
        '\u2067',
        '\u2068',
        '\u2069',
        '\u200e',
        '\u200f',
      ]) {
        await refused(orderBody({ reference: `PO-${control}1001` }), 'reference', 'bidi_controls');
        await refused(orderBody({}, { offer: `A-WX${control}` }), 'lines[0].offer', 'bidi_controls');
      }
      // A header cannot carry them (HTTP headers are Latin-1; UTF-8 bytes arrive as C1 controls).
      assert.equal(await countOrders(), orders);
      assert.equal(await countKeys(), keys);
      // A customer's name may be right-to-left and need a direction mark: it is not an identifier.
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({ reference: 'PO-BIDI-NAME', endCustomer: { name: 'שלום Ltd \u200f' } }),
      );
      assert.equal(res.status, 201, await res.clone().text());
    });

    it('still takes real text: emoji, joiners inside words, accents, trimmed edges', async () => {
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({ reference: ' PO-😀-1\n', endCustomer: { name: '👩‍💻 Zoë Studio\u00ad' } }),
      );
      assert.equal(res.status, 201, await res.clone().text());
      const order = (await res.json()) as { id: string; reference: string; endCustomer: { name: string } };
      assert.equal(order.reference, 'PO-😀-1');
      const row = await h.db
        .selectFrom('orders')
        .select(['reference', 'end_customer_name'])
        .where('id', '=', order.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { reference: 'PO-😀-1', end_customer_name: '👩‍💻 Zoë Studio\u00ad' });
    });

    it('refuses an Idempotency-Key with control or only invisible characters, remembering nothing', async () => {
      const orders = await countOrders();
      const keys = await countKeys();
      await refused(orderBody(), 'idempotency-key', 'control_characters', {
        'Idempotency-Key': 'key\u0001x',
      });
      await refused(orderBody(), 'idempotency-key', 'invisible_only', { 'Idempotency-Key': '\u00ad' });
      assert.equal(await countOrders(), orders);
      assert.equal(await countKeys(), keys);
    });

    it('refuses control characters in the order search', async () => {
      for (const q of ['%00', 'PO%00', '%1B', 'a%0Ab']) {
        const res = await h.api(partner, 'GET', `/api/v1/orders?q=${q}`);
        assert.equal(res.status, 422, q);
        const problem = (await res.json()) as Problem;
        assert.equal(problem.code, 'validation_failed');
        assert.deepEqual(
          problem.errors?.map((e) => [e.field, e.code]),
          [['q', 'control_characters']],
        );
      }
      // A search may be empty, or only whitespace: that is no filter at all.
      assert.equal((await h.api(partner, 'GET', '/api/v1/orders?q=%20%20')).status, 200);
    });

    it('refuses a paging cursor whose date PostgreSQL cannot take', async () => {
      for (const date of OUT_OF_RANGE_DATES) {
        const res = await h.api(partner, 'GET', `/api/v1/orders?cursor=${cursorAt(date)}`);
        assert.equal(res.status, 422, date);
        const problem = (await res.json()) as Problem;
        assert.deepEqual(
          problem.errors?.map((e) => [e.field, e.code]),
          [['cursor', 'cursor']],
          date,
        );
      }
      const fine = await h.api(
        partner,
        'GET',
        `/api/v1/orders?cursor=${cursorAt('2026-11-21T09:00:00.000Z')}`,
      );
      assert.equal(fine.status, 200);
    });

    it('the workspace list answers odd searches and cursors with a 422 page that says why', async () => {
      const t = translator('en');
      const cases = [
        { query: 'q=%00', field: 'q', rule: 'control_characters', label: 'orders.search' },
        { query: 'q=a%0Db', field: 'q', rule: 'control_characters', label: 'orders.search' },
        ...OUT_OF_RANGE_DATES.map((date) => ({
          query: `cursor=${cursorAt(date)}`,
          field: 'cursor',
          rule: 'cursor',
          label: 'orders.paging',
        })),
      ];
      for (const { query, field, rule, label } of cases) {
        const res = await h.app.request(`/orders?${query}`, { headers: { Cookie: cookie } });
        assert.equal(res.status, 422, query);
        const html = await res.text();
        const message = t(`validation.${rule}`, { field: t(label) });
        assert.ok(
          // The error summary at the top names the problem and links to its field.
          html.includes(`<a href="#${field}">${escapeHtml(message)}</a>`),
          `${query}: ${message}`,
        );
      }
    });

    it('a sign-in with NUL in the address is refused as wrong credentials', async () => {
      const res = await h.app.request(
        '/login',
        formPost({ email: `${partner.email}\u0000`, password: partner.password }),
      );
      assert.equal(res.status, 401);
      assert.ok(!res.headers.getSetCookie().some((c) => c.startsWith('provisio_session=')));
    });
  });
}
