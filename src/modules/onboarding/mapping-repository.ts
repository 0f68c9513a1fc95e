import type { Executor } from '../../platform/db.ts';

/**
 * Locks the subscription's line, as resends, contact changes and mapSubscription do (same order:
 * the line first), and says whether the subscription is mapped already. A second mapping racing
 * this one waits here, then sees it mapped, before it writes any organization or user.
 */
export async function lockSubscriptionLine(db: Executor, subscriptionId: string) {
  const locked = await db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .select(['l.id as line_id'])
    .where('s.id', '=', subscriptionId)
    .forUpdate('l')
    .executeTakeFirst();
  if (!locked) return undefined;
  // Read after the lock, in a statement of its own: it sees what the winner of a race committed
  // (the locking statement re-checks only the line's row, not the subscription's).
  return db
    .selectFrom('subscriptions')
    .select(['id', 'mapped_at'])
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
}

/** Records that the organization was created by this subscription's wizard (W4). */
export async function markCreatedBy(db: Executor, organizationId: string, subscriptionId: string) {
  await db
    .updateTable('organizations')
    .set({ created_by_subscription_id: subscriptionId })
    .where('id', '=', organizationId)
    .execute();
}

/** The partner manages the customer; an existing row (say, full admin already) is kept as it is. */
export async function insertManagedCustomer(
  db: Executor,
  row: {
    partner_org_id: string;
    customer_org_id: string;
    access: 'full_admin' | 'provisioning_admin';
    granted_at: Date;
  },
) {
  await db
    .insertInto('managed_customers')
    .values(row)
    .onConflict((oc) => oc.columns(['partner_org_id', 'customer_org_id']).doNothing())
    .execute();
}

/** Whether the partner already manages the customer (any access): nothing new to consent to. */
export async function managesCustomer(db: Executor, partnerOrgId: string, customerOrgId: string) {
  const row = await db
    .selectFrom('managed_customers')
    .select('access')
    .where('partner_org_id', '=', partnerOrgId)
    .where('customer_org_id', '=', customerOrgId)
    .executeTakeFirst();
  return row !== undefined;
}
