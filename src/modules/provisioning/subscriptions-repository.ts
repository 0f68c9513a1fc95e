import type { Executor } from '../../platform/db.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { Keyset } from './cursor.ts';

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Subscriptions not yet mapped to an organization (provisioning pending), closed lines included,
 * newest first, keyset-paged on (subscription created_at, id).
 */
export async function searchPendingSubscriptions(
  db: Executor,
  scope: OrderScope,
  search: { q?: string; after?: Keyset; limit: number },
) {
  let query = db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders', 'orders.id', 'l.order_id')
    .select([
      's.id as subscriptionId',
      's.created_at as createdAt',
      'l.id as lineId',
      'l.line_number as lineNumber',
      'l.offer_code as offerCode',
      'l.status',
      'l.provisioning_contact_email as contactEmail',
      'orders.id as orderId',
      'orders.reference as orderReference',
      'orders.order_number as orderNumber',
    ])
    .where('s.mapped_at', 'is', null);
  if (scope !== 'all') {
    query = query.where((eb) =>
      eb.or([eb('orders.partner_org_id', '=', scope.orgId), eb('orders.placed_by_org_id', '=', scope.orgId)]),
    );
  }
  if (search.q) {
    const pattern = likePattern(search.q);
    query = query.where((eb) =>
      eb.or([eb('s.id', 'ilike', pattern), eb('l.provisioning_contact_email', 'ilike', pattern)]),
    );
  }
  if (search.after) {
    const { createdAt, id } = search.after;
    query = query.where((eb) =>
      eb.or([
        eb('s.created_at', '<', createdAt),
        eb.and([eb('s.created_at', '=', createdAt), eb('s.id', '<', id)]),
      ]),
    );
  }
  return query.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(search.limit).execute();
}
