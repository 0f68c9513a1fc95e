import type { Executor } from '../../platform/db.ts';

/** Which of these subscriptions are mapped (past the Point of No Return): they need no preview. */
export async function findMappedSubscriptionIds(db: Executor, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('subscriptions')
    .select('id')
    .where('id', 'in', ids)
    .where('mapped_at', 'is not', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}
