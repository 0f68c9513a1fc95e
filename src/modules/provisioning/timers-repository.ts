import { sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';

/**
 * Lines whose policy window ran out by `now`: waiting for details, never mapped nor provisioned,
 * billing not started. Overdue ones are found whenever the job runs, however late it is.
 * Keyset-paged on the line id so that a line the service skips is not found again in the same run.
 */
export async function findPolicyDueLines(db: Executor, now: Date, afterId: string | null, limit: number) {
  let query = db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('offers as o', 'o.code', 'l.offer_code')
    .innerJoin('orders', 'orders.id', 'l.order_id')
    .select(['l.id as lineId', 's.id as subscriptionId', 'orders.partner_org_id as partnerOrgId'])
    .where('l.status', '=', 'awaiting_provisioning_details')
    .where('l.first_email_sent_at', 'is not', null)
    .where(sql<boolean>`l.first_email_sent_at + make_interval(days => o.policy_window_days) <= ${now}`)
    .where('s.provisioned_at', 'is', null)
    .where('s.mapped_at', 'is', null)
    .where('s.billing_started_at', 'is', null);
  if (afterId) query = query.where('l.id', '>', afterId);
  return query.orderBy('l.id').limit(limit).execute();
}

/**
 * Lines whose Requested Start Date + 1 day has arrived in the partner's time zone, with nobody having
 * opened a link, not mapped, not escalated. The `requested_start_date <= UTC today` bound is implied
 * (no zone is more than a day ahead of UTC) and lets the partial index do the work.
 */
function escalationDue(now: Date, utcToday: string) {
  return sql<boolean>`l.link_opened_at is null and l.escalated_at is null and l.status <> 'scheduled'
    and l.requested_start_date <= ${utcToday}::date
    and (${now}::timestamptz at time zone p.time_zone)::date >= l.requested_start_date + 1
    and s.mapped_at is null`;
}

/** Who is told about a partner's stalled lines: its account representative, else the fallback address. */
function representative(fallback: string) {
  return sql<string>`coalesce(p.account_rep_email, ${fallback})`;
}

/** The representatives with at least one line due for escalation. */
export async function findEscalationRecipients(
  db: Executor,
  now: Date,
  utcToday: string,
  fallback: string,
): Promise<string[]> {
  const { rows } = await sql<{ to: string }>`
    select distinct ${representative(fallback)} as "to"
    from order_lines l
    join subscriptions s on s.line_id = l.id
    join orders o on o.id = l.order_id
    join organizations p on p.id = o.partner_org_id
    where ${escalationDue(now, utcToday)}
    order by 1`.execute(db);
  return rows.map((r) => r.to);
}

/**
 * Claims every line due for escalation that one representative hears about, in one conditional
 * UPDATE: a concurrent run's UPDATE waits for this one, re-checks `escalated_at is null` on the rows
 * it wanted, and claims none of them twice.
 */
export async function claimEscalations(
  db: Executor,
  input: { to: string; fallback: string; now: Date; utcToday: string },
): Promise<{ lineId: string; partnerOrgId: string }[]> {
  const { rows } = await sql<{ lineId: string; partnerOrgId: string }>`
    update order_lines l set escalated_at = ${input.now}
    from subscriptions s, orders o, organizations p
    where s.line_id = l.id and o.id = l.order_id and p.id = o.partner_org_id
      and ${escalationDue(input.now, input.utcToday)}
      and ${representative(input.fallback)} = ${input.to}
    returning l.id as "lineId", o.partner_org_id as "partnerOrgId"`.execute(db);
  return rows;
}

/** What the digest shows of the first `limit` of these lines, oldest start date first. */
export async function escalatedLineDetails(db: Executor, lineIds: string[], limit: number) {
  return db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('orders', 'orders.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'orders.partner_org_id')
    .select([
      'l.order_id as orderId',
      'l.provisioning_contact_email as contactEmail',
      'l.requested_start_date as requestedStartDate',
      's.id as subscriptionId',
      'orders.reference as orderReference',
      'orders.order_number as orderNumber',
      'p.name as partnerName',
    ])
    .where(sql<boolean>`l.id = any(${lineIds}::uuid[])`)
    .orderBy('l.requested_start_date')
    .orderBy('orders.reference')
    .orderBy('l.line_number')
    .limit(limit)
    .execute();
}
