import type { Executor } from '../../platform/db.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { Keyset } from './cursor.ts';

export interface TransactionSearch {
  subscriptionId?: string;
  type?: 'provisioning_email_update' | 'provisioning_email_resend';
  status?: 'submitted' | 'sent' | 'failed' | 'completed';
  after?: Keyset;
  limit: number;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest first, keyset-paged on (created_at, id); the tenant's own columns keep it on its indexes. */
export async function searchTransactions(db: Executor, scope: OrderScope, search: TransactionSearch) {
  let query = db
    .selectFrom('provisioning_transactions as t')
    .innerJoin('orders', 'orders.id', 't.order_id')
    .select([
      't.id',
      't.type',
      't.subscription_id as subscriptionId',
      't.order_id as orderId',
      'orders.reference as orderReference',
      't.old_email as oldEmail',
      't.new_email as newEmail',
      't.actor_type as actorType',
      't.actor_label as actorLabel',
      't.status',
      't.failure_reason as failureReason',
      't.created_at as createdAt',
      't.completed_at as completedAt',
    ]);
  if (scope !== 'all') {
    query = query.where((eb) =>
      eb.or([eb('t.partner_org_id', '=', scope.orgId), eb('t.placed_by_org_id', '=', scope.orgId)]),
    );
  }
  if (search.subscriptionId)
    query = query.where('t.subscription_id', 'ilike', likePattern(search.subscriptionId));
  if (search.type) query = query.where('t.type', '=', search.type);
  if (search.status) query = query.where('t.status', '=', search.status);
  if (search.after) {
    const { createdAt, id } = search.after;
    query = query.where((eb) =>
      eb.or([
        eb('t.created_at', '<', createdAt),
        eb.and([eb('t.created_at', '=', createdAt), eb('t.id', '<', id)]),
      ]),
    );
  }
  return query.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc').limit(search.limit).execute();
}
