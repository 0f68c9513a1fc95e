import type { TxCtx } from '../../platform/context.ts';
import { type EmailToQueue, type MailResultHandler, queueEmails } from '../../platform/mail/outbox.ts';
import type { EventData, EventType } from '../events/catalogue.ts';
import { event, type NewEvent, recordEvents } from '../events/record.ts';
import {
  type EmailMessageKind,
  findLineEventRows,
  insertEmailLines,
  type LineEventRow,
  takeEmailLines,
} from './line-events-repository.ts';

/**
 * The outgoing events of a line's provisioning (docs/adr/0030), each written in the transaction of
 * the change it tells of: a contact change, an escalation, and what the mail server did with a
 * provisioning email (known only when the relay records the outcome, so that is the transaction).
 */

/** Events written per statement: a backlog of escalations is many statements, not one too large. */
export const EVENT_CHUNK = 1000;

/** How an event names a line. */
export function lineRef(row: LineEventRow) {
  return {
    orderId: row.order_id,
    orderNumber: row.order_number,
    lineId: row.line_id,
    lineNumber: row.line_number,
    subscriptionId: row.subscription_id,
  };
}

/** One event about a line, seen by the order's partner and by whoever placed it. */
export function lineEvent<T extends EventType>(type: T, row: LineEventRow, data: EventData<T>): NewEvent {
  return event(
    type,
    data,
    { partnerOrgId: row.partner_org_id, placedByOrgId: row.placed_by_org_id },
    { subscriptionId: row.subscription_id, orderId: row.order_id },
  );
}

/**
 * Writes one event per line, `chunk` lines at a time: the lines are read, `build` makes each one's
 * event (or none), and they are recorded in the caller's transaction.
 */
export async function recordLineEvents(
  tx: TxCtx,
  lineIds: readonly string[],
  build: (row: LineEventRow) => NewEvent | null,
): Promise<void> {
  for (let i = 0; i < lineIds.length; i += EVENT_CHUNK) {
    const rows = await findLineEventRows(tx.db, lineIds.slice(i, i + EVENT_CHUNK));
    await recordEvents(
      tx,
      rows.flatMap((row) => build(row) ?? []),
    );
  }
}

/** A provisioning email as composed, with the lines it carries. */
export type ComposedEmail = Omit<EmailToQueue, 'kind'> & { lineIds: readonly string[] };

/**
 * Queues provisioning emails and remembers which lines each carries, so that when the relay learns
 * the outcome, each of those lines gets its `line.provisioning_email_sent` (or `_failed`) event.
 */
export async function queueProvisioningEmails(
  tx: TxCtx,
  emails: readonly ComposedEmail[],
  kind: 'provisioning.start' | 'provisioning.transaction',
  messageKind: EmailMessageKind,
  subjectRef?: string,
): Promise<void> {
  const ids = await queueEmails(
    tx,
    emails.map(({ lineIds: _lines, ...email }) => ({
      ...email,
      kind,
      ...(subjectRef === undefined ? {} : { subjectRef }),
    })),
  );
  await insertEmailLines(
    tx.db,
    emails.flatMap((email, i) =>
      email.lineIds.map((lineId) => ({ email_id: ids[i] ?? '', line_id: lineId, message_kind: messageKind })),
    ),
  );
}

/** The mail server's reason as an event carries it. */
const REASON_MAX_LENGTH = 1000;

/**
 * The relay recorded how provisioning emails ended: one event per line each carried, for a whole
 * batch in three statements (forget the emails' lines, read the lines, write the events).
 */
export const recordProvisioningEmailOutcome: MailResultHandler = async (tx, outcomes) => {
  const byEmail = new Map(outcomes.map((o) => [o.email.id, o]));
  const carried = await takeEmailLines(tx.db, [...byEmail.keys()]);
  const lineIds = [...new Set(carried.map((c) => c.line_id))];
  const rows = new Map<string, LineEventRow>();
  for (let i = 0; i < lineIds.length; i += EVENT_CHUNK)
    for (const row of await findLineEventRows(tx.db, lineIds.slice(i, i + EVENT_CHUNK)))
      rows.set(row.line_id, row);
  const events = carried.flatMap(({ email_id, line_id, message_kind: kind }) => {
    const row = rows.get(line_id);
    const outcome = byEmail.get(email_id);
    if (!row || !outcome) return [];
    const { email, result } = outcome;
    return [
      result.status === 'sent'
        ? lineEvent('line.provisioning_email_sent', row, { ...lineRef(row), to: email.to, kind })
        : lineEvent('line.provisioning_email_failed', row, {
            ...lineRef(row),
            to: email.to,
            kind,
            reason: result.reason.slice(0, REASON_MAX_LENGTH),
          }),
    ];
  });
  for (let i = 0; i < events.length; i += EVENT_CHUNK)
    await recordEvents(tx, events.slice(i, i + EVENT_CHUNK));
};
