import type { Ctx } from '../../platform/context.ts';
import { inTransaction } from '../../platform/context.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { recordAudit } from '../audit/service.ts';
import { dispatchDueLines } from './dispatch.ts';
import * as repo from './repository.ts';
import { authorizedOrder, pointOfNoReturn } from './service.ts';
import * as startNowRepo from './start-now-repository.ts';

/**
 * A partner starts provisioning a future-dated line now: its Requested Start Date becomes today (in the
 * partner's time zone, as the dispatch reads it) and the start-date dispatch sends its email in the
 * same transaction, so the email is the one the date would have sent, with nothing implemented twice.
 */
export async function startProvisioningNow(
  ctx: Ctx,
  orderId: string,
  lineId: string,
): Promise<{ requestedStartDate: string; previousStartDate: string }> {
  await authorizedOrder(ctx, orderId, lineId);
  return inTransaction(ctx, async (tx) => {
    const line = await repo.findActionLine(tx.db, orderId, lineId, true);
    if (!line) throw notFound();
    if (line.mapped_at) throw pointOfNoReturn(tx);
    if (line.first_email_sent_at || line.status !== 'scheduled')
      throw new DomainError('start_now_already_sent', 409);
    const dates = await startNowRepo.findScheduledLine(tx.db, lineId, tx.clock.now());
    if (!dates) throw notFound();
    // Due today already: the every-minute dispatch sends it; nothing to move.
    if (
      dates.requested_start_date <= dates.today ||
      !(await startNowRepo.startLineOn(tx.db, lineId, dates.today))
    )
      throw new DomainError('start_now_not_in_future', 409, { date: dates.requested_start_date });
    await recordAudit(tx, [
      {
        action: 'provisioning.started_now',
        entityType: 'order_line',
        entityId: lineId,
        organizationId: line.partner_org_id,
        payload: { from: dates.requested_start_date, to: dates.today },
      },
    ]);
    // The claim skips an order another worker holds: then the line is due, and that sweep sends it.
    await dispatchDueLines(tx, { lineIds: [lineId] });
    return { requestedStartDate: dates.today, previousStartDate: dates.requested_start_date };
  });
}
