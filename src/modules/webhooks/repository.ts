import type { Insertable, Selectable, Updateable } from 'kysely';
import type { WebhookEndpointsTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

/** Webhook endpoints: their only SQL. `organizationId` null is the vendor's. */

export type EndpointRow = Selectable<WebhookEndpointsTable>;

export async function insertEndpoint(
  db: Executor,
  row: Insertable<WebhookEndpointsTable>,
): Promise<EndpointRow> {
  return db.insertInto('webhook_endpoints').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function countEndpoints(db: Executor, organizationId: string | null): Promise<number> {
  let query = db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll<number>().as('n'));
  query =
    organizationId === null
      ? query.where('organization_id', 'is', null)
      : query.where('organization_id', '=', organizationId);
  return Number((await query.executeTakeFirstOrThrow()).n);
}

export async function listEndpoints(db: Executor, organizationId: string | null): Promise<EndpointRow[]> {
  let query = db.selectFrom('webhook_endpoints').selectAll().orderBy('created_at').orderBy('id');
  query =
    organizationId === null
      ? query.where('organization_id', 'is', null)
      : query.where('organization_id', '=', organizationId);
  return query.execute();
}

export async function findEndpoint(db: Executor, id: string): Promise<EndpointRow | undefined> {
  return db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function updateEndpoint(
  db: Executor,
  id: string,
  changes: Updateable<WebhookEndpointsTable>,
): Promise<EndpointRow | undefined> {
  return db
    .updateTable('webhook_endpoints')
    .set(changes)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteEndpoint(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhook_endpoints').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** The current secret becomes the previous one (until `previousExpiresAt`) and `sealed` the current, in one statement. */
export async function rotateSecret(
  db: Executor,
  id: string,
  sealed: string,
  previousExpiresAt: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('webhook_endpoints')
    .set((eb) => ({
      previous_secret_sealed: eb.ref('secret_sealed'),
      previous_secret_expires_at: previousExpiresAt,
      secret_sealed: sealed,
    }))
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Disables the endpoints that are still enabled, for `reason`; `failingBefore` keeps to those failing
 * since then (5 days), so a success recorded meanwhile wins. Returns those it disabled.
 */
export async function disableEndpoints(
  db: Executor,
  ids: string[],
  reason: 'gone' | 'failing',
  at: Date,
  failingBefore?: Date,
): Promise<EndpointRow[]> {
  if (ids.length === 0) return [];
  let query = db
    .updateTable('webhook_endpoints')
    .set({ enabled: false, disabled_reason: reason, disabled_at: at, updated_at: at })
    .where('id', 'in', ids)
    .where('enabled', '=', true);
  if (failingBefore) query = query.where('failing_since', '<=', failingBefore);
  return query.returningAll().execute();
}
