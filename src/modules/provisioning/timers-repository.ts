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
 * Starts billing under the policy, once: a conditional UPDATE, so concurrent workers and reruns
 * cannot both succeed (the loser's UPDATE waits, re-reads the row and matches nothing).
 */
export async function startPolicyBilling(db: Executor, subscriptionId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('subscriptions')
    .set({ billing_started_at: at, billing_start_reason: 'policy' })
    .where('id', '=', subscriptionId)
    .where('billing_started_at', 'is', null)
    .where('provisioned_at', 'is', null)
    .where('mapped_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Lines whose Requested Start Date + 1 day has arrived in the partner's time zone, with nobody having
 * opened a link, not mapped, not escalated. The `requested_start_date <= UTC today` bound is implied
 * (no zone is more than a day ahead of UTC) and lets the partial index do the work.
 */
export async function findEscalationDueLines(
  db: Executor,
  now: Date,
  utcToday: string,
  afterId: string | null,
  limit: number,
) {
  let query = db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('orders', 'orders.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'orders.partner_org_id')
    .select(['l.id as lineId'])
    .where('l.link_opened_at', 'is', null)
    .where('l.escalated_at', 'is', null)
    .where('l.status', '<>', 'scheduled')
    .where('l.requested_start_date', '<=', utcToday)
    .where(sql<boolean>`(${now}::timestamptz at time zone p.time_zone)::date >= l.requested_start_date + 1`)
    .where('s.mapped_at', 'is', null);
  if (afterId) query = query.where('l.id', '>', afterId);
  return query.orderBy('l.id').limit(limit).execute();
}

/** Claims a line's escalation, once; returns what the email needs, or nothing if already claimed. */
export async function claimEscalation(db: Executor, lineId: string, at: Date) {
  const claimed = await db
    .updateTable('order_lines')
    .set({ escalated_at: at })
    .where('id', '=', lineId)
    .where('escalated_at', 'is', null)
    .where('link_opened_at', 'is', null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('subscriptions')
            .select('subscriptions.id')
            .whereRef('subscriptions.line_id', '=', 'order_lines.id')
            .where('subscriptions.mapped_at', 'is not', null),
        ),
      ),
    )
    .returning(['id'])
    .executeTakeFirst();
  if (!claimed) return undefined;
  return db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('orders', 'orders.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'orders.partner_org_id')
    .select([
      'l.id as lineId',
      'l.order_id as orderId',
      'l.provisioning_contact_email as contactEmail',
      'l.requested_start_date as requestedStartDate',
      's.id as subscriptionId',
      'orders.reference as orderReference',
      'orders.order_number as orderNumber',
      'orders.partner_org_id as partnerOrgId',
      'p.name as partnerName',
      'p.account_rep_email as accountRepEmail',
    ])
    .where('l.id', '=', lineId)
    .executeTakeFirstOrThrow();
}
