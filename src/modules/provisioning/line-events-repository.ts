import { sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';

/** What a line's outgoing events name it by, and whose orders it is on (who may see them). */
export interface LineEventRow {
  line_id: string;
  line_number: number;
  order_id: string;
  order_number: string;
  subscription_id: string;
  partner_org_id: string;
  placed_by_org_id: string;
  requested_start_date: string;
}

export async function findLineEventRows(db: Executor, lineIds: readonly string[]): Promise<LineEventRow[]> {
  if (lineIds.length === 0) return [];
  const { rows } = await sql<LineEventRow>`
    select l.id as line_id, l.line_number, l.order_id, o.order_number, s.id as subscription_id,
           o.partner_org_id, o.placed_by_org_id, to_char(l.requested_start_date, 'YYYY-MM-DD') as requested_start_date
    from order_lines l
    join orders o on o.id = l.order_id
    join subscriptions s on s.line_id = l.id
    where l.id = any(${[...lineIds]}::uuid[])
    order by o.order_number, l.line_number`.execute(db);
  return rows;
}

export type EmailMessageKind = 'start' | 'resend' | 'contact_changed';

/** Which lines each queued provisioning email carries, until its outcome is known. */
export async function insertEmailLines(
  db: Executor,
  rows: { email_id: string; line_id: string; message_kind: EmailMessageKind }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('provisioning_email_lines').values(rows).execute();
}

/** The lines these emails carried, forgotten as they are read: each outcome is told once. */
export async function takeEmailLines(
  db: Executor,
  emailIds: readonly string[],
): Promise<{ email_id: string; line_id: string; message_kind: EmailMessageKind }[]> {
  if (emailIds.length === 0) return [];
  return db
    .deleteFrom('provisioning_email_lines')
    .where('email_id', '=', sql<string>`any(${[...emailIds]}::uuid[])`)
    .returning(['email_id', 'line_id', 'message_kind'])
    .execute();
}
