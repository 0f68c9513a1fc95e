import type { Insertable } from 'kysely';
import type { AuditEventsTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

export async function insertAuditEvents(db: Executor, rows: Insertable<AuditEventsTable>[]): Promise<void> {
  await db.insertInto('audit_events').values(rows).execute();
}
