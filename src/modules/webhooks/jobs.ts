import { z } from 'zod';
import { defineJob } from '../../platform/jobs.ts';
import { purgeBefore } from './deliveries-repository.ts';

/** Attempts are kept this long, and finished deliveries (events themselves are purged after 30 days too). */
export const HISTORY_DAYS = 30;
const PURGE_SLICE = 5000;

/** Hourly: forgets attempts and finished deliveries older than HISTORY_DAYS, a slice at a time. */
export const purgeWebhookHistory = defineJob({
  name: 'webhooks.purge-history',
  payload: z.object({}),
  policy: 'stately',
  retry: { limit: 3, delaySeconds: 10 },
  schedule: { cron: '23 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const before = new Date(ctx.clock.now().getTime() - HISTORY_DAYS * 24 * 3600_000);
    let purged = 0;
    for (;;) {
      const n = await purgeBefore(ctx.db, before, PURGE_SLICE);
      purged += n;
      if (n === 0 || job.signal.aborted) break;
    }
    if (purged) ctx.log.info({ purged }, 'webhook history purged');
  },
});
