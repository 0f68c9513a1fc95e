import { z } from 'zod';
import { defineJob } from '../../platform/jobs.ts';
import { deleteExpiredSessionsBefore } from './repository.ts';

/**
 * Removes every session that has ended, by the runtime's clock (signing in clears only that user's
 * own). Hourly, and on demand: `npx provisio job send identity.purge-expired-sessions`.
 */
export const purgeExpiredSessions = defineJob({
  name: 'identity.purge-expired-sessions',
  payload: z.object({}),
  retry: { limit: 3 },
  schedule: { cron: '0 * * * *', payload: {} },
  async handler(ctx) {
    const deleted = await deleteExpiredSessionsBefore(ctx.db, ctx.clock.now());
    ctx.log.info({ deleted }, 'expired sessions purged');
  },
});
