import { sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';

/** A line scheduled for later, locked, with today's date in its partner's time zone (what "due" means). */
export async function findScheduledLine(db: Executor, lineId: string, now: Date) {
  const { rows } = await sql<{ requested_start_date: string; today: string }>`
    select l.requested_start_date::text as requested_start_date,
           (${now}::timestamptz at time zone p.time_zone)::date::text as today
    from order_lines l
    join orders o on o.id = l.order_id
    join organizations p on p.id = o.partner_org_id
    where l.id = ${lineId}
    for update of l`.execute(db);
  return rows[0];
}

/** Moves a line that is still scheduled for a later day to `today`; false when it no longer is. */
export async function startLineOn(db: Executor, lineId: string, today: string): Promise<boolean> {
  const result = await db
    .updateTable('order_lines')
    .set((eb) => ({ requested_start_date: today, version: eb('version', '+', 1) }))
    .where('id', '=', lineId)
    .where('status', '=', 'scheduled')
    .where('first_email_sent_at', 'is', null)
    .where('requested_start_date', '>', today)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
