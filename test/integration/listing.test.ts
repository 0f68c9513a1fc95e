import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { advance } from '../../src/modules/subscriptions/advance.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

interface OrderJson {
  id: string;
  reference: string;
  lines: { id: string; subscriptionId: string }[];
}
interface ListJson {
  items: { id: string; reference: string; statuses: string[]; lineCount: number }[];
  nextCursor: string | null;
}

for (const engine of testEngines()) {
  describe(`listing and searching orders (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    const orders: OrderJson[] = [];
    const list = async (query: string) => {
      const res = await h.api(partner, 'GET', `/api/v1/orders${query}`);
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as ListJson;
    };

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Lister');
      const customers = [
        'Acme Corp',
        'Globex',
        'Initech',
        'Umbrella',
        'Hooli',
        'Vandelay Industries',
        'Stark Industries',
      ];
      for (const [i, customer] of customers.entries()) {
        h.clock.advance(60_000);
        const res = await h.api(partner, 'POST', '/api/v1/orders', {
          reference: `PO-${100 + i}`,
          endCustomer: { name: customer },
          lines: [
            {
              offer: 'A-SPK',
              quantity: 10 + i,
              requestedStartDate: `2026-12-${String(1 + i).padStart(2, '0')}`,
              provisioningContactEmail: `it${i}@customer${i}.example`,
            },
            {
              offer: 'A-CALL',
              quantity: 5,
              requestedStartDate: '2027-01-15',
              provisioningContactEmail: `voice@customer${i}.example`,
            },
          ],
        });
        orders.push((await res.json()) as OrderJson);
      }
      // The first lines of the first three orders reach their start date: the dispatch sends them.
      await dispatchAt(h, new Date('2026-12-03T10:00:00Z'));
    });
    after(() => h.close());

    it('lists newest first', async () => {
      const page = await list('?limit=100');
      assert.deepEqual(
        page.items.map((o) => o.reference),
        orders.map((o) => o.reference).reverse(),
      );
      assert.equal(page.items[0]?.lineCount, 2);
      assert.equal(page.nextCursor, null);
    });

    it('finds an order by reference, order number, customer, contact email and subscription id', async () => {
      const target = orders[4];
      assert.ok(target);
      const [line] = target.lines;
      assert.ok(line);
      for (const q of ['PO-104', 'hooli', 'IT4@customer4.example', line.subscriptionId]) {
        assert.deepEqual(
          (await list(`?q=${encodeURIComponent(q)}`)).items.map((o) => o.id),
          [target.id],
          q,
        );
      }
      assert.deepEqual(
        (await list('?q=Industries')).items.map((o) => o.reference),
        ['PO-106', 'PO-105'],
      );
      assert.deepEqual((await list('?q=100%25')).items, [], 'LIKE wildcards are matched literally');
    });

    it('filters by line status and by start-date range', async () => {
      assert.deepEqual(
        (await list('?status=awaiting_provisioning_details')).items.map((o) => o.reference),
        ['PO-102', 'PO-101', 'PO-100'],
      );
      assert.deepEqual(
        (await list('?startFrom=2026-12-04&startTo=2026-12-05')).items.map((o) => o.reference),
        ['PO-104', 'PO-103'],
      );
      assert.deepEqual(
        (await list('?status=scheduled&startTo=2026-12-02')).items.map((o) => o.reference),
        [],
      );
      assert.deepEqual(
        (await list('?status=scheduled&startFrom=2027-01-15&q=Globex')).items.map((o) => o.reference),
        ['PO-101'],
      );
    });

    it('pages with a cursor, without gaps or repeats', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: ListJson = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.items.map((o) => o.reference));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, orders.map((o) => o.reference).reverse());
    });

    it('refuses a bad cursor, bad dates and an inverted range, naming the field', async () => {
      for (const [query, field] of [
        ['?cursor=garbage', 'cursor'],
        ['?startFrom=2026-13-01', 'startFrom'],
        ['?startFrom=2026-12-10&startTo=2026-12-01', 'startTo'],
        ['?status=sleeping', 'status'],
        ['?limit=1000', 'limit'],
      ]) {
        const res = await h.api(partner, 'GET', `/api/v1/orders${query}`);
        assert.equal(res.status, 422, query);
        const problem = (await res.json()) as { errors: { field: string }[] };
        assert.deepEqual(
          problem.errors.map((e) => e.field),
          [field],
          query,
        );
      }
    });

    it('moves a line only along the lifecycle table, recording each move', async () => {
      const line = orders[0]?.lines[0];
      assert.ok(line);
      // The email went out once: the same move again is refused, and nothing moves back.
      const again = await advance(h.ctx, [line.subscriptionId], { type: 'provisioning_email_sent' });
      assert.deepEqual(again, {
        moved: [],
        refused: [{ subscriptionId: line.subscriptionId, stage: 'awaiting_details' }],
      });
      const history = await h.db
        .selectFrom('audit_events')
        .select(['action', 'payload'])
        .where('entity_id', '=', line.id)
        .where('action', '=', 'order_line.status_changed')
        .orderBy('id')
        .execute();
      assert.deepEqual(
        history.map((e) => e.payload),
        [{ from: 'scheduled', to: 'awaiting_provisioning_details', reason: 'requested_start_date' }],
      );
    });
  });
}
