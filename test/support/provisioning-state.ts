import { createHash, randomBytes } from 'node:crypto';
import type { Harness } from './harness.ts';

/**
 * Writes the same columns the provisioning core writes, for tests of what comes after it (timers,
 * timeline, pages): the first email went out, a link was opened, a resend or contact change was
 * recorded, the subscription was mapped.
 */
export async function markEmailSent(h: Harness, lineId: string, at: Date): Promise<void> {
  const line = await h.db
    .updateTable('order_lines')
    .set({ status: 'awaiting_provisioning_details', status_changed_at: at, first_email_sent_at: at })
    .where('id', '=', lineId)
    .returning(['provisioning_contact_email'])
    .executeTakeFirstOrThrow();
  await h.db
    .insertInto('provisioning_links')
    .values({
      line_id: lineId,
      token_hash: createHash('sha256').update(randomBytes(16)).digest('hex'),
      sent_to: line.provisioning_contact_email,
      created_at: at,
    })
    .execute();
}

export async function markLinkOpened(h: Harness, lineId: string, at: Date): Promise<void> {
  await h.db.updateTable('order_lines').set({ link_opened_at: at }).where('id', '=', lineId).execute();
}

/** Mapped to an organization (the Point of No Return); any organization will do for these tests. */
export async function markMapped(h: Harness, lineId: string, at: Date): Promise<void> {
  const { partner_org_id } = await h.db
    .selectFrom('order_lines')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .select('orders.partner_org_id')
    .where('order_lines.id', '=', lineId)
    .executeTakeFirstOrThrow();
  await h.db
    .updateTable('subscriptions')
    .set({ mapped_at: at, customer_org_id: partner_org_id })
    .where('line_id', '=', lineId)
    .execute();
}

export async function recordTransaction(
  h: Harness,
  lineId: string,
  row: {
    type: 'provisioning_email_update' | 'provisioning_email_resend';
    oldEmail: string | null;
    newEmail: string;
    actorLabel: string;
    status: 'submitted' | 'sent' | 'failed' | 'completed';
    failureReason?: string;
    at: Date;
  },
): Promise<void> {
  const line = await h.db
    .selectFrom('order_lines as l')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .select(['l.order_id', 'o.partner_org_id', 'o.placed_by_org_id', 's.id as subscription_id'])
    .where('l.id', '=', lineId)
    .executeTakeFirstOrThrow();
  await h.db
    .insertInto('provisioning_transactions')
    .values({
      type: row.type,
      line_id: lineId,
      subscription_id: line.subscription_id,
      order_id: line.order_id,
      partner_org_id: line.partner_org_id,
      placed_by_org_id: line.placed_by_org_id,
      old_email: row.oldEmail,
      new_email: row.newEmail,
      actor_type: 'user',
      actor_label: row.actorLabel,
      status: row.status,
      failure_reason: row.failureReason ?? null,
      created_at: row.at,
    })
    .execute();
  if (row.type === 'provisioning_email_update')
    await h.db
      .updateTable('order_lines')
      .set({ provisioning_contact_email: row.newEmail })
      .where('id', '=', lineId)
      .execute();
}
