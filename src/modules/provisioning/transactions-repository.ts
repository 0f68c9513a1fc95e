import type { Executor } from '../../platform/db.ts';
import { afterKeyset, exactTime, type Keyset } from '../../platform/keyset.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { TRANSACTION_STATUSES } from './transactions-schema.ts';

type Status = (typeof TRANSACTION_STATUSES)[number];

export interface TransactionSearch {
  /** An exact subscription id, as stored (upper case). */
  subscriptionId?: string;
  type?: 'provisioning_email_update' | 'provisioning_email_resend';
  status?: Status;
  after?: Keyset;
  limit: number;
}

/** Which rows of the tenant one branch reads: each branch is one index walked newest first. */
type Branch = { partner: string } | { placerOnly: string } | 'all';

/**
 * One branch, ordered and limited on its own: the tenant's own columns (partner, or placer for the
 * orders it placed for others) lead the index, then `(created_at, id)` compared as a row, which the
 * index reads as one range from the cursor on.
 */
function branch(db: Executor, from: Branch, search: TransactionSearch) {
  let query = db
    .selectFrom('provisioning_transactions as t')
    .select([
      't.id',
      't.type',
      't.subscription_id',
      't.order_id',
      't.line_id',
      't.old_email',
      't.new_email',
      't.actor_type',
      't.actor_label',
      't.status',
      't.failure_reason',
      't.created_at',
      't.completed_at',
    ]);
  if (from !== 'all' && 'partner' in from) query = query.where('t.partner_org_id', '=', from.partner);
  if (from !== 'all' && 'placerOnly' in from)
    query = query
      .where('t.placed_by_org_id', '=', from.placerOnly)
      // The partial placer indexes' predicate: a stored flag, whose statistics tell the planner how
      // rare these rows are (it cannot tell from comparing the two columns).
      .where('t.placed_for_other', '=', true);
  if (search.subscriptionId) query = query.where('t.subscription_id', '=', search.subscriptionId);
  if (search.type) query = query.where('t.type', '=', search.type);
  if (search.status) query = query.where('t.status', '=', search.status);
  const after = search.after;
  if (after) query = query.where(afterKeyset(after, 't.created_at', 't.id'));
  return query.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(search.limit);
}

/**
 * Newest first, keyset-paged on (created_at, id). A tenant sees the transactions of the orders it is
 * the partner of, and of those it placed for another partner: the union of two index walks (an OR
 * of the two would read the whole tenant), each row in exactly one branch.
 */
export async function searchTransactions(db: Executor, scope: OrderScope, search: TransactionSearch) {
  const parts = [];
  if (scope === 'all') parts.push(branch(db, 'all', search));
  else {
    parts.push(branch(db, { partner: scope.orgId }, search));
    parts.push(branch(db, { placerOnly: scope.orgId }, search));
  }
  const [first, ...rest] = parts.map((p, i) => db.selectFrom(p.as(`b${i}`)).selectAll());
  if (!first) throw new Error('a transaction search has at least one branch');
  const rows = rest.reduce((union, part) => union.unionAll(part), first);
  return db
    .selectFrom(rows.as('t'))
    .innerJoin('orders', 'orders.id', 't.order_id')
    .select([
      't.id',
      't.type',
      't.subscription_id as subscriptionId',
      't.order_id as orderId',
      't.line_id as lineId',
      'orders.reference as orderReference',
      't.old_email as oldEmail',
      't.new_email as newEmail',
      't.actor_type as actorType',
      't.actor_label as actorLabel',
      't.status',
      't.failure_reason as failureReason',
      't.created_at as createdAt',
      exactTime('t.created_at').as('createdAtExact'),
      't.completed_at as completedAt',
    ])
    .orderBy('t.created_at', 'desc')
    .orderBy('t.id', 'desc')
    .limit(search.limit)
    .execute();
}
