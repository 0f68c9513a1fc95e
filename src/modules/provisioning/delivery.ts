import type { Ctx } from '../../platform/context.ts';
import type { OrderView } from '../orders/schema.ts';
import { latestTransactionPerLine } from './delivery-repository.ts';

export interface FailedDelivery {
  action: 'resend' | 'contact';
  to: string;
  reason: string | null;
}

/**
 * Lines of an order the caller has already been shown (getOrder) whose latest resend or contact
 * change ended in a failed delivery: the order page offers the troubleshooting steps there.
 */
export async function failedDeliveries(ctx: Ctx, order: OrderView): Promise<Map<string, FailedDelivery>> {
  return failedDeliveriesOfLines(
    ctx,
    order.lines.map((l) => l.id),
  );
}

/** The same for lines the caller has already been shown, of any number of orders, in one read. */
export async function failedDeliveriesOfLines(
  ctx: Ctx,
  lineIds: string[],
): Promise<Map<string, FailedDelivery>> {
  const rows = await latestTransactionPerLine(ctx.db, lineIds);
  return new Map(
    rows
      .filter((r) => r.status === 'failed')
      .map((r) => [
        r.line_id,
        {
          action: r.type === 'provisioning_email_resend' ? 'resend' : 'contact',
          to: r.new_email,
          reason: r.failure_reason,
        },
      ]),
  );
}
