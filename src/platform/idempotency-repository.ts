import type { Executor } from './db.ts';

/**
 * Claims (organization, key) for a resource inside the caller's transaction. On PostgreSQL a
 * concurrent claim of the same key waits for this transaction and then finds the row: exactly one
 * request does the work. Returns false when the key was already claimed.
 */
export async function claimIdempotencyKey(
  db: Executor,
  row: {
    organization_id: string;
    key: string;
    operation: string;
    request_hash: string;
    resource_id: string;
    created_at: Date;
  },
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
    .select(['operation', 'request_hash', 'resource_id'])
    .where('organization_id', '=', organizationId)
    .where('key', '=', key)
    .executeTakeFirst();
}
