import { sql } from 'kysely';
import type { Executor } from '../db.ts';
import { displayEmail, normalizeEmail } from '../email.ts';

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

/** How the relay spaces retries, for the claim's bound on a clock that went back (see claimDueEmails). */
export interface RetrySpacing {
  firstSeconds: number;
  maxSeconds: number;
}

/**
 * Claims up to `limit` due messages for `leaseSeconds`: other relays skip them (SKIP LOCKED now, the
 * lease afterwards), and a relay that dies simply lets its lease run out.
 *
 * Both times were computed from the clock: a `not_before` or lease further ahead than its nominal
 * window (the retry delay for that attempt, the lease itself) can only come from a clock that has
 * since moved back, and counts as passed, so a backwards jump delays mail by at most that window.
 */
export async function claimDueEmails(
  db: Executor,
  now: Date,
  limit: number,
  leaseSeconds: number,
  spacing: RetrySpacing,
): Promise<ClaimedEmail[]> {
  const until = new Date(now.getTime() + leaseSeconds * 1000);
  // A claim ending beyond `until` is another lane's (or process's) whose clock was read a moment after
  // ours, which under load can be seconds: it is live. Only a claim ending more than a lease beyond
  // ours comes from a clock that has since gone back (issue 14); that one is taken over. (Taking over
  // anything beyond `until` sent messages twice: bench:cluster, issue 17.)
  const staleBeyond = new Date(until.getTime() + leaseSeconds * 1000);
  // retryDelaySeconds(attempts) of outbox.ts, in SQL (the first delay before any attempt, which also
  // bounds an outage's deferral).
  const window = sql`least(${spacing.maxSeconds}::float8,
    ${spacing.firstSeconds}::float8 * power(2::float8, greatest(0, attempts - 1))) * interval '1 second'`;
  const { rows } = await sql<ClaimedEmail>`
    update outbox_emails set claimed_until = ${until}, attempts = attempts + 1
    where id in (
      select id from outbox_emails
      where status = 'pending'
        and (not_before <= ${now} or not_before > ${now}::timestamptz + ${window})
        and (claimed_until is null or claimed_until <= ${now} or claimed_until > ${staleBeyond})
      order by not_before
      limit ${limit}
      for update skip locked)
    returning id, kind, subject_ref, to_address, locale, subject, html, text_body, attempts`.execute(db);
  return rows;
}

/**
 * The relay never got to offer these messages (the server was unreachable or dropped the
 * connection): they wait until `notBefore`, and the claim's attempt is not counted against them, so
 * an outage of any length never makes a message fail for good.
 */
export async function deferWithoutAttempt(
  db: Executor,
  ids: string[],
  notBefore: Date,
  reason: string,
): Promise<void> {
  if (!ids.length) return;
  await db
    .updateTable('outbox_emails')
    .set((eb) => ({
      not_before: notBefore,
      claimed_until: null,
      last_error: reason,
      attempts: eb('attempts', '-', 1),
    }))
    .where('id', 'in', ids)
    .where('status', '=', 'pending')
    .execute();
}

/** Messages not yet sent or failed: the relay's backlog. */
export async function countPending(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('outbox_emails')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
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

/**
 * The newest messages, or those whose recipient contains `to` (any case). Internationalized domains
 * are sent in punycode (or as written) but people type them either way, and part of a name has no
 * punycode of its own: such addresses are matched here in their Unicode and punycode forms.
 */
export async function listMailbox(db: Executor, limit: number, to?: string) {
  let query = db
    .selectFrom('dev_mailbox')
    .select(['id', 'message_id', 'to_address', 'subject', 'received_at'])
    .orderBy('id', 'desc');
  if (!to) return query.limit(limit).execute();
  const needles = [...new Set([to.toLowerCase(), displayEmail(to.toLowerCase()), normalizeEmail(to)])];
  const pattern = `%${to.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  query = query.where((eb) =>
    eb.or([
      eb(sql`lower(to_address)`, 'like', pattern),
      eb('to_address', 'like', '%xn--%'),
      // Any letter beyond ASCII takes more than one byte in UTF-8: an address kept in Unicode.
      eb(sql`octet_length(to_address)`, '<>', sql`char_length(to_address)`),
    ]),
  );
  // The development mailbox is small; the scan is bounded so a huge one still answers.
  const candidates = await query.limit(limit * 20).execute();
  return candidates
    .filter((m) => {
      const stored = m.to_address.toLowerCase();
      const forms = [stored, displayEmail(stored), normalizeEmail(stored)];
      return needles.some((needle) => forms.some((form) => form.includes(needle)));
    })
    .slice(0, limit);
}

export async function findMailboxMessage(db: Executor, id: number) {
  return db.selectFrom('dev_mailbox').selectAll().where('id', '=', id).executeTakeFirst();
}

/** What waits to be sent (due or waiting for a retry) and since when the oldest of it: for /metrics. */
export async function pendingBacklog(db: Executor): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('outbox_emails')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
}
