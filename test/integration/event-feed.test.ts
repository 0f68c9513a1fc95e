import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EVENT_TYPES } from '../../src/modules/events/catalogue.ts';
import { EVENT_DOCS } from '../../src/modules/events/catalogue-docs.ts';
import { type EventTenant, event, recordEvents } from '../../src/modules/events/record.ts';
import { EVENT_RETENTION_DAYS, purgeEventsJob } from '../../src/modules/events/retention.ts';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import type { Db } from '../../src/platform/db.ts';
import { feedPage, feedToEnd, feedUntil } from '../support/events.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const DAY = 24 * 60 * 60 * 1000;

for (const engine of testEngines()) {
  describe(`the event feed (${engine})`, () => {
    let h: Harness;
    let vendor: Tenant;
    let partner: Tenant;
    let distributor: Tenant;
    let stranger: Tenant;

    /** Writes one small event in its own transaction (support_case.answered: its data names no row). */
    async function write(tenant: EventTenant | null, db: Db = h.db): Promise<string> {
      const caseId = randomUUID();
      await db.transaction().execute((tx) =>
        recordEvents({ ...h.ctx, db: tx }, [
          event(
            'support_case.answered',
            {
              caseId,
              caseNumber: 'CASE-1',
              organizationId: tenant?.partnerOrgId ?? randomUUID(),
              subscriptionId: null,
            },
            tenant,
          ),
        ]),
      );
      return caseId;
    }
    const caseIds = (items: { data: Record<string, unknown> }[]) => items.map((e) => String(e.data.caseId));
    const own = (t: Tenant): EventTenant => ({ partnerOrgId: t.orgId, placedByOrgId: t.orgId });

    before(async () => {
      h = await startHarness(engine);
      // A vendor's users are operators, not partner admins: its key is made directly.
      const keyOf = async (kind: 'vendor', name: string): Promise<Tenant> => {
        const org = await identity.createOrganization(h.ctx, { kind, name });
        const { key } = await apiKeys.createApiKey(h.ctx, org.id, `${kind} key`);
        return { orgId: org.id, apiKey: key, email: '', password: '' };
      };
      vendor = await keyOf('vendor', 'Provisio Operations');
      partner = await h.tenant('partner', 'Feed Partner');
      distributor = await h.tenant('distributor', 'Feed Distributor');
      stranger = await h.tenant('partner', 'Feed Stranger');
    });
    after(() => h.close());

    it('lists the catalogue to any key: each type with its description, JSON Schema and example', async () => {
      for (const tenant of [partner, distributor, vendor]) {
        const res = await h.api(tenant, 'GET', '/api/v1/event-types');
        assert.equal(res.status, 200);
        const { data } = (await res.json()) as {
          data: { type: string; description: string; schema: { type: string }; example: unknown }[];
        };
        assert.deepEqual(
          data.map((e) => e.type),
          EVENT_TYPES,
        );
        for (const e of data) {
          assert.equal(e.description, EVENT_DOCS[e.type as keyof typeof EVENT_DOCS].description);
          assert.equal(e.schema.type, 'object');
          assert.deepEqual(e.example, EVENT_DOCS[e.type as keyof typeof EVENT_DOCS].example);
        }
      }
      assert.equal((await h.api(null, 'GET', '/api/v1/event-types')).status, 401);
    });

    it('shows each caller only its events: the vendor all, a partner or distributor its orders’', async () => {
      const start = {
        vendor: (await feedToEnd(h, vendor)).nextCursor,
        partner: (await feedToEnd(h, partner)).nextCursor,
        distributor: (await feedToEnd(h, distributor)).nextCursor,
        stranger: (await feedToEnd(h, stranger)).nextCursor,
      };
      const ofPartner = await write(own(partner));
      const placedForPartner = await write({ partnerOrgId: partner.orgId, placedByOrgId: distributor.orgId });
      const ofStranger = await write(own(stranger));
      const vendorOnly = await write(null);

      const all = await feedUntil(h, vendor, (items) => items.length >= 4, { after: start.vendor });
      assert.deepEqual(caseIds(all), [ofPartner, placedForPartner, ofStranger, vendorOnly]);
      const read = async (t: Tenant, after: string) => caseIds((await feedToEnd(h, t, { after })).data);
      assert.deepEqual(await read(partner, start.partner), [ofPartner, placedForPartner]);
      assert.deepEqual(await read(distributor, start.distributor), [placedForPartner]);
      assert.deepEqual(await read(stranger, start.stranger), [ofStranger]);
      assert.equal((await h.api(null, 'GET', '/api/v1/events')).status, 401);
    });

    it('gives each item as a webhook body with its id, and pages with an opaque cursor that never skips nor repeats', async () => {
      const before = (await feedToEnd(h, partner)).nextCursor;
      const written: string[] = [];
      for (let i = 0; i < 7; i++) written.push(await write(own(partner)));
      await feedUntil(h, partner, (items) => items.length >= 7, { after: before });

      const pages: string[][] = [];
      let cursor = before;
      for (;;) {
        const page = await feedPage(h, partner, { after: cursor, limit: '3' });
        if (page.data.length === 0) {
          assert.equal(page.nextCursor, cursor, 'up to date: the same cursor comes back');
          break;
        }
        for (const item of page.data) {
          assert.deepEqual(Object.keys(item).sort(), ['data', 'id', 'timestamp', 'type']);
          assert.equal(item.type, 'support_case.answered');
          assert.equal(item.timestamp, h.clock.now().toISOString());
        }
        pages.push(caseIds(page.data));
        cursor = page.nextCursor;
      }
      assert.deepEqual(
        pages.map((p) => p.length),
        [3, 3, 1],
      );
      assert.deepEqual(pages.flat(), written);
      const ids = (await feedToEnd(h, partner, { after: before })).data.map((e) => e.id);
      assert.equal(new Set(ids).size, 7);
    });

    it('filters by type, and refuses unknown types and tampered cursors with 400 naming the parameter, in the caller’s language', async () => {
      const before = (await feedToEnd(h, vendor)).nextCursor;
      const answered = await write(own(partner));
      await feedUntil(h, vendor, (items) => items.length >= 1, { after: before });
      const filtered = await feedToEnd(h, vendor, { after: before, types: 'order.created, line.closed' });
      assert.deepEqual(filtered.data, []);
      const matching = await feedToEnd(h, vendor, {
        after: before,
        types: 'line.closed,support_case.answered',
      });
      assert.deepEqual(caseIds(matching.data), [answered]);

      const res = await h.api(
        vendor,
        'GET',
        `/api/v1/events?after=${before}x&types=order.created,order.nope`,
        undefined,
        {
          'Accept-Language': 'it',
        },
      );
      assert.equal(res.status, 400);
      assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
      const problem = (await res.json()) as {
        code: string;
        title: string;
        errors: { field: string; message: string }[];
      };
      assert.equal(problem.code, 'invalid_parameter');
      assert.equal(problem.title, 'Parametro non valido');
      assert.deepEqual(
        problem.errors.map((e) => e.field),
        ['after', 'types'],
      );
      assert.match(problem.errors[1]?.message ?? '', /non esiste un tipo di evento "order\.nope"/);
      for (const after of [
        'tampered',
        'ZTEuMS4x',
        `${before}A`,
        before.slice(0, -1),
        '%00',
        'x'.repeat(5000),
      ]) {
        const bad = await h.api(vendor, 'GET', `/api/v1/events?${new URLSearchParams({ after })}`);
        assert.equal(bad.status, 400, after);
      }
      assert.equal((await h.api(vendor, 'GET', '/api/v1/events?limit=0')).status, 422);
      assert.equal((await h.api(vendor, 'GET', '/api/v1/events?limit=501')).status, 422);
    });

    it('100 reads at once from one key: each answered or refused with 429 and Retry-After, never 500; others still read', async () => {
      const answers = await Promise.all(
        Array.from({ length: 100 }, () => h.api(partner, 'GET', '/api/v1/events?limit=500')),
      );
      const statuses = new Set(answers.map((r) => r.status));
      assert.deepEqual(
        [...statuses].filter((s) => s !== 200 && s !== 429),
        [],
      );
      for (const r of answers.filter((a) => a.status === 429))
        assert.ok(Number(r.headers.get('retry-after')) >= 1);
      assert.ok(answers.some((r) => r.status === 200));
      assert.equal((await h.api(stranger, 'GET', '/api/v1/events')).status, 200);
    });

    it(`reaches ${EVENT_RETENTION_DAYS} days back, and the purge job deletes what is older`, async () => {
      const before = (await feedToEnd(h, stranger)).nextCursor;
      const now = h.clock.now();
      h.clock.set(new Date(now.getTime() - (EVENT_RETENTION_DAYS + 1) * DAY));
      const tooOld = await write(own(stranger));
      h.clock.set(new Date(now.getTime() - (EVENT_RETENTION_DAYS - 1) * DAY));
      const kept = await write(own(stranger));
      h.clock.set(now);
      const fresh = await write(own(stranger));

      const seen = await feedUntil(h, stranger, (items) => items.length >= 2, { after: before });
      assert.deepEqual(caseIds(seen), [kept, fresh]);

      await purgeEventsJob.handler(
        h.rt.systemContext('test-purge'),
        {},
        {
          id: 'test',
          attempt: 1,
          signal: new AbortController().signal,
          expireInSeconds: 60,
        },
      );
      const left = await h.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('occurred_at', '<', new Date(now.getTime() - EVENT_RETENTION_DAYS * DAY))
        .executeTakeFirstOrThrow();
      assert.equal(Number(left.n), 0);
      const rows = await h.db
        .selectFrom('events')
        .select('data')
        .where('partner_org_id', '=', stranger.orgId)
        .execute();
      const remaining = rows.map((r) => String((r.data as { caseId: string }).caseId));
      assert.ok(!remaining.includes(tooOld));
      assert.ok(remaining.includes(kept) && remaining.includes(fresh));
    });
  });
}
