import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createOrder } from '../../src/modules/orders/service.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import type { Ctx } from '../../src/platform/context.ts';
import type { Executor } from '../../src/platform/db.ts';
import {
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  TODAY,
  testEngines,
} from '../support/harness.ts';

for (const engine of testEngines()) {
  describe(`an order booked for today (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let partnerKeyId: string;
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Same Day Partner');
      const key = await h.db
        .selectFrom('api_keys')
        .select('id')
        .where('organization_id', '=', partner.orgId)
        .executeTakeFirstOrThrow();
      partnerKeyId = key.id;
    });
    after(() => h?.close());

    const queuedDispatches = async (db: Executor = h.db) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pgboss.job
        where name = 'provisioning.dispatch-due' and state in ('created', 'retry')`.execute(db);
      return rows[0]?.n ?? -1;
    };

    it('wakes the dispatch at once, instead of waiting for the next sweep', async () => {
      await sql`delete from pgboss.job where name = 'provisioning.dispatch-due'`.execute(h.db);
      const later = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { requestedStartDate: '2026-12-21' }),
      );
      assert.equal(later.status, 201);
      assert.equal(await queuedDispatches(), 0, 'a future start date waits for its day');

      const today = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { requestedStartDate: TODAY }),
      );
      assert.equal(today.status, 201);
      assert.equal(await queuedDispatches(), 1);
      // What the woken job does: this order's line is due now.
      assert.deepEqual(await dispatchDueLines(h.ctx), { lines: 1, emails: 1 });
    });

    it('queues the dispatch in the order’s own transaction: a booking rolled back leaves no job', async () => {
      await sql`delete from pgboss.job where name = 'provisioning.dispatch-due'`.execute(h.db);
      const placer: Ctx = {
        ...h.ctx,
        actor: { type: 'api_key', apiKeyId: partnerKeyId, orgId: partner.orgId, orgKind: 'partner' },
      };
      const input = {
        reference: 'PO-ROLLED-BACK',
        endCustomer: { name: 'Undone Ltd' },
        lines: [
          {
            offer: 'A-WX',
            quantity: 1,
            requestedStartDate: TODAY,
            provisioningContactEmail: 'it@undone.example',
          },
        ],
      };
      await assert.rejects(
        h.db.transaction().execute(async (tx) => {
          await createOrder({ ...placer, db: tx }, input);
          assert.equal(await queuedDispatches(tx), 1, 'queued inside the booking’s transaction');
          throw new Error('rolled back');
        }),
        /rolled back/,
      );
      assert.equal(await queuedDispatches(), 0);
      assert.equal(
        (await h.db.selectFrom('orders').select('id').where('reference', '=', 'PO-ROLLED-BACK').execute())
          .length,
        0,
      );
      // Booked outside any request (a service call, as the CLI and the seed make): queued all the same.
      await createOrder(placer, { ...input, reference: 'PO-SERVICE-CALL' });
      assert.equal(await queuedDispatches(), 1);
    });

    it('100 bookings for today at once are all booked, with one dispatch waiting for all of them', async () => {
      await sql`delete from pgboss.job where name = 'provisioning.dispatch-due'`.execute(h.db);
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          h.api(
            partner,
            'POST',
            '/api/v1/orders',
            orderBody({ reference: `PO-RUSH-${i}` }, { requestedStartDate: TODAY }),
          ),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        results.map(() => 201),
      );
      assert.equal(await queuedDispatches(), 1);
      let lines = 0;
      for (let batch = await dispatchDueLines(h.ctx); batch.lines > 0; batch = await dispatchDueLines(h.ctx))
        lines += batch.lines;
      assert.equal(lines, 100 + 1, 'the rush and the order booked by the service call before it');
    });

    it('sends a batch of due lines in the same number of statements as one line: set-based, not per line', async () => {
      let statements = 0;
      const counted = h.db.withPlugin({
        transformQuery: (args) => {
          statements += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const dispatchCounted = async () => {
        statements = 0;
        const sent = await dispatchDueLines({ ...h.ctx, db: counted });
        return { ...sent, statements };
      };
      const book = (n: number) =>
        Promise.all(
          Array.from({ length: n }, (_, i) =>
            h.api(
              partner,
              'POST',
              '/api/v1/orders',
              orderBody({}, { requestedStartDate: TODAY, provisioningContactEmail: `it${i}@batch.example` }),
            ),
          ),
        );
      await dispatchDueLines(h.ctx);
      await book(1);
      const one = await dispatchCounted();
      assert.equal(one.lines, 1);
      assert.ok(one.statements >= 5, `claim, move, links, emails, audit: ${one.statements}`);
      await book(150);
      const many = await dispatchCounted();
      assert.deepEqual([many.lines, many.emails], [150, 150]);
      assert.equal(many.statements, one.statements, 'one round of statements per batch');
    });
  });
}
