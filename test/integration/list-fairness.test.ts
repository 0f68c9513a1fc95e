import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { orderSearchQuery } from '../../src/modules/orders/search-repository.ts';
import { listPendingSubscriptions } from '../../src/modules/provisioning/subscriptions.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

/**
 * Issue 14, fault 6: one tenant's searches must not starve the others (docs/adr/0024). A tenant
 * runs at most LIST_QUERIES_PER_TENANT lists at once, LIST_QUEUE_PER_TENANT more wait, the rest
 * are refused with 429 and Retry-After; a statement over LIST_QUERY_TIMEOUT_MS answers 503
 * `query_timeout`; /healthz does not wait for a pool connection; and a text without three letters
 * or digits in a row is never looked for inside names and addresses (no trigram scan).
 */

const PER_TENANT = 2;
const QUEUE = 2;
/** Searches tenant A sends at once: well over its share and its queue. */
const BURST = 12;
/** Tenant A's orders: enough that a search matching none of them costs a visible while. */
const ORDERS = { pglite: 20_000, postgres: 200_000 } as const;
/**
 * Every customer is "Customer Alpha <n>": each trigram of this text is in every name, the text in
 * none, so the trigram index hands back the whole tenant to be rechecked (or the planner walks it).
 */
const EXPENSIVE = 'alpha customer';

interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
}

async function bookMany(h: Harness, tenant: Tenant, count: number): Promise<void> {
  await sql`
    insert into orders (reference, partner_org_id, placed_by_org_id, placed_by_api_key_id, end_customer_name, created_at)
    select 'BULK-' || g, ${tenant.orgId}::uuid, ${tenant.orgId}::uuid,
           (select id from api_keys where organization_id = ${tenant.orgId}::uuid limit 1),
           'Customer Alpha ' || g,
           timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second'
    from generate_series(1, ${count}) g`.execute(h.rt.db);
  await sql`analyze orders`.execute(h.rt.db);
}

