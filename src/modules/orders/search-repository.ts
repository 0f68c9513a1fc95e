import { type Expression, type ExpressionBuilder, type SqlBool, sql } from 'kysely';
import type { Database } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { LineStatus } from './lifecycle.ts';

function visibleTo(eb: ExpressionBuilder<Database, 'orders'>, scope: OrderScope): Expression<SqlBool> {
  if (scope === 'all') return eb.lit(true);
  return eb.or([
    eb('orders.partner_org_id', '=', scope.orgId),
    eb('orders.placed_by_org_id', '=', scope.orgId),
  ]);
}

export interface OrderSearch {
  q?: string;
  status?: LineStatus;
  startFrom?: string;
  startTo?: string;
  after?: { createdAt: Date; id: string };
  limit: number;
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Newest first, keyset-paged on (created_at, id). */
export async function searchOrders(db: Executor, scope: OrderScope, search: OrderSearch) {
  let query = db
    .selectFrom('orders')
    .selectAll('orders')
    .where((eb) => visibleTo(eb, scope));
  if (search.q) {
    const pattern = likePattern(search.q);
    query = query.where((eb) =>
      eb.or([
        eb('orders.reference', 'ilike', pattern),
        eb('orders.order_number', 'ilike', pattern),
        eb('orders.end_customer_name', 'ilike', pattern),
        eb.exists(
          eb
            .selectFrom('order_lines as ql')
            .innerJoin('subscriptions as qs', 'qs.line_id', 'ql.id')
            .select(sql.lit(1).as('one'))
            .whereRef('ql.order_id', '=', 'orders.id')
            .where((inner) =>
              inner.or([
                inner('ql.provisioning_contact_email', 'ilike', pattern),
                inner('qs.id', 'ilike', pattern),
              ]),
            ),
        ),
      ]),
    );
  }
  if (search.status || search.startFrom || search.startTo) {
    query = query.where((eb) => {
      let lines = eb
        .selectFrom('order_lines as fl')
        .select(sql.lit(1).as('one'))
        .whereRef('fl.order_id', '=', 'orders.id');
      if (search.status) lines = lines.where('fl.status', '=', search.status);
      if (search.startFrom) lines = lines.where('fl.requested_start_date', '>=', search.startFrom);
      if (search.startTo) lines = lines.where('fl.requested_start_date', '<=', search.startTo);
      return eb.exists(lines);
    });
  }
  if (search.after) {
    const { createdAt, id } = search.after;
    query = query.where((eb) =>
      eb.or([
        eb('orders.created_at', '<', createdAt),
        eb.and([eb('orders.created_at', '=', createdAt), eb('orders.id', '<', id)]),
      ]),
    );
  }
  return query
    .orderBy('orders.created_at', 'desc')
    .orderBy('orders.id', 'desc')
    .limit(search.limit)
    .execute();
}
