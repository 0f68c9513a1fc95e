import type { Insertable } from 'kysely';
import type { EventsTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

export async function insertEvents(db: Executor, rows: Insertable<EventsTable>[]): Promise<void> {
  if (rows.length === 0) return;
  await db.insertInto('events').values(rows).execute();
}
