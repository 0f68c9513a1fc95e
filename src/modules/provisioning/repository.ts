import { sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';
import type { OrderScope } from '../identity/policy.ts';

export type LinkEndReason = 'resent' | 'contact_changed' | 'mapped';

export interface ClaimedLine {
  id: string;
  subscription_id: string;
  order_id: string;
  partner_org_id: string;
  provisioning_contact_email: string;
}

/**
 * Claims the due lines of the orders of the first `limit` due lines, in one statement: a line is due when its Requested
 * Start Date has begun in its partner's time zone. Whole orders are claimed (their rows locked, busy
 * ones skipped), so the lines one contact gets in one email are never split between two workers; the
 * caller moves the claimed lines out of `scheduled` in the same transaction (subscriptions' `advance`),
 * so a line is claimed once whatever runs concurrently.
 */
export async function claimDueLines(
  db: Executor,
  now: Date,
  limit: number,
  /** Only the orders of these lines (a line started now), else every due line's. */
  lineIds?: readonly string[],
): Promise<ClaimedLine[]> {
  const only = lineIds?.length ? sql`and l.id in (${sql.join(lineIds)})` : sql``;
  const { rows } = await sql<ClaimedLine>`
    with candidates as (
      select distinct d.order_id from (
        select l.order_id from order_lines l
        join orders o on o.id = l.order_id
        join organizations p on p.id = o.partner_org_id
        where l.status = 'scheduled'
          and l.requested_start_date <= (${now}::timestamptz at time zone p.time_zone)::date
          ${only}
        limit ${limit}
      ) d
    ), claimed_orders as (
      select o.id, o.partner_org_id from orders o
      where o.id in (select order_id from candidates)
      for no key update skip locked
    )
    update order_lines l
    set first_email_sent_at = ${now}::timestamptz, version = l.version + 1
    from claimed_orders co, organizations p, subscriptions s
    where l.order_id = co.id and p.id = co.partner_org_id and s.line_id = l.id and l.status = 'scheduled'
      and l.requested_start_date <= (${now}::timestamptz at time zone p.time_zone)::date
    returning l.id, s.id as subscription_id, l.order_id, co.partner_org_id, l.provisioning_contact_email`.execute(
    db,
  );
  return rows;
}

export interface NewLink {
  line_id: string;
  token_hash: string;
  sent_to: string;
  created_at: Date;
}

export async function insertLinks(db: Executor, links: NewLink[]): Promise<void> {
  if (links.length === 0) return;
  await db.insertInto('provisioning_links').values(links).execute();
}

export async function endLiveLinks(
  db: Executor,
  lineIds: string[],
  reason: LinkEndReason,
  at: Date,
): Promise<number> {
  if (lineIds.length === 0) return 0;
  const result = await db
    .updateTable('provisioning_links')
    .set({ ended_at: at, ended_reason: reason })
    .where('line_id', 'in', lineIds)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Everything an email about these lines shows, in order and line order. */
export async function findEmailLines(db: Executor, lineIds: string[]) {
  if (lineIds.length === 0) return [];
  return db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'o.partner_org_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .leftJoin('offers as f', 'f.code', 'l.offer_code')
    .select([
      'l.id',
      'l.order_id',
      'l.line_number',
      'l.offer_code',
      'l.quantity',
      'l.requested_start_date',
      'l.provisioning_contact_email',
      'o.reference',
      'o.order_number',
      'o.locale',
      'o.end_customer_name',
      'o.partner_org_id',
      'p.name as partner_name',
      's.id as subscription_id',
    ])
    .select(
      sql<string[]>`array(select service_code from order_line_services ls where ls.line_id = l.id)`.as(
        'service_codes',
      ),
    )
    .where('l.id', 'in', lineIds)
    .orderBy('l.order_id')
    .orderBy('l.line_number')
    .execute();
}

export type EmailLineRow = Awaited<ReturnType<typeof findEmailLines>>[number];

/** A line and what decides what may be done to it, optionally locked for the caller's transaction. */
export async function findActionLine(db: Executor, orderId: string, lineId: string, lock: boolean) {
  let query = db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .select([
      'l.id',
      'l.order_id',
      'l.status',
      'l.version',
      'l.provisioning_contact_email',
      'l.first_email_sent_at',
      'o.partner_org_id',
      'o.placed_by_org_id',
      's.id as subscription_id',
      's.mapped_at',
    ])
    .where('l.id', '=', lineId)
    .where('l.order_id', '=', orderId);
  if (lock) query = query.forUpdate('l');
  return query.executeTakeFirst();
}

export type ActionLineRow = NonNullable<Awaited<ReturnType<typeof findActionLine>>>;

/** All lines of an order, locked in id order (so concurrent changes never deadlock). */
export async function lockOrderLines(db: Executor, orderId: string): Promise<ActionLineRow[]> {
  return db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .select([
      'l.id',
      'l.order_id',
      'l.status',
      'l.version',
      'l.provisioning_contact_email',
      'l.first_email_sent_at',
      'o.partner_org_id',
      'o.placed_by_org_id',
      's.id as subscription_id',
      's.mapped_at',
    ])
    .where('l.order_id', '=', orderId)
    .orderBy('l.id')
    .forUpdate('l')
    .execute();
}

/** When this line's resends within the window happened, oldest first. */
export async function recentResends(db: Executor, lineId: string, since: Date): Promise<Date[]> {
  const rows = await db
    .selectFrom('provisioning_transactions')
    .select('created_at')
    .where('line_id', '=', lineId)
    .where('type', '=', 'provisioning_email_resend')
    .where('created_at', '>', since)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => r.created_at);
}

export async function updateLineContact(
  db: Executor,
  lineId: string,
  version: number,
  email: string,
): Promise<boolean> {
  const result = await db
    .updateTable('order_lines')
    .set({ provisioning_contact_email: email, version: version + 1 })
    .where('id', '=', lineId)
    .where('version', '=', version)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface NewTransaction {
  type: 'provisioning_email_update' | 'provisioning_email_resend';
  line_id: string;
  subscription_id: string;
  order_id: string;
  partner_org_id: string;
  placed_by_org_id: string;
  old_email: string | null;
  new_email: string;
  actor_type: 'user' | 'api_key' | 'system' | 'link';
  actor_id: string | null;
  actor_label: string | null;
  status: 'submitted' | 'completed';
  created_at: Date;
  completed_at: Date | null;
}

export async function insertTransactions(db: Executor, rows: NewTransaction[]) {
  if (rows.length === 0) return [];
  return db.insertInto('provisioning_transactions').values(rows).returningAll().execute();
}

export type TransactionRow = Awaited<ReturnType<typeof insertTransactions>>[number];

/**
 * Settles the transactions one email carried: the one it names and those written with it (same
 * order, type, new address and instant: one contact change of several lines).
 */
export async function settleTransactions(
  db: Executor,
  transactionId: string,
  status: 'sent' | 'failed',
  reason: string | null,
  at: Date,
): Promise<void> {
  await sql`
    update provisioning_transactions t
    set status = ${status}, failure_reason = ${reason}, completed_at = ${at}::timestamptz
    from provisioning_transactions r
    where r.id = ${transactionId}::uuid and t.status = 'submitted'
      and (t.id = r.id or (r.type = 'provisioning_email_update' and t.type = r.type and t.order_id = r.order_id
                           and t.new_email = r.new_email and t.created_at = r.created_at))`.execute(db);
}

export async function findLinkByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('provisioning_links as k')
    .innerJoin('order_lines as l', 'l.id', 'k.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['k.id', 'k.line_id', 'k.opened_at', 'k.ended_reason', 'o.partner_org_id', 'o.id as order_id'])
    .where('k.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Records the first opening of the link (and of any link of its line); true if this was the first. */
export async function markLinkOpened(
  db: Executor,
  linkId: string,
  lineId: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('provisioning_links')
    .set({ opened_at: at })
    .where('id', '=', linkId)
    .where('opened_at', 'is', null)
    .executeTakeFirst();
  await db
    .updateTable('order_lines')
    .set({ link_opened_at: at })
    .where('id', '=', lineId)
    .where('link_opened_at', 'is', null)
    .execute();
  return Number(result.numUpdatedRows) === 1;
}

export async function findSubscriptionLine(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select(['s.id', 's.line_id', 'o.partner_org_id', 'o.placed_by_org_id'])
    .where('s.id', '=', subscriptionId)
    .forUpdate('l')
    .executeTakeFirst();
}

/** Who placed the order: the user (by name and address) or, for API-key orders, the organization. */
export async function findPlacer(db: Executor, orderId: string) {
  return db
    .selectFrom('orders as o')
    .innerJoin('organizations as g', 'g.id', 'o.placed_by_org_id')
    .leftJoin('users as u', 'u.id', 'o.placed_by_user_id')
    .select(['g.name as org_name', 'u.email as user_email', 'u.display_name as user_name'])
    .where('o.id', '=', orderId)
    .executeTakeFirst();
}

/** Per line of an order: whether its first email went out and whether it is mapped. */
/** Each line's progress; `starts_later`: its start date is after today in the partner's time zone, as the dispatch reads it. */
export async function findLineProgress(db: Executor, orderId: string, now: Date) {
  return db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'o.partner_org_id')
    .select(['l.id', 'l.first_email_sent_at', 'l.status', 's.mapped_at'])
    .select(
      sql<boolean>`l.requested_start_date > (${now}::timestamptz at time zone p.time_zone)::date`.as(
        'starts_later',
      ),
    )
    .where('l.order_id', '=', orderId)
    .execute();
}

/**
 * Every line of these orders that the scope may see, with what its actions depend on (progress,
 * the order's tenant, its placer): what a list page needs for all its orders, in one read.
 */
export async function findActionLinesOfOrders(db: Executor, orderIds: string[], scope: OrderScope) {
  if (orderIds.length === 0) return [];
  let query = db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('organizations as g', 'g.id', 'o.placed_by_org_id')
    .leftJoin('users as u', 'u.id', 'o.placed_by_user_id')
    .select([
      'l.id',
      'l.order_id',
      'l.provisioning_contact_email',
      'l.first_email_sent_at',
      's.id as subscription_id',
      's.mapped_at',
      'o.partner_org_id',
      'o.placed_by_org_id',
      'g.name as org_name',
      'u.email as user_email',
      'u.display_name as user_name',
    ])
    .where('l.order_id', 'in', orderIds);
  if (scope !== 'all') {
    const org = scope.orgId;
    query = query.where((eb) =>
      eb.or([eb('o.partner_org_id', '=', org), eb('o.placed_by_org_id', '=', org)]),
    );
  }
  return query.orderBy('l.order_id').orderBy('l.line_number').execute();
}

export async function apiKeyName(db: Executor, apiKeyId: string): Promise<string | null> {
  const row = await db.selectFrom('api_keys').select('name').where('id', '=', apiKeyId).executeTakeFirst();
  return row?.name ?? null;
}
