import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { listOrders } from '../../src/modules/orders/search.ts';
import { advance } from '../../src/modules/subscriptions/advance.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { searchesPartOfText } from '../../src/platform/search-text.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';

/**
 * Order search answers exactly what a plain scan of every order would, for every kind of caller:
 * a partner, a distributor (who sees what it placed for its resellers), the reseller, another
 * partner and an operator, page after page, with many orders sharing one creation time to the
 * microsecond. The scan below is the definition; the search is the fast way to the same answer.
 */

const ORDERS = 240;
const CUSTOMERS = ['Acme Corp', 'Globex', 'Initech_Labs', 'Umbrella 100%', 'Hooli', 'Зоря Україна'];
const STATUSES = ['scheduled', 'awaiting_provisioning_details', 'closed', 'provisioned'] as const;

interface Query {
  q?: string;
  status?: (typeof STATUSES)[number];
  startFrom?: string;
  startTo?: string;
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Every order the caller may see that the query matches, newest first: the slow, obvious way. The
 * text matches the start of a reference, a whole order number or subscription id, or part of a
 * customer name or contact email, in any case: part of a text only when it has three letters or
 * digits in a row (shorter text has no trigram to look up, docs/adr/0024).
 */
async function scan(h: Harness, orgId: string | 'all', query: Query): Promise<string[]> {
  const p = query.q === undefined ? null : `%${escapeLike(query.q)}%`;
  const partial = query.q !== undefined && searchesPartOfText(query.q);
  const start = query.q === undefined ? null : `${escapeLike(query.q)}%`;
  const { rows } = await sql<{ id: string }>`
    select o.id from orders o
    where (${orgId === 'all'} or o.partner_org_id::text = ${orgId} or o.placed_by_org_id::text = ${orgId})
      and (${p}::text is null
           or lower(o.reference) like lower(${start}) or o.order_number = upper(${query.q ?? ''})
           or (${partial} and lower(o.end_customer_name) like lower(${p}))
           or (${partial} and exists (select 1 from order_lines l where l.order_id = o.id and l.provisioning_contact_email ilike ${p}))
           or exists (select 1 from order_lines l join subscriptions s on s.line_id = l.id
                      where l.order_id = o.id and s.id = upper(${query.q ?? ''})))
      and (${!query.status && !query.startFrom && !query.startTo} or exists (
           select 1 from order_lines f where f.order_id = o.id
             and (${query.status ?? null}::text is null or f.status = ${query.status ?? null})
             and (${query.startFrom ?? null}::date is null or f.requested_start_date >= ${query.startFrom ?? null}::date)
             and (${query.startTo ?? null}::date is null or f.requested_start_date <= ${query.startTo ?? null}::date)))
    order by o.created_at desc, o.id desc`.execute(h.rt.db);
  return rows.map((r) => r.id);
}

async function pageThrough(ctx: Ctx, query: Query): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await listOrders(ctx, { ...query, limit: 7, ...(cursor ? { cursor } : {}) });
    ids.push(...page.items.map((o) => o.id));
    if (!page.nextCursor) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

/**
 * The orders are booked with plain SQL, as booking leaves them (every line `scheduled`); each line then
 * reaches its status the way production moves it, through the one writer (`advance`), in sets: a
 * quarter stay scheduled, the rest get their email, of which some close by policy and some are mapped
 * (to their partner's own organization) and provisioned.
 */
async function moveLinesOn(h: Harness): Promise<void> {
  const lines = await h.db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .select(['s.id', 'o.reference', 'l.line_number', 'l.partner_org_id'])
    .execute();
  const target = (l: (typeof lines)[number]) =>
    STATUSES[(l.reference.charCodeAt(l.reference.length - 1) + l.line_number) % STATUSES.length];
  const ids = (wanted: (typeof STATUSES)[number][]) =>
    lines.filter((l) => wanted.includes(target(l) ?? 'scheduled')).map((l) => l.id);
  await advance(h.ctx, ids(['awaiting_provisioning_details', 'closed', 'provisioned']), {
    type: 'provisioning_email_sent',
  });
  await advance(h.ctx, ids(['closed']), { type: 'policy_window_ended' });
  const provisioned = new Set(ids(['provisioned']));
  for (const partner of new Set(lines.map((l) => l.partner_org_id))) {
    const own = lines.filter((l) => l.partner_org_id === partner && provisioned.has(l.id)).map((l) => l.id);
    await advance(h.ctx, own, {
      type: 'mapped',
      partnerOrgId: partner,
      customerOrgId: partner,
      setupAssignee: 'partner',
      mappedByUserId: null,
    });
  }
  await advance(h.ctx, [...provisioned], {
    type: 'activated',
    externalTenantId: null,
    provisionedByUserId: null,
  });
}

for (const engine of testEngines()) {
  describe(`order search gives a plain scan's answers (${engine})`, () => {
    let h: Harness;
    const callers: { name: string; orgId: string | 'all'; ctx: Ctx }[] = [];
    let sample: { reference: string; orderNumber: string; subscriptionId: string };

    before(async () => {
      h = await startHarness(engine);
      const partner = await h.tenant('partner', 'Direct Partner');
      const distributor = await h.tenant('distributor', 'Big Distributor');
      const reseller = await h.tenant('partner', 'Small Reseller');
      const other = await h.tenant('partner', 'Someone Else');
      const asCaller = (orgId: string, orgKind: 'partner' | 'distributor'): Ctx => ({
        ...h.ctx,
        actor: { type: 'api_key', apiKeyId: '00000000-0000-4000-8000-000000000000', orgId, orgKind },
      });
      callers.push(
        { name: 'partner', orgId: partner.orgId, ctx: asCaller(partner.orgId, 'partner') },
        { name: 'distributor', orgId: distributor.orgId, ctx: asCaller(distributor.orgId, 'distributor') },
        { name: 'reseller', orgId: reseller.orgId, ctx: asCaller(reseller.orgId, 'partner') },
        { name: 'other partner', orgId: other.orgId, ctx: asCaller(other.orgId, 'partner') },
        { name: 'operator', orgId: 'all', ctx: h.ctx },
      );
      // Who books each order: [partner, placer]. The distributor places for the reseller and for itself.
      const bookings = [
        [partner.orgId, partner.orgId],
        [reseller.orgId, distributor.orgId],
        [distributor.orgId, distributor.orgId],
        [reseller.orgId, reseller.orgId],
        [other.orgId, other.orgId],
      ] as const;
      // Three orders share each creation time, to the microsecond: paging must neither skip nor repeat them.
      await sql`
        with booked as (
          insert into orders (reference, partner_org_id, placed_by_org_id, placed_by_api_key_id, end_customer_name, created_at)
          select 'PO-' || g || case when g % 9 = 0 then '_x' else '' end,
                 (${sql.val(bookings.map((b) => b[0]))}::uuid[])[1 + g % 5],
                 (${sql.val(bookings.map((b) => b[1]))}::uuid[])[1 + g % 5],
                 (select id from api_keys k where k.organization_id = (${sql.val(bookings.map((b) => b[1]))}::uuid[])[1 + g % 5] limit 1),
                 (${sql.val(CUSTOMERS)}::text[])[1 + g % 6],
                 timestamptz '2026-11-01 09:00:00.123456+00' + (g / 3) * interval '7 microseconds'
          from generate_series(1, ${ORDERS}) g
          returning id, partner_org_id, placed_by_org_id, created_at, reference),
        lines as (
          insert into order_lines (order_id, line_number, offer_code, quantity, requested_start_date,
            provisioning_contact_email, status, status_changed_at, created_at, partner_org_id, placed_by_org_id, order_created_at)
          select b.id, n, 'A-WX', 1, date '2026-12-01' + ((length(b.reference) * 7 + n * 11 + ascii(right(b.reference, 1))) % 40),
                 case when n = 2 then 'voice@' else 'it' || n || '@' end || 'customer' || (length(b.reference) % 4) || '.example',
                 'scheduled', b.created_at, b.created_at, b.partner_org_id, b.placed_by_org_id, b.created_at
          from booked b, generate_series(1, 1 + ascii(right(b.reference, 1)) % 3) n
          returning id, partner_org_id, placed_by_org_id, created_at)
        insert into subscriptions (line_id, created_at, order_partner_org_id, order_placed_by_org_id)
        select id, created_at, partner_org_id, placed_by_org_id from lines`.execute(h.rt.db);
      await moveLinesOn(h);
      const { rows } = await sql<{ reference: string; order_number: string; subscription_id: string }>`
        select o.reference, o.order_number, s.id as subscription_id
        from orders o join order_lines l on l.order_id = o.id join subscriptions s on s.line_id = l.id
        where o.reference = 'PO-118'`.execute(h.rt.db);
      const row = rows[0];
      assert.ok(row, 'PO-118 was booked');
      sample = {
        reference: row.reference,
        orderNumber: row.order_number,
        subscriptionId: row.subscription_id,
      };
    });
    after(() => h.close());

    const queries = (): [string, Query][] => [
      ['everything', {}],
      ['part of a customer name, any case', { q: 'acme' }],
      ['Cyrillic text', { q: 'україна' }],
      ['an exact reference', { q: sample.reference }],
      ['an order number', { q: sample.orderNumber }],
      ['a subscription id in lower case', { q: sample.subscriptionId.toLowerCase() }],
      ['part of a contact email', { q: 'voice@customer2' }],
      ['text that matches nothing', { q: 'no-such-order-anywhere' }],
      ['the start of a reference', { q: 'po-11' }],
      ['an underscore, literally', { q: 'PO-18_' }],
      ['a percent sign, literally', { q: '100%' }],
      ['two characters', { q: 'lo' }],
      ['the start of a reference in two characters', { q: 'po' }],
      ['no three letters or digits in a row', { q: 'o.e' }],
      ['a line status', { status: 'closed' }],
      ['a start-date window', { startFrom: '2026-12-10', startTo: '2026-12-20' }],
      ['a status and a window', { status: 'awaiting_provisioning_details', startFrom: '2026-12-05' }],
      ['text and a status, matched on different lines', { q: 'voice@', status: 'scheduled' }],
      ['text and a window', { q: 'globex', startTo: '2026-12-15' }],
    ];

    it('answers every query as the scan does, page after page, for every caller', async () => {
      for (const caller of callers) {
        for (const [label, query] of queries()) {
          const expected = await scan(h, caller.orgId, query);
          const got = await pageThrough(caller.ctx, query);
          assert.deepEqual(got, expected, `${caller.name}: ${label}`);
        }
      }
    });

    it('finds something for the identifier searches, and nothing of another tenant', async () => {
      const [partner, distributor, reseller, other] = callers;
      assert.ok(partner && distributor && reseller && other);
      for (const q of [sample.reference, sample.orderNumber, sample.subscriptionId.toLowerCase()]) {
        // PO-118 is the reseller's own order (bookings[118 % 5]).
        const seen: number[] = await Promise.all(
          [partner, distributor, reseller, other].map(async (c) => (await pageThrough(c.ctx, { q })).length),
        );
        assert.equal(seen.filter((n) => n > 0).length, 1, `exactly one tenant sees ${q}: ${seen.join(',')}`);
      }
      const distributorSees = await scan(h, distributor.orgId, {});
      const resellerSees = await scan(h, reseller.orgId, {});
      const shared = distributorSees.filter((id) => resellerSees.includes(id));
      assert.ok(
        shared.length > 0,
        'the distributor and its reseller share the orders placed for the reseller',
      );
      assert.equal(new Set(await pageThrough(distributor.ctx, {})).size, distributorSees.length);
    });
  });
}