for (const engine of testEngines()) {
  describe(`one tenant's searches do not starve another (${engine})`, () => {
    let h: Harness;
    let a: Tenant;
    let b: Tenant;

    before(async () => {
      h = await startHarness(engine, {
        LIST_QUERIES_PER_TENANT: String(PER_TENANT),
        LIST_QUEUE_PER_TENANT: String(QUEUE),
        // Long enough that no search here is stopped by the time limit: this test is about shares.
        LIST_QUERY_TIMEOUT_MS: '120000',
      });
      a = await h.tenant('partner', 'Busy Tenant');
      b = await h.tenant('partner', 'Quiet Tenant');
      for (let i = 0; i < 3; i += 1) {
        const res = await h.api(b, 'POST', '/api/v1/orders', orderBody());
        assert.equal(res.status, 201);
      }
      await bookMany(h, a, ORDERS[engine]);
    });
    after(() => h.close());

    it("answers the other tenant's lists and /healthz while one tenant floods searches, and refuses the flood's excess with 429", async () => {
      const flood = Array.from({ length: BURST }, () =>
        h.api(a, 'GET', `/api/v1/orders?q=${encodeURIComponent(EXPENSIVE)}`),
      );
      const quiet = Array.from({ length: 3 }, () => h.api(b, 'GET', '/api/v1/orders'));
      const health = h.app.request('/healthz');
      const quietAnswers = await Promise.all(quiet);
      const healthAnswer = await health;
      const floodAnswers = await Promise.all(flood);

      for (const res of quietAnswers) {
        assert.equal(res.status, 200);
        const body = (await res.json()) as { items: unknown[] };
        assert.equal(body.items.length, 3, 'the quiet tenant sees its own three orders');
      }
      assert.equal(healthAnswer.status, 200);

      const refused = floodAnswers.filter((res) => res.status !== 200);
      assert.ok(refused.length >= 1, 'searches beyond the tenant’s share and queue are refused');
      assert.ok(
        floodAnswers.length - refused.length >= PER_TENANT,
        'the tenant’s own share of searches is answered',
      );
      for (const res of refused) {
        assert.equal(res.status, 429);
        assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.ok(Number(res.headers.get('retry-after')) >= 1, 'a refusal says when to try again');
        const problem = (await res.json()) as Problem;
        assert.equal(problem.code, 'too_many_list_requests');
        assert.ok(problem.detail.length > 0);
      }
      for (const res of floodAnswers.filter((r) => r.status === 200)) {
        assert.deepEqual(((await res.json()) as { items: unknown[] }).items, []);
      }
    });

    it('serves the tenant again once its searches are done', async () => {
      const newest = `BULK-${ORDERS[engine]}`;
      const res = await h.api(a, 'GET', `/api/v1/orders?q=${newest}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as { items: { reference: string }[] };
      assert.deepEqual(
        body.items.map((o) => o.reference),
        [newest],
      );
    });

    it('looks for a text without three letters or digits in a row only among identifiers, never by trigrams', async () => {
      const scope = { orgId: a.orgId };
      const plan = async (q: string) => {
        const { rows } = await sql<
          Record<string, string>
        >`explain ${orderSearchQuery(scope, { q, limit: 26 })}`.execute(h.rt.db);
        return rows.map((r) => Object.values(r).join(' ')).join('\n');
      };
      for (const q of ['ph', 'a', 'C.A', '1-9']) {
        const text = await plan(q);
        // ~~* is ILIKE: no part-of-text match at all, so neither a trigram index nor a filter over every row.
        assert.doesNotMatch(text, /~~\*/, `${q}: no part-of-text condition`);
        assert.doesNotMatch(text, /_trgm/, `${q}: no trigram index`);
      }
      assert.match(await plan('pha'), /~~\*/, 'three letters in a row are looked for inside names');

      // "ph" is inside every customer's name ("Alpha") but starts no reference: it finds nothing.
      const short = await h.api(a, 'GET', '/api/v1/orders?q=ph');
      assert.equal(short.status, 200);
      assert.deepEqual(((await short.json()) as { items: unknown[] }).items, []);
      // Two characters still find references by their start.
      const start = await h.api(a, 'GET', '/api/v1/orders?q=bu&limit=5');
      assert.equal(((await start.json()) as { items: unknown[] }).items.length, 5);
      // The orders page says why a short text found no names.
      const cookie = await h.signIn(a);
      const page = await (await h.app.request('/orders?q=ph', { headers: { Cookie: cookie } })).text();
      assert.match(page, /Names and contact emails are searched from 3 letters or digits in a row/);
      const part = await h.api(a, 'GET', '/api/v1/orders?q=pha&limit=5');
      assert.equal(((await part.json()) as { items: unknown[] }).items.length, 5);
    });

    it('matches contacts on the Subscriptions page only from three letters or digits in a row', async () => {
      const asB: Ctx = {
        ...h.ctx,
        actor: {
          type: 'api_key',
          apiKeyId: '00000000-0000-4000-8000-000000000000',
          orgId: b.orgId,
          orgKind: 'partner',
        },
      };
      // The quiet tenant's three lines have the contact it@acme.example.
      assert.equal((await listPendingSubscriptions(asB, { q: 'acme', limit: 10 })).items.length, 3);
      assert.equal((await listPendingSubscriptions(asB, { q: 'it', limit: 10 })).items.length, 0);
      assert.equal((await listPendingSubscriptions(asB, { q: 'it@', limit: 10 })).items.length, 0);
    });
  });
}

if (testEngines().includes('postgres')) {
  describe('a list over its time limit (postgres)', () => {
    let h: Harness;
    let a: Tenant;
    let locker: pg.Client;

    before(async () => {
      h = await startHarness('postgres', { LIST_QUERY_TIMEOUT_MS: '300' });
      a = await h.tenant('partner', 'Waiting Tenant');
      const res = await h.api(a, 'POST', '/api/v1/orders', orderBody());
      assert.equal(res.status, 201);
      locker = new pg.Client({ connectionString: h.databaseUrl });
      await locker.connect();
    });
    after(async () => {
      await locker.end();
      await h.close();
    });

    // Without a time limit the list would wait for the lock for ever: the test's own limit turns that into a failure.
    it('stops a list that runs over the limit and answers 503 query_timeout with Retry-After, in the caller’s language', {
      timeout: 60_000,
    }, async () => {
      // Another session holds the orders table: every list waits on it, deterministically, past the limit.
      await locker.query('begin');
      await locker.query('lock table orders in access exclusive mode');
      try {
        const api = await h.api(a, 'GET', '/api/v1/orders?q=secret-search-text', undefined, {
          'Accept-Language': 'it',
        });
        assert.equal(api.status, 503);
        assert.match(api.headers.get('content-type') ?? '', /application\/problem\+json/);
        assert.ok(Number(api.headers.get('retry-after')) >= 1);
        const problem = (await api.json()) as Problem;
        assert.equal(problem.code, 'query_timeout');
        assert.equal(problem.title, 'La ricerca ha richiesto troppo tempo');

        const cookie = await h.signIn(a);
        const page = await h.app.request('/orders?q=secret-search-text', { headers: { Cookie: cookie } });
        assert.equal(page.status, 503);
        assert.ok(Number(page.headers.get('retry-after')) >= 1);
        assert.match(await page.text(), /The search took too long/);

        const transactions = await h.api(a, 'GET', '/api/v1/transactions');
        assert.equal(transactions.status, 503);
        assert.equal(((await transactions.json()) as Problem).code, 'query_timeout');
      } finally {
        await locker.query('rollback');
      }
      const lines = h.logs.filter((l) => l.includes('list query stopped at its time limit'));
      assert.ok(lines.length >= 3, 'each stopped list is logged');
      for (const line of lines) {
        assert.doesNotMatch(line, /secret-search-text/);
        assert.doesNotMatch(line, /@/);
        assert.match(line, /"statement":"select/);
      }
      assert.ok(!h.logs.some((l) => l.includes('unhandled error')), 'no 500');
      // With the table free again the same list answers.
      const res = await h.api(a, 'GET', '/api/v1/orders');
      assert.equal(res.status, 200);
    });

    it('answers /healthz while every list of a tenant waits on the database', {
      timeout: 60_000,
    }, async () => {
      await locker.query('begin');
      await locker.query('lock table orders in access exclusive mode');
      let answers: Response[];
      try {
        // More waiting lists than the pool has connections: without a share per tenant they take them all.
        const lists = Array.from({ length: 12 }, () => h.api(a, 'GET', '/api/v1/orders'));
        const health = await h.app.request('/healthz');
        assert.equal(health.status, 200);
        answers = await Promise.all(lists);
      } finally {
        await locker.query('rollback');
      }
      for (const res of answers) {
        assert.ok([429, 503].includes(res.status), `refused, not ${res.status}`);
        assert.ok(Number(res.headers.get('retry-after')) >= 1);
        const { code } = (await res.json()) as Problem;
        assert.ok(['too_many_list_requests', 'query_timeout'].includes(code), code);
      }
    });
  });
}
