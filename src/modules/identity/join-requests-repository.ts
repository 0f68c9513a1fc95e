import { sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';
import type { Locale } from '../../platform/i18n.ts';

/** Requests to join an organization or to reach an existing customer (docs/adr/0022). */

export type JoinRequestStatus = 'pending' | 'approved' | 'refused' | 'withdrawn' | 'expired';

const COLUMNS = [
  'r.id',
  'r.subscription_id',
  'r.organization_id',
  'r.reason',
  'r.side',
  'r.status',
  'r.contact_email',
  'r.subject_email',
  'r.requester_locale',
  'r.mapping_input',
  'r.requested_at',
  'r.decided_at',
  'o.name as organization_name',
] as const;

export interface NewJoinRequest {
  id: string;
  subscription_id: string;
  organization_id: string;
  reason: 'join' | 'partner_access';
  side: 'partner' | 'customer';
  contact_email: string;
  subject_email: string;
  requester_locale: Locale;
  mapping_input: string;
  requested_at: Date;
}

/** Inserts a pending request; false when the subscription already has one (the partial unique index). */
export async function insertPending(db: Executor, row: NewJoinRequest): Promise<boolean> {
  const inserted = await db
    .insertInto('organization_join_requests')
    .values({ ...row, status: 'pending' })
    .onConflict((oc) => oc.column('subscription_id').where('status', '=', 'pending').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export function findById(db: Executor, id: string) {
  return db
    .selectFrom('organization_join_requests as r')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .select(COLUMNS)
    .where('r.id', '=', id)
    .executeTakeFirst();
}

/** Each subscription's pending request, else its latest, whatever its status. */
export async function findLatestOfSubscriptions(db: Executor, subscriptionIds: string[]) {
  if (!subscriptionIds.length) return [];
  return db
    .selectFrom('organization_join_requests as r')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .select(COLUMNS)
    .distinctOn('r.subscription_id')
    .where('r.subscription_id', 'in', subscriptionIds)
    .orderBy('r.subscription_id')
    .orderBy(sql`r.status = 'pending'`, 'desc')
    .orderBy('r.requested_at', 'desc')
    .orderBy('r.id')
    .execute();
}

/** An organization's requests: pending ones and the recently decided (the hub's list). */
export function findOfOrganization(db: Executor, organizationId: string, limit: number) {
  return db
    .selectFrom('organization_join_requests as r')
    .innerJoin('organizations as o', 'o.id', 'r.organization_id')
    .innerJoin('subscriptions as s', 's.id', 'r.subscription_id')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as d', 'd.id', 'l.order_id')
    .innerJoin('organizations as p', 'p.id', 'd.partner_org_id')
    .innerJoin('offers as f', 'f.code', 'l.offer_code')
    .select([...COLUMNS, 'd.order_number', 'd.reference', 'p.name as partner_name', 'f.name as offer_name'])
    .where('r.organization_id', '=', organizationId)
    .orderBy(sql`r.status = 'pending'`, 'desc')
    .orderBy('r.requested_at', 'desc')
    .limit(limit)
    .execute();
}

/**
 * Decides a pending request: only one decision can win, whoever comes second (another admin, the
 * requester withdrawing) updates nothing and is told so.
 */
export async function decide(
  db: Executor,
  id: string,
  to: Exclude<JoinRequestStatus, 'pending'>,
  at: Date,
  userId: string | null,
): Promise<boolean> {
  const updated = await db
    .updateTable('organization_join_requests')
    .set({ status: to, decided_at: at, decided_by_user_id: userId })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .returning('id')
    .executeTakeFirst();
  return updated !== undefined;
}

/** The organization's admins (who decide), with the language each reads. */
export function findAdmins(db: Executor, organizationId: string) {
  return db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.email', 'users.locale', 'organizations.time_zone'])
    .where('users.organization_id', '=', organizationId)
    .where('users.role', 'in', ['partner_admin', 'customer_admin'])
    .orderBy('users.email')
    .execute();
}

export async function findApprovedOrganizations(db: Executor, subscriptionId: string, contactEmail: string) {
  const rows = await db
    .selectFrom('organization_join_requests')
    .select('organization_id')
    .where('subscription_id', '=', subscriptionId)
    .where('contact_email', '=', contactEmail)
    .where('status', '=', 'approved')
    .execute();
  return rows.map((r) => r.organization_id);
}

/**
 * Expires up to `limit` requests still pending since before `cutoff`, in one conditional UPDATE. A row
 * a decision holds is skipped (that decision wins, or it stays pending for the next run); a decision
 * that comes after finds it no longer pending. Each expired row is returned once, to the run that moved it.
 */
export function expirePendingBefore(db: Executor, cutoff: Date, at: Date, limit: number) {
  return db
    .updateTable('organization_join_requests')
    .set({ status: 'expired', decided_at: at, decided_by_user_id: null })
    .where('status', '=', 'pending')
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('organization_join_requests')
        .select('id')
        .where('status', '=', 'pending')
        .where('requested_at', '<', cutoff)
        .orderBy('requested_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'subscription_id', 'organization_id', 'reason', 'contact_email', 'requested_at'])
    .execute();
}
