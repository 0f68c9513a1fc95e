import { type Expression, type ExpressionBuilder, type Selectable, type SqlBool, sql } from 'kysely';
import type { Database, OrdersTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import { prepared } from '../../platform/prepared-statements.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { LineStatus } from './lifecycle.ts';

function visibleTo(eb: ExpressionBuilder<Database, 'orders'>, scope: OrderScope): Expression<SqlBool> {
  if (scope === 'all') return eb.lit(true);
  return eb.or([
    eb('orders.partner_org_id', '=', scope.orgId),
    eb('orders.placed_by_org_id', '=', scope.orgId),
  ]);
}

export interface NewOrderGraph {
  order: Omit<Selectable<OrdersTable>, 'order_number' | 'placed_for_other'>;
  lines: {
    id: string;
    line_number: number;
    offer_code: string;
    quantity: number;
    requested_start_date: string;
    provisioning_contact_email: string;
  }[];
  services: { line_id: string; service_code: string; quantity: number }[];
  status: LineStatus;
  /** With an idempotency key, the order is booked only if this statement claims the key. */
  idempotency?: { key: string; requestHash: string };
}

export type BookingOutcome =
  | { booked: true; orderNumber: string; subscriptionOf: Map<string, string> }
  | { booked: false };

/**
 * Books an order in one statement: claims the idempotency key (when there is one), then writes the
 * order, its lines, their services and one subscription per line, all or nothing. Data-modifying
 * CTEs share one snapshot and foreign keys are checked at the statement's end, so a whole order
 * costs one round trip. On PostgreSQL a concurrent statement claiming the same key waits for this
 * one and then books nothing. Its text is the same for every order (the key's presence is a parameter),
 * so it is prepared once per connection (docs/adr/0020).
 */
export async function bookOrderGraph(db: Executor, graph: NewOrderGraph): Promise<BookingOutcome> {
  const { order, lines, services, status, idempotency } = graph;
  // One ISO text for the six places the time goes: pg formats a Date parameter in local time, field by
  // field, each time it is passed.
  const at = order.created_at.toISOString();
  const { rows } = await sql<{
    booked: boolean;
    order_number: string | null;
    line_id: string | null;
    subscription_id: string | null;
  }>`${prepared('book_order_graph')}
    with claim as (
      insert into idempotency_keys (organization_id, key, operation, request_hash, resource_id, created_at)
      select ${order.placed_by_org_id}::uuid, ${idempotency?.key ?? ''}, 'createOrder', ${idempotency?.requestHash ?? ''}, ${order.id}::uuid, ${at}::timestamptz
      where ${idempotency !== undefined}
      on conflict (organization_id, key) do nothing
      returning resource_id
    ), go as (
      select 1 as ok where not ${idempotency !== undefined} or exists (select 1 from claim)
    ), new_order as (
      insert into orders (id, reference, partner_org_id, placed_by_org_id, placed_by_user_id, placed_by_api_key_id,
                          end_customer_name, end_customer_country, locale, created_at)
      select ${order.id}::uuid, ${order.reference}, ${order.partner_org_id}::uuid, ${order.placed_by_org_id}::uuid,
             ${order.placed_by_user_id}::uuid, ${order.placed_by_api_key_id}::uuid, ${order.end_customer_name},
             ${order.end_customer_country}, ${order.locale}, ${at}::timestamptz
      from go
      returning order_number
    ), new_lines as (
      insert into order_lines (id, order_id, line_number, offer_code, quantity, requested_start_date,
                               provisioning_contact_email, status, status_changed_at, created_at,
                               partner_org_id, placed_by_org_id, order_created_at)
      select l.id, ${order.id}::uuid, l.line_number, l.offer_code, l.quantity, l.requested_start_date, l.email, ${status},
             ${at}::timestamptz, ${at}::timestamptz, ${order.partner_org_id}::uuid, ${order.placed_by_org_id}::uuid,
             ${at}::timestamptz
      from unnest(${lines.map((l) => l.id)}::uuid[], ${lines.map((l) => l.line_number)}::int[],
                  ${lines.map((l) => l.offer_code)}::text[], ${lines.map((l) => l.quantity)}::int[],
                  ${lines.map((l) => l.requested_start_date)}::date[], ${lines.map((l) => l.provisioning_contact_email)}::text[])
           as l(id, line_number, offer_code, quantity, requested_start_date, email)
      where exists (select 1 from go)
      returning id
    ), new_services as (
      insert into order_line_services (line_id, service_code, quantity)
      select s.* from unnest(${services.map((s) => s.line_id)}::uuid[], ${services.map((s) => s.service_code)}::text[],
                             ${services.map((s) => s.quantity)}::int[]) as s
      where exists (select 1 from go)
    ), new_subscriptions as (
      insert into subscriptions (line_id, created_at, order_partner_org_id, order_placed_by_org_id)
      select id, ${at}::timestamptz, ${order.partner_org_id}::uuid, ${order.placed_by_org_id}::uuid from new_lines
      returning id, line_id
    )
    select exists (select 1 from go) as booked, (select order_number from new_order) as order_number,
           s.line_id, s.id as subscription_id
    from (select 1) as one left join new_subscriptions s on true`.execute(db);
  if (!rows[0]?.booked) return { booked: false };
  return {
    booked: true,
    orderNumber: rows[0].order_number ?? '',
    subscriptionOf: new Map(
      rows.flatMap((r) => (r.line_id && r.subscription_id ? [[r.line_id, r.subscription_id]] : [])),
    ),
  };
}

export async function findIdempotencyKey(db: Executor, organizationId: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .select(['operation', 'request_hash', 'resource_id'])
    .where('organization_id', '=', organizationId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function findOrder(db: Executor, id: string, scope: OrderScope) {
  return db
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', id)
    .where((eb) => visibleTo(eb, scope))
    .executeTakeFirst();
}

export async function findLines(db: Executor, orderIds: string[]) {
  if (orderIds.length === 0) return [];
  return db
    .selectFrom('order_lines')
    .innerJoin('subscriptions', 'subscriptions.line_id', 'order_lines.id')
    .selectAll('order_lines')
    .select([
      'subscriptions.id as subscription_id',
      'subscriptions.stage as subscription_stage',
      'subscriptions.billing_started_at',
      'subscriptions.billing_start_reason',
    ])
    .where('order_lines.order_id', 'in', orderIds)
    .orderBy('order_lines.order_id')
    .orderBy('order_lines.line_number')
    .execute();
}

export async function findLineServices(db: Executor, lineIds: string[]) {
  if (lineIds.length === 0) return [];
  return db
    .selectFrom('order_line_services')
    .selectAll()
    .where('line_id', 'in', lineIds)
    .orderBy('service_code')
    .execute();
}

export async function listLineStatusCodes(db: Executor): Promise<string[]> {
  const rows = await db.selectFrom('line_statuses').select('code').execute();
  return rows.map((r) => r.code);
}

/** The subscription, when it belongs to an order in scope. */
export async function findSubscriptionInScope(db: Executor, subscriptionId: string, scope: OrderScope) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('order_lines', 'order_lines.id', 'subscriptions.line_id')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .select(['subscriptions.id', 'orders.id as order_id'])
    .where('subscriptions.id', '=', subscriptionId)
    .where((eb) => visibleTo(eb, scope))
    .executeTakeFirst();
}
