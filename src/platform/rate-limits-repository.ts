import { sql } from 'kysely';
import type { Executor } from './db.ts';

/** Buckets older than this are nobody's window any more (every limit's window is shorter). */
export const BUCKET_PURGE_AFTER_MS = 24 * 3_600_000;
/** Stale buckets removed by each counting statement: more than the one it can create. */
const PURGE_BATCH = 20;
/**
 * How far a bucket's window may start after a request's clock reading before it counts as "the clock
 * was moved back": concurrent requests read the clock before they reach the row, in any order, and
 * processes' clocks differ a little. Within it the window stands, so no count is lost.
 */
const CLOCK_SKEW_MS = 60_000;

export interface BucketCount {
  keyHash: string;
  limitName: string;
  max: number;
  cost: number;
}

/**
 * Counts `cost` hits in one bucket, in one statement: a new bucket, or a bucket whose window has
 * passed (or lies more than CLOCK_SKEW_MS in the future: the clock was moved back), starts again at `cost`; a bucket in its
 * window is counted only while the total stays within `max`. Concurrent hits on a bucket queue on its
 * row, so no more than `max` ever pass, in any number of processes. Returns whether the hits were
 * counted and when the bucket's current window started.
 */
export async function countHits(
  db: Executor,
  b: BucketCount,
  now: Date,
  windowStart: Date,
): Promise<{ admitted: boolean; windowStartedAt: Date | null }> {
  const purgeBefore = new Date(now.getTime() - BUCKET_PURGE_AFTER_MS);
  const movedBack = new Date(now.getTime() + CLOCK_SKEW_MS);
  const { rows } = await sql<{ admitted: number; window_started_at: Date | null }>`
    with purged as (
      delete from rate_limit_buckets
      where key_hash in (
        select key_hash from rate_limit_buckets
        where window_started_at <= ${purgeBefore}::timestamptz and key_hash <> ${b.keyHash}::text
        order by window_started_at
        limit ${PURGE_BATCH}::int
        for update skip locked
      )
    ), counted as (
      insert into rate_limit_buckets as r (key_hash, limit_name, window_started_at, hits)
      values (${b.keyHash}::text, ${b.limitName}::text, ${now}::timestamptz, ${b.cost}::int)
      on conflict (key_hash) do update set
        window_started_at = case
          when r.window_started_at <= ${windowStart}::timestamptz or r.window_started_at > ${movedBack}::timestamptz
          then excluded.window_started_at else r.window_started_at end,
        hits = case
          when r.window_started_at <= ${windowStart}::timestamptz or r.window_started_at > ${movedBack}::timestamptz
          then excluded.hits else r.hits + excluded.hits end
      where r.window_started_at <= ${windowStart}::timestamptz
        or r.window_started_at > ${movedBack}::timestamptz
        or r.hits + excluded.hits <= ${b.max}::int
      returning r.window_started_at
    )
    select (select count(*) from counted)::int as admitted,
      coalesce(
        (select window_started_at from counted),
        (select window_started_at from rate_limit_buckets where key_hash = ${b.keyHash}::text)
      ) as window_started_at`.execute(db);
  const row = rows[0];
  return { admitted: (row?.admitted ?? 0) > 0, windowStartedAt: row?.window_started_at ?? null };
}
