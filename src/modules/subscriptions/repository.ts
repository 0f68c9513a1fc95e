import type { UpdateObject } from 'kysely';
import type { Database } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import type { LineStatus } from '../orders/lifecycle.ts';
import type { SubscriptionStage } from './lifecycle.ts';

/**
 * The subscriptions `advance` is asked to move, locked (no key update: rows that only point at a
 * subscription are not held up) in id order, so two callers moving overlapping sets cannot deadlock.
 */
export async function lockForAdvance(db: Executor, subscriptionIds: readonly string[]) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select([
      's.id',
      's.stage',
      's.line_id',
      'l.line_number',
      'l.status as line_status',
      'l.order_id',
      'o.order_number',
      'o.reference',
      'l.offer_code',
      'l.quantity',
      'l.partner_org_id',
      'l.placed_by_org_id',
      'l.provisioning_contact_email',
      's.partner_org_id as mapped_partner_org_id',
      's.customer_org_id',
      's.billing_started_at',
      's.billing_start_reason',
    ])
    .where('s.id', 'in', [...subscriptionIds])
    .orderBy('s.id')
    .forNoKeyUpdate('s')
    .execute();
}

export type LockedSubscription = Awaited<ReturnType<typeof lockForAdvance>>[number];

/** What a move writes: the stage, and what the move sets beside it (billing, mapping, provisioning). */
export type StageChanges = UpdateObject<Database, 'subscriptions'> & { stage: SubscriptionStage };

/** Moves the given subscriptions, each only if it is still in one of `from`; returns what moved. */
export async function moveStage(
  db: Executor,
  ids: readonly string[],
  from: readonly SubscriptionStage[],
  changes: StageChanges,
) {
  if (ids.length === 0) return [];
  return db
    .updateTable('subscriptions')
    .set(changes)
    .where('id', 'in', [...ids])
    .where('stage', 'in', [...from])
    .returning(['id', 'partner_org_id', 'customer_org_id', 'billing_started_at', 'billing_start_reason'])
    .execute();
}

export async function setLineStatus(
  db: Executor,
  lineIds: readonly string[],
  to: LineStatus,
  at: Date,
): Promise<void> {
  if (lineIds.length === 0) return;
  await db
    .updateTable('order_lines')
    .set({ status: to, status_changed_at: at })
    .where('id', 'in', [...lineIds])
    .where('status', '<>', to)
    .execute();
}

export async function listStageCodes(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('subscription_stages').select('code').execute();
  return rows.map((r) => r.code);
}

/** How many subscriptions are at each stage (every stage named, at zero too): for /metrics. */
export async function countByStage(db: Executor): Promise<{ stage: string; count: number }[]> {
  const rows = await db
    .selectFrom('subscription_stages as st')
    .leftJoin('subscriptions as s', 's.stage', 'st.code')
    .select((eb) => ['st.code as stage', eb.fn.count<number>('s.id').as('count')])
    .groupBy('st.code')
    .orderBy('st.code')
    .execute();
  return rows.map((r) => ({ stage: r.stage, count: Number(r.count) }));
}
