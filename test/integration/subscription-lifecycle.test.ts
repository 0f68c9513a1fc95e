import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeExpiredPolicyWindows } from '../../src/modules/provisioning/timers.ts';
import { advance } from '../../src/modules/subscriptions/advance.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';
import { mappedSubscription } from '../support/mapped-subscription.ts';

/** The one writer of a subscription's stage: what it moves, refuses, and writes beside the move. */
for (const engine of testEngines()) {
  describe(`subscription lifecycle (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    const stageOf = async (id: string) =>
      h.db
        .selectFrom('subscriptions as s')
        .innerJoin('order_lines as l', 'l.id', 's.line_id')
        .select(['s.stage', 'l.status', 's.billing_started_at', 's.billing_start_reason', 's.provisioned_at'])
        .where('s.id', '=', id)
        .executeTakeFirstOrThrow();
    const eventsOf = async (id: string) =>
      h.db
        .selectFrom('events')
        .select(['type', 'data'])
        .where('subscription_id', '=', id)
        .orderBy('seq')
        .execute();

    it('walks the dispatch, the Point of No Return and Provision, with the line, audit and events following', async () => {
      const s = await mappedSubscription(h);
      const row = await stageOf(s.subscriptionId);
      assert.equal(row.stage, 'mapped');
      assert.equal(row.status, 'awaiting_provisioning_details');
      const { moved } = await advance(h.ctx, [s.subscriptionId], {
        type: 'activated',
        externalTenantId: 'tenant-42',
        provisionedByUserId: null,
      });
      assert.equal(moved.length, 1);
      assert.equal(moved[0]?.billingStartedNow, true);
      const active = await stageOf(s.subscriptionId);
      assert.equal(active.stage, 'active');
      assert.equal(active.status, 'provisioned');
      assert.equal(active.billing_start_reason, 'provisioned');
      const events = await eventsOf(s.subscriptionId);
      assert.deepEqual(
        events.map((e) => e.type),
        ['subscription.mapped', 'subscription.activated', 'subscription.billing_started'],
      );
      const billing = events[2]?.data as Record<string, unknown>;
      assert.equal(billing.reason, 'provisioned');
      assert.equal(billing.effectiveStartDate, h.clock.now().toISOString().slice(0, 10));
      assert.equal(billing.quantity, 50);
      assert.equal(billing.offerCode, 'A-WX');
      const stages = await h.db
        .selectFrom('audit_events')
        .select('payload')
        .where('action', '=', 'subscription.stage_changed')
        .where('entity_id', '=', s.subscriptionId)
        .orderBy('id')
        .execute();
      assert.deepEqual(
        stages.map((a) => (a.payload as { to: string }).to),
        ['awaiting_details', 'mapped', 'active'],
      );
    });

    it('refuses a move the table does not allow, and writes nothing for it', async () => {
      const s = await mappedSubscription(h, { map: false });
      const before = await h.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      const result = await advance(h.ctx, [s.subscriptionId], {
        type: 'activated',
        externalTenantId: null,
        provisionedByUserId: null,
      });
      assert.deepEqual(result.moved, []);
      assert.deepEqual(result.refused, [{ subscriptionId: s.subscriptionId, stage: 'awaiting_details' }]);
      const afterCount = await h.db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
      await assert.rejects(
        h.db
          .updateTable('subscriptions')
          .set({ stage: 'active' })
          .where('id', '=', s.subscriptionId)
          .execute(),
        /subscriptions_stage/,
      );
    });

    it('keeps the policy window billing start when the subscription is provisioned later: billing starts once', async () => {
      const s = await mappedSubscription(h, { closedByPolicy: true });
      const closed = await stageOf(s.subscriptionId);
      assert.equal(closed.billing_start_reason, 'policy');
      await advance(h.ctx, [s.subscriptionId], {
        type: 'activated',
        externalTenantId: null,
        provisionedByUserId: null,
      });
      const active = await stageOf(s.subscriptionId);
      assert.equal(active.stage, 'active');
      assert.equal(active.billing_start_reason, 'policy');
      assert.equal(active.billing_started_at?.getTime(), closed.billing_started_at?.getTime());
      const types = (await eventsOf(s.subscriptionId)).map((e) => e.type);
      assert.equal(types.filter((t) => t === 'subscription.billing_started').length, 1);
      assert.deepEqual(types.slice(0, 2), ['line.closed', 'subscription.billing_started']);
    });

    it('moves a subscription once when the same move is asked for 30 times at once', async () => {
      const s = await mappedSubscription(h);
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          advance(h.ctx, [s.subscriptionId], {
            type: 'activated',
            externalTenantId: null,
            provisionedByUserId: null,
          }),
        ),
      );
      assert.equal(results.filter((r) => r.moved.length === 1).length, 1);
      assert.equal(results.filter((r) => r.refused.length === 1).length, 29);
      const billed = (await eventsOf(s.subscriptionId)).filter(
        (e) => e.type === 'subscription.billing_started',
      );
      assert.equal(billed.length, 1);
    });

    it('closes by policy once even when the timer runs twice at once', async () => {
      const s = await mappedSubscription(h, { map: false });
      h.clock.set(new Date(h.clock.now().getTime() + 31 * 86_400_000));
      const [a, b] = await Promise.all([closeExpiredPolicyWindows(h.ctx), closeExpiredPolicyWindows(h.ctx)]);
      assert.ok((a ?? 0) + (b ?? 0) >= 1);
      const closedEvents = (await eventsOf(s.subscriptionId)).filter((e) => e.type === 'line.closed');
      assert.equal(closedEvents.length, 1);
      assert.equal((await stageOf(s.subscriptionId)).stage, 'closed');
    });
  });
}
