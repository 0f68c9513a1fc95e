import type { Executor } from '../../platform/db.ts';

/** Each line's latest provisioning transaction (resend or contact change) of one order. */
export async function latestTransactionPerLine(db: Executor, orderId: string) {
  return db
    .selectFrom('provisioning_transactions')
    .distinctOn('line_id')
    .select(['line_id', 'status', 'failure_reason', 'new_email', 'type'])
    .where('order_id', '=', orderId)
    .orderBy('line_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
