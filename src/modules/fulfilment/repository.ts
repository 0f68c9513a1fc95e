import { type Insertable, sql, type Updateable } from 'kysely';
import type { ProvisionRequestsTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import type { ProvisionRequestState } from './schema.ts';

/** The fulfilment requests' SQL (docs/adr/0032). */

const REQUEST_COLUMNS = [
  'id',
  'subscription_id',
  'offer_code',
  'quantity',
  'partner_org_id',
  'customer_org_id',
  'mode',
  'setup',
  'supersedes',
  'requested_by_user_id',
  'state',
  'attempts',
  'next_attempt_at',
  'last_attempt_at',
  'last_error',
  'accepted_at',
  'external_tenant_id',
  'answer_code',
  'answer_message',
  'answer_fields',
  'answered_by',
  'answered_at',
  'opened_at',
  'stalled_notified_at',
  'created_at',
] as const;

export type RequestRow = Awaited<ReturnType<typeof findRequest>> & object;

export function findRequest(db: Executor, id: string) {
  return db.selectFrom('provision_requests').select(REQUEST_COLUMNS).where('id', '=', id).executeTakeFirst();
}

export function lockRequest(db: Executor, id: string) {
  return db
    .selectFrom('provision_requests')
    .select(REQUEST_COLUMNS)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

/** The subscription's latest request, whatever its state. */
export function latestRequest(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('provision_requests')
    .select(REQUEST_COLUMNS)
    .where('subscription_id', '=', subscriptionId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The latest request of each of these subscriptions: what the hub, the order page and the API show. */
export function latestRequests(db: Executor, subscriptionIds: readonly string[]) {
  if (subscriptionIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('provision_requests')
    .distinctOn('subscription_id')
    .select(REQUEST_COLUMNS)
    .where('subscription_id', 'in', [...subscriptionIds])
    .orderBy('subscription_id')
    .orderBy('seq', 'desc')
    .execute();
}

/**
 * Locks the subscription before any request of it: Provision (which locks it first too) and an answer
 * take their locks in the same order, so they queue instead of deadlocking.
 */
export function lockSubscription(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['id', 'stage'])
    .where('id', '=', subscriptionId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

export async function insertRequest(db: Executor, row: Insertable<ProvisionRequestsTable>): Promise<void> {
  await db.insertInto('provision_requests').values(row).execute();
}

/** Changes a request only while it is in `state`; returns whether it did. */
export async function updateRequest(
  db: Executor,
  id: string,
  state: ProvisionRequestState,
  changes: Updateable<ProvisionRequestsTable>,
  attempts?: number,
): Promise<boolean> {
  let query = db
    .updateTable('provision_requests')
    .set(changes)
    .where('id', '=', id)
    .where('state', '=', state);
  if (attempts !== undefined) query = query.where('attempts', '=', attempts);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Claims up to `limit` http requests due by `now` for one attempt each: counted, and leased until
 * `leaseUntil` (a worker killed mid-request leaves them due again then). Skips rows another worker holds.
 */
export async function claimDue(db: Executor, now: Date, leaseUntil: Date, limit: number) {
  const { rows } = await sql<{ id: string; attempts: number }>`
    update provision_requests r
       set attempts = r.attempts + 1, last_attempt_at = ${now}, next_attempt_at = ${leaseUntil},
           updated_at = ${now}
     where r.id in (
       select id from provision_requests
        where state = 'open' and next_attempt_at is not null and next_attempt_at <= ${now}
        order by next_attempt_at
        limit ${limit}
        for update skip locked)
    returning r.id, r.attempts`.execute(db);
  return rows;
}

/** What the request sent to the vendor's service says, beyond the request row. */
export function sendingDetails(db: Executor, id: string) {
  return db
    .selectFrom('provision_requests as r')
    .innerJoin('offers as f', 'f.code', 'r.offer_code')
    .innerJoin('subscriptions as s', 's.id', 'r.subscription_id')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'r.partner_org_id')
    .innerJoin('organizations as c', 'c.id', 'r.customer_org_id')
    .select([
      ...REQUEST_COLUMNS.map((c) => `r.${c}` as const),
      'f.name as offer_name',
      'f.fulfilment_mode as offer_mode',
      'f.fulfilment_url',
      'l.id as line_id',
      'o.id as order_id',
      'o.order_number',
      'o.reference',
      'o.placed_by_org_id',
      'p.name as partner_name',
      'c.name as customer_name',
      'c.country as customer_country',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export function lineServices(db: Executor, lineId: string) {
  return db
    .selectFrom('order_line_services')
    .select(['service_code', 'quantity'])
    .where('line_id', '=', lineId)
    .orderBy('service_code')
    .execute();
}

/** Open requests, oldest first, with what an operator needs to pick one: the back office's list. */
export function listOpen(db: Executor, limit: number) {
  return db
    .selectFrom('provision_requests as r')
    .innerJoin('offers as f', 'f.code', 'r.offer_code')
    .innerJoin('organizations as p', 'p.id', 'r.partner_org_id')
    .innerJoin('organizations as c', 'c.id', 'r.customer_org_id')
    .select([
      'r.id',
      'r.subscription_id',
      'r.offer_code',
      'f.name as offer_name',
      'r.quantity',
      'r.mode',
      'r.attempts',
      'r.accepted_at',
      'r.last_error',
      'r.opened_at',
      'p.name as partner_name',
      'c.name as customer_name',
    ])
    .where('r.state', '=', 'open')
    .orderBy('r.opened_at')
    .orderBy('r.id')
    .limit(limit)
    .execute();
}

/** One request with the names an operator reads it by. */
export function requestForOperator(db: Executor, id: string) {
  return db
    .selectFrom('provision_requests as r')
    .innerJoin('offers as f', 'f.code', 'r.offer_code')
    .innerJoin('organizations as p', 'p.id', 'r.partner_org_id')
    .innerJoin('organizations as c', 'c.id', 'r.customer_org_id')
    .innerJoin('subscriptions as s', 's.id', 'r.subscription_id')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select([
      ...REQUEST_COLUMNS.map((c) => `r.${c}` as const),
      'f.name as offer_name',
      'p.name as partner_name',
      'c.name as customer_name',
      'o.id as order_id',
      'o.order_number',
      'o.reference',
    ])
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/**
 * Open requests waiting since before `since` whose representative was not told yet, claimed for this
 * run (a concurrent run's UPDATE waits, re-checks, and claims none of them twice), with whom to tell:
 * the ordering partner's account representative, else the fallback address.
 */
export async function claimStalled(db: Executor, since: Date, now: Date, fallback: string, limit: number) {
  const { rows } = await sql<{
    id: string;
    subscription_id: string;
    partner_org_id: string;
    opened_at: Date;
    partner_name: string;
    customer_name: string;
    to: string;
  }>`
    update provision_requests r set stalled_notified_at = ${now}, updated_at = ${now}
      from subscriptions s, order_lines l, orders o, organizations p, organizations c
     where r.id in (
             select id from provision_requests
              where state = 'open' and stalled_notified_at is null and opened_at <= ${since}
              order by opened_at limit ${limit}
              for update skip locked)
       and s.id = r.subscription_id and l.id = s.line_id and o.id = l.order_id and p.id = o.partner_org_id
       and c.id = r.customer_org_id
    returning r.id, r.subscription_id, o.partner_org_id, r.opened_at, p.name as partner_name,
              c.name as customer_name, coalesce(p.account_rep_email, ${fallback}) as "to"`.execute(db);
  return rows;
}

/**
 * Whom an outcome is told to: the user who placed the order (else the partner's admins) and the
 * customer's admins, each with their language, as Provision's own email does.
 */
export async function outcomeRecipients(
  db: Executor,
  input: { orderId: string; partnerOrgId: string; customerOrgId: string | null },
) {
  const placer = await db
    .selectFrom('orders')
    .innerJoin('users', 'users.id', 'orders.placed_by_user_id')
    .select(['users.email', 'users.locale', 'users.organization_id'])
    .where('orders.id', '=', input.orderId)
    .executeTakeFirst();
  const admins = (organizationId: string, role: 'partner_admin' | 'customer_admin') =>
    db
      .selectFrom('users')
      .select(['email', 'locale', 'organization_id'])
      .where('organization_id', '=', organizationId)
      .where('role', '=', role)
      .orderBy('email')
      .limit(20)
      .execute();
  const partner = placer ? [placer] : await admins(input.partnerOrgId, 'partner_admin');
  const customer = input.customerOrgId ? await admins(input.customerOrgId, 'customer_admin') : [];
  return [
    ...partner.map((r) => ({ ...r, side: 'partner' as const })),
    ...customer.map((r) => ({ ...r, side: 'customer' as const })),
  ];
}

/** Who may set these subscriptions up: their mapping, and whether the partner manages the customer. */
export function mappingFacts(db: Executor, subscriptionIds: readonly string[]) {
  if (subscriptionIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('subscriptions as s')
    .leftJoin('managed_customers as m', (join) =>
      join
        .onRef('m.partner_org_id', '=', 's.partner_org_id')
        .onRef('m.customer_org_id', '=', 's.customer_org_id'),
    )
    .select(['s.id', 's.partner_org_id', 's.customer_org_id', 'm.access'])
    .where('s.id', 'in', [...subscriptionIds])
    .execute();
}

/**
 * Requests the sender still has to deliver (open, over http, a next attempt planned), and since when
 * the oldest is open: for /metrics. Requests delivered and waiting for the vendor's answer are not in it.
 */
export async function unsentBacklog(db: Executor): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('provision_requests')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('opened_at').as('oldest')])
    .where('state', '=', 'open')
    .where('next_attempt_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
}
