import type { Executor } from '../../platform/db.ts';

/** Each of these lines' latest provisioning transaction (resend or contact change), by its line index. */
export async function latestTransactionPerLine(db: Executor, lineIds: string[]) {
  if (lineIds.length === 0) return [];
  return db
    .selectFrom('provisioning_transactions')
    .distinctOn('line_id')
    .select(['line_id', 'status', 'failure_reason', 'new_email', 'type'])
    .where('line_id', 'in', lineIds)
    .orderBy('line_id')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}
