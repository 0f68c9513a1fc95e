import { z } from 'zod';
import { defineJob } from '../../platform/jobs.ts';
import { deleteEventsBefore } from './feed-repository.ts';

/** How long events are kept, and how far back the feed reaches. */
export const EVENT_RETENTION_DAYS = 30;

/** Rows per DELETE: a month's backlog is many short statements, none holding the table long. */
const PURGE_BATCH = 5000;

/** The oldest moment still kept at `now`. */
export function retainedSince(now: Date): Date {
  return new Date(now.getTime() - EVENT_RETENTION_DAYS * 24 * 60 * 60 * 1000);
}

/**
 * Deletes events older than EVENT_RETENTION_DAYS, a batch at a time, until none is left or the slice
 * is over (then the next hourly run goes on). Returns how many it deleted.
 */
export async function purgeOldEvents(
  db: Parameters<typeof deleteEventsBefore>[0],
  now: Date,
  signal?: AbortSignal,
): Promise<number> {
  const before = retainedSince(now);
  let deleted = 0;
  while (!signal?.aborted) {
    const batch = await deleteEventsBefore(db, before, PURGE_BATCH);
    deleted += batch;
    if (batch < PURGE_BATCH) break;
  }
  return deleted;
}

/** Hourly, and on demand: `npx provisio job send events.purge`. */
export const purgeEventsJob = defineJob({
  name: 'events.purge',
  payload: z.object({}),
  policy: 'stately',
  retry: { limit: 3 },
  schedule: { cron: '17 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const deleted = await purgeOldEvents(ctx.db, ctx.clock.now(), job.signal);
    if (deleted) ctx.log.info({ deleted }, 'events older than the retention window purged');
  },
});
