import { sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';
import { exactTime, type Keyset } from '../../platform/keyset.ts';
import type { LineStatus } from './lifecycle.ts';

export interface EscalationSearch {
  partnerOrgId?: string;
  status?: LineStatus;
  /** Escalated strictly before this instant (the "older than" filter). */
  escalatedBefore?: Date;
  contacted?: boolean;
  /** The digest's link: the lines one representative was told about (the partner's, else the fallback). */
  representative?: { email: string; fallback: string };
  /** Strictly after this (escalated_at, line id) in oldest-first order. */
  after?: Keyset;
  limit: number;
}

/**
 * Lines whose account representative was told and whose subscription is still not mapped, oldest
 * escalation first, keyset-paged on (escalated_at, line id): the walk reads `order_lines_escalated`
 * (or, for one partner, `order_lines_escalated_by_partner`) from the position on, and stops at `limit`.
 */
export async function searchEscalations(db: Executor, search: EscalationSearch) {
  let query = db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .innerJoin('organizations as partner', 'partner.id', 'l.partner_org_id')
    .leftJoin('escalation_contacts as ec', 'ec.line_id', 'l.id')
    .leftJoin('users as u', 'u.id', 'ec.contacted_by_user_id')
    .select([
      'l.id as line_id',
      'l.line_number',
      'l.provisioning_contact_email',
      'l.requested_start_date',
      'l.status',
      'l.partner_org_id',
      'o.id as order_id',
      'o.order_number',
      'o.reference',
      'partner.name as partner_name',
      'partner.account_rep_email',
      's.id as subscription_id',
      'ec.contacted_at',
      'ec.note as contact_note',
      'u.email as contacted_by_email',
    ])
    .select(sql<Date>`l.escalated_at`.as('escalated_at'))
    .select(exactTime('l.escalated_at').as('escalated_at_exact'))
    .where('l.escalated_at', 'is not', null)
    .where('s.mapped_at', 'is', null);
  if (search.partnerOrgId) query = query.where('l.partner_org_id', '=', search.partnerOrgId);
  if (search.status) query = query.where('l.status', '=', search.status);
  if (search.escalatedBefore) query = query.where('l.escalated_at', '<', search.escalatedBefore);
  if (search.contacted !== undefined)
    query = query.where('ec.line_id', search.contacted ? 'is not' : 'is', null);
  const rep = search.representative;
  if (rep)
    query = query.where(sql<boolean>`coalesce(partner.account_rep_email, ${rep.fallback}) = ${rep.email}`);
  const after = search.after;
  if (after)
    query = query.where(
      sql<boolean>`(l.escalated_at, l.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
    );
  return query.orderBy('l.escalated_at').orderBy('l.id').limit(search.limit).execute();
}

/** The escalated line with its partner and subscription; undefined when it was never escalated. */
export async function findEscalatedLine(db: Executor, lineId: string) {
  return db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .select(['l.id', 'l.partner_org_id', 'l.order_id', 's.id as subscription_id'])
    .where('l.id', '=', lineId)
    .where('l.escalated_at', 'is not', null)
    .executeTakeFirst();
}

/**
 * Records that the partner was contacted, unless someone already did: one INSERT on the line's key,
 * so of any number of concurrent marks exactly one is written. False when the line had one already.
 */
export async function insertContact(
  db: Executor,
  row: { lineId: string; userId: string; at: Date; note: string },
): Promise<boolean> {
  const written = await db
    .insertInto('escalation_contacts')
    .values({ line_id: row.lineId, contacted_by_user_id: row.userId, contacted_at: row.at, note: row.note })
    .onConflict((oc) => oc.column('line_id').doNothing())
    .returning('line_id')
    .executeTakeFirst();
  return written !== undefined;
}

/** Who marked the line contacted, when, and the note. */
export async function findContact(db: Executor, lineId: string) {
  return db
    .selectFrom('escalation_contacts as ec')
    .leftJoin('users as u', 'u.id', 'ec.contacted_by_user_id')
    .select(['ec.contacted_at', 'ec.note', 'u.email as contacted_by_email'])
    .where('ec.line_id', '=', lineId)
    .executeTakeFirst();
}
