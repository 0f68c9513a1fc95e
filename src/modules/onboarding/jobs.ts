import { z } from 'zod';
import { defineJob } from '../../platform/jobs.ts';
import { expireUnansweredJoinRequests } from './consent-expiry.ts';

/** Requests to an organization's admins left unanswered past JOIN_REQUEST_EXPIRY_DAYS expire (ADR 0022). */
export const expireJoinRequestsJob = defineJob({
  name: 'setup.expire-join-requests',
  payload: z.object({}),
  policy: 'stately',
  schedule: { cron: '*/15 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const expired = await expireUnansweredJoinRequests(ctx, job.signal);
    if (expired) ctx.log.info({ expired }, 'unanswered join requests expired');
  },
});
