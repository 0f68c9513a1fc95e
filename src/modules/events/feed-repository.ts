import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';
import type { OrderScope } from '../identity/policy.ts';

/** A place in the feed: the writing transaction's id, then the row's sequence number (both as text). */
export interface FeedPosition {
  xid: string;
  seq: string;
}

export interface FeedRow {
  id: string;
  type: string;
  occurred_at: Date;
  /** jsonb: every event's data is an object (recordEvents checks it against its schema). */
  data: Record<string, unknown>;
  xid: string;
  seq: string;
}

export interface FeedQuery {
  after: FeedPosition;
  /** Only these types; null for every type. */
  types: readonly string[] | null;
  /** Nothing that happened before this (the retention window). */
  since: Date;
  limit: number;
}

/**
 * The conditions every branch shares (docs/adr/0030): after the position, written by a transaction
 * that has ended (its id is below the snapshot's xmin: every transaction below it has committed or
 * aborted, and any that starts later gets a larger id), inside the window, of the types asked for.
 * The xmin is computed once per statement, so both branches of a tenant's read stop at the same place.
 */
function visible(query: FeedQuery): RawBuilder<boolean> {
  const types = query.types ? sql`and e.type = any(${[...query.types]}::text[])` : sql``;
  return sql<boolean>`(e.xid, e.seq) > (${query.after.xid}::xid8, ${query.after.seq}::bigint)
    and e.xid < (select xmin from w)
    and e.occurred_at >= ${query.since.toISOString()}::timestamptz
    ${types}`;
}

const COLUMNS = sql`e.id, e.type, e.occurred_at, e.data, e.xid, e.seq`;
/** Positions leave the database as text: an xid8 or a bigint may not fit a JavaScript number. */
const OUTPUT = sql`u.id, u.type, u.occurred_at, u.data, u.xid::text as xid, u.seq::text as seq`;
const SNAPSHOT = sql`w as materialized (select pg_snapshot_xmin(pg_current_snapshot()) as xmin)`;

/**
 * The next events in feed order for a scope. A tenant's are a union of two index walks, the orders it
 * owns and those it placed for another partner (an order it both owns and placed is read once).
 */
export async function readFeed(db: Executor, scope: OrderScope, query: FeedQuery): Promise<FeedRow[]> {
  if (scope === 'all') {
    const { rows } = await sql<FeedRow>`with ${SNAPSHOT}
      select ${OUTPUT} from (
        select ${COLUMNS} from events e
        where ${visible(query)}
        order by e.xid, e.seq
        limit ${query.limit}
      ) u
      order by u.xid, u.seq`.execute(db);
    return rows;
  }
  const { rows } = await sql<FeedRow>`with ${SNAPSHOT}
    select ${OUTPUT} from (
      (select ${COLUMNS} from events e
        where e.partner_org_id = ${scope.orgId}::uuid and ${visible(query)}
        order by e.xid, e.seq limit ${query.limit})
      union all
      (select ${COLUMNS} from events e
        where e.placed_by_org_id = ${scope.orgId}::uuid and e.placed_by_org_id <> e.partner_org_id
          and ${visible(query)}
        order by e.xid, e.seq limit ${query.limit})
    ) u
    order by u.xid, u.seq
    limit ${query.limit}`.execute(db);
  return rows;
}

/** Deletes up to `limit` events that happened before `before`; returns how many. */
export async function deleteEventsBefore(db: Executor, before: Date, limit: number): Promise<number> {
  const result = await sql`delete from events where id in (
      select id from events where occurred_at < ${before.toISOString()}::timestamptz limit ${limit})`.execute(
    db,
  );
  return Number(result.numAffectedRows ?? 0);
}
