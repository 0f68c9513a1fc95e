import type { Insertable } from 'kysely';
import type { AuditEventsTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import type { AuditRecord } from './service.ts';

export async function insertAuditEvents(db: Executor, rows: Insertable<AuditEventsTable>[]): Promise<void> {
  await db.insertInto('audit_events').values(rows).execute();
}

export async function listAuditEvents(
  db: Executor,
  entityType: string,
  entityIds: string[],
): Promise<AuditRecord[]> {
  if (entityIds.length === 0) return [];
  const rows = await db
    .selectFrom('audit_events')
    .select(['occurred_at', 'actor_type', 'actor_id', 'action', 'entity_type', 'entity_id', 'payload'])
    .where('entity_type', '=', entityType)
    .where('entity_id', 'in', entityIds)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    occurredAt: r.occurred_at,
    actor: `${r.actor_type}:${r.actor_id ?? ''}`,
    action: r.action,
    entityType: r.entity_type,
    entityId: r.entity_id,
    payload: r.payload,
  }));
}
