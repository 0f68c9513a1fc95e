import type { Executor } from './db.ts';

/**
 * Claims (organization, key) inside the caller's transaction. On PostgreSQL a concurrent claim of the
 * same key waits for this transaction and then finds the row: exactly one request does the work.
 */
export async function claimIdempotencyKey(
  db: Executor,
  row: { organization_id: string; key: string; operation: string; request_hash: string; created_at: Date },
): Promise<boolean> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values(row)
    .onConflict((oc) => oc.columns(['organization_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function findIdempotencyKey(db: Executor, organizationId: string, key: string) {
  return db
    .selectFrom('idempotency_keys')
    .select(['operation', 'request_hash', 'response_status', 'response_body'])
    .where('organization_id', '=', organizationId)
    .where('key', '=', key)
    .executeTakeFirst();
}

export async function saveIdempotentResponse(
  db: Executor,
  organizationId: string,
  key: string,
  status: number,
  body: unknown,
) {
  await db
    .updateTable('idempotency_keys')
    .set({ response_status: status, response_body: JSON.stringify(body) })
    .where('organization_id', '=', organizationId)
    .where('key', '=', key)
    .execute();
}
