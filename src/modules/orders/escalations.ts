import { z } from '@hono/zod-openapi';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { DomainError, notFound, validationFailed } from '../../platform/errors.ts';
import { decodeKeyset, encodeKeyset } from '../../platform/keyset.ts';
import { paragraphText } from '../../platform/text.ts';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { recordAudit } from '../audit/service.ts';
import { requireOperator } from '../identity/policy.ts';
import * as repo from './escalations-repository.ts';
import type { LineStatus } from './lifecycle.ts';

/** The longest note an operator keeps about contacting a partner (the SQL check says the same). */
export const ESCALATION_NOTE_MAX_LENGTH = 1000;

export const contactNoteSchema = z.object({ note: paragraphText(ESCALATION_NOTE_MAX_LENGTH) });

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EscalationContact {
  contactedAt: Date;
  contactedByEmail: string | null;
  note: string;
}

export interface EscalatedLine {
  lineId: string;
  lineNumber: number;
  orderId: string;
  orderNumber: string;
  reference: string;
  partnerOrgId: string;
  partnerName: string;
  accountRepEmail: string | null;
  subscriptionId: string;
  provisioningContactEmail: string;
  requestedStartDate: string;
  status: LineStatus;
  escalatedAt: Date;
  contact: EscalationContact | null;
}

export interface EscalationQuery {
  partnerOrgId?: string | undefined;
  status?: LineStatus | undefined;
  escalatedBefore?: Date | undefined;
  contacted?: boolean | undefined;
  /** An account representative's address: only the lines that representative was told about. */
  representative?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

/**
 * The escalated lines whose subscription is not mapped yet, oldest escalation first, filtered and
 * keyset-paged; for the vendor's operators only (anyone else: not found). A tampered cursor is a 422
 * naming `cursor`.
 */
export async function listEscalations(
  ctx: Ctx,
  query: EscalationQuery,
): Promise<{ items: EscalatedLine[]; nextCursor: string | null }> {
  requireOperator(ctx.actor);
  const after = query.cursor ? decodeKeyset(query.cursor, UUID) : undefined;
  const rows = await ctx.reads.run(ctx, (read) =>
    repo.searchEscalations(read.db, {
      ...(query.partnerOrgId ? { partnerOrgId: query.partnerOrgId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.escalatedBefore ? { escalatedBefore: query.escalatedBefore } : {}),
      ...(query.contacted === undefined ? {} : { contacted: query.contacted }),
      ...(query.representative
        ? { representative: { email: query.representative, fallback: ctx.config.escalationEmail } }
        : {}),
      ...(after ? { after } : {}),
      limit: query.limit + 1,
    }),
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      lineId: r.line_id,
      lineNumber: r.line_number,
      orderId: r.order_id,
      orderNumber: r.order_number,
      reference: r.reference,
      partnerOrgId: r.partner_org_id,
      partnerName: r.partner_name,
      accountRepEmail: r.account_rep_email,
      subscriptionId: r.subscription_id,
      provisioningContactEmail: r.provisioning_contact_email,
      requestedStartDate: r.requested_start_date,
      status: r.status as LineStatus,
      escalatedAt: r.escalated_at,
      contact: r.contacted_at
        ? { contactedAt: r.contacted_at, contactedByEmail: r.contacted_by_email, note: r.contact_note ?? '' }
        : null,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeKeyset({ createdAt: last.escalated_at_exact, id: last.line_id })
        : null,
  };
}

/** One escalated line as the "mark contacted" page shows it; not found for anyone but an operator. */
export async function getEscalation(
  ctx: Ctx,
  lineId: string,
): Promise<{ lineId: string; subscriptionId: string; orderId: string; contact: EscalationContact | null }> {
  requireOperator(ctx.actor);
  if (!UUID.test(lineId)) throw notFound();
  const line = await repo.findEscalatedLine(ctx.db, lineId);
  if (!line) throw notFound();
  const contact = await repo.findContact(ctx.db, lineId);
  return {
    lineId: line.id,
    subscriptionId: line.subscription_id,
    orderId: line.order_id,
    contact: contact
      ? {
          contactedAt: contact.contacted_at,
          contactedByEmail: contact.contacted_by_email,
          note: contact.note,
        }
      : null,
  };
}

/**
 * An operator records that the partner of an escalated line was contacted, with a note: once per line
 * (a second mark, however close in time, is 409 `escalation_already_contacted`), audited in the same
 * transaction. The note is checked here too, so no caller can store an empty or invisible one.
 */
export async function markEscalationContacted(ctx: Ctx, lineId: string, note: string): Promise<void> {
  const operator = requireOperator(ctx.actor);
  if (!UUID.test(lineId)) throw notFound();
  const parsed = contactNoteSchema.safeParse({ note });
  if (!parsed.success) throw validationFailed(fieldErrorsFromZod(parsed.error.issues, { note }));
  await inTransaction(ctx, async (tx) => {
    const line = await repo.findEscalatedLine(tx.db, lineId);
    if (!line) throw notFound();
    const written = await repo.insertContact(tx.db, {
      lineId: line.id,
      userId: operator.userId,
      at: tx.clock.now(),
      note: parsed.data.note,
    });
    if (!written) throw new DomainError('escalation_already_contacted', 409);
    await recordAudit(tx, [
      {
        action: 'provisioning.escalation_contacted',
        entityType: 'order_line',
        entityId: line.id,
        organizationId: line.partner_org_id,
        payload: { subscriptionId: line.subscription_id, note: parsed.data.note },
      },
    ]);
  });
}
