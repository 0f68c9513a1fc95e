import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { mapSubscription } from '../../src/modules/provisioning/service.ts';
import { startProvisioningNow } from '../../src/modules/provisioning/start-now.ts';
import type { Harness } from './harness.ts';

/** Moves the clock to `at` and sends every provisioning email due by then, as the dispatch job does. */
export async function dispatchAt(h: Harness, at: Date): Promise<void> {
  h.clock.set(at);
  while ((await dispatchDueLines(h.ctx)).lines > 0);
}

/**
 * Someone opened the setup link. The token exists only in the email, so this writes the column the
 * link page writes rather than fishing the link out of a message.
 */
export async function markLinkOpened(h: Harness, lineId: string, at: Date): Promise<void> {
  await h.db.updateTable('order_lines').set({ link_opened_at: at }).where('id', '=', lineId).execute();
}

/**
 * Maps the line's subscription (the Point of No Return), to the partner's own organization. A line
 * whose email has not gone out yet is sent first, as production would: by the dispatch when it is
 * due, else by *Start now*; nothing maps a subscription nobody was asked to set up.
 */
export async function mapLine(h: Harness, lineId: string, at: Date): Promise<void> {
  const row = await h.db
    .selectFrom('order_lines')
    .innerJoin('orders', 'orders.id', 'order_lines.order_id')
    .innerJoin('subscriptions', 'subscriptions.line_id', 'order_lines.id')
    .select(['orders.partner_org_id', 'subscriptions.id', 'order_lines.status', 'order_lines.order_id'])
    .where('order_lines.id', '=', lineId)
    .executeTakeFirstOrThrow();
  h.clock.set(at);
  if (row.status === 'scheduled' && (await dispatchDueLines(h.ctx, { lineIds: [lineId] })).lines === 0)
    await startProvisioningNow(h.ctx, row.order_id, lineId);
  await mapSubscription(h.ctx, row.id, {
    partnerOrgId: row.partner_org_id,
    customerOrgId: row.partner_org_id,
  });
}
