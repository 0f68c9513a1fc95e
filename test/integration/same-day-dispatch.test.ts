import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
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
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Same Day Partner');
    });
    after(() => h?.close());

    const queuedDispatches = async () => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pgboss.job
        where name = 'provisioning.dispatch-due' and state in ('created', 'retry')`.execute(h.db);
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
  });
}
