import { sql } from 'kysely';
import type { Executor } from '../db.ts';

/** The outbox and the development mailbox: the mail platform's only SQL. */

export interface NewOutboxEmail {
  id: string;
  kind: string;
  subject_ref: string | null;
  to_address: string;
  locale: 'en' | 'it' | 'pt-BR' | 'ru' | 'uk';
  subject: string;
  html: string;
  text_body: string;
  not_before: Date;
  created_at: Date;
}

export async function insertOutboxEmails(db: Executor, rows: NewOutboxEmail[]): Promise<void> {
  if (rows.length) await db.insertInto('outbox_emails').values(rows).execute();
}

export interface ClaimedEmail {
  id: string;
  kind: string;
  subject_ref: string | null;
  to_address: string;
  locale: string;
  subject: string;
  html: string;
  text_body: string;
  attempts: number;
}

/**
 * Claims up to `limit` due messages for `leaseSeconds`: other relays skip them (SKIP LOCKED now, the
 * lease afterwards), and a relay that dies simply lets its lease run out.
 */
export async function claimDueEmails(
  db: Executor,
  now: Date,
  limit: number,
  leaseSeconds: number,
): Promise<ClaimedEmail[]> {
  const until = new Date(now.getTime() + leaseSeconds * 1000);
  const { rows } = await sql<ClaimedEmail>`
    update outbox_emails set claimed_until = ${until}, attempts = attempts + 1
    where id in (
      select id from outbox_emails
      where status = 'pending' and not_before <= ${now} and (claimed_until is null or claimed_until <= ${now})
      order by not_before
      limit ${limit}
      for update skip locked)
    returning id, kind, subject_ref, to_address, locale, subject, html, text_body, attempts`.execute(db);
  return rows;
}

export async function markSent(db: Executor, ids: string[], at: Date): Promise<void> {
  if (!ids.length) return;
  await db
    .updateTable('outbox_emails')
    .set({ status: 'sent', sent_at: at, claimed_until: null, last_error: null })
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

export async function markFailed(db: Executor, id: string, reason: string): Promise<void> {
  await db
    .updateTable('outbox_emails')
    .set({ status: 'failed', claimed_until: null, last_error: reason })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export async function scheduleRetry(
  db: Executor,
  id: string,
  notBefore: Date,
  reason: string,
): Promise<void> {
  await db
    .updateTable('outbox_emails')
    .set({ not_before: notBefore, claimed_until: null, last_error: reason })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

export async function insertMailboxMessage(
  db: Executor,
  row: { message_id: string; to_address: string; subject: string; mime: string; received_at: Date },
): Promise<void> {
  await db.insertInto('dev_mailbox').values(row).execute();
}

export async function listMailbox(db: Executor, limit: number, to?: string) {
  let query = db
    .selectFrom('dev_mailbox')
    .select(['id', 'message_id', 'to_address', 'subject', 'received_at'])
    .orderBy('id', 'desc')
    .limit(limit);
  if (to) query = query.where('to_address', '=', to);
  return query.execute();
}

export async function findMailboxMessage(db: Executor, id: number) {
  return db.selectFrom('dev_mailbox').selectAll().where('id', '=', id).executeTakeFirst();
}
