import type { Actor, Ctx } from './context.ts';
import { DomainError } from './errors.ts';
import { BUCKET_PURGE_AFTER_MS, countHits } from './rate-limits-repository.ts';
import { hashToken } from './secrets.ts';

/**
 * Fixed-window rate limits kept in PostgreSQL, so they hold across concurrent requests and
 * processes. A limit names its refusal `code` (a message-catalog key under `errors.`, whose detail
 * has plural forms for `{{count}}` minutes to wait and may say `{{max}}`); a refused call is a 429 with `Retry-After`.
 */
export interface RateLimit {
  /** Which limit a bucket counts (stored beside it): lowercase, e.g. `setup.organizations`. */
  name: string;
  code: string;
  max: number;
  windowSeconds: number;
}

/**
 * Whose budget an actor spends: an organization's (its users and API keys share it) or a setup
 * link's, counted per subscription: a resend ends the link and issues a new one, which must not
 * bring a fresh budget. Provisio itself is not limited.
 */
export function rateSubject(actor: Actor): string | null {
  if (actor.type === 'user' || actor.type === 'api_key') return `org:${actor.orgId}`;
  if (actor.type === 'setup_link') return `link:${actor.subscriptionId}`;
  return null;
}

/** Seconds until the window that refused a call ends: at least 1, never more than the window. */
export function retryAfterSeconds(limit: RateLimit, windowStartedAt: Date | null, now: Date): number {
  if (!windowStartedAt) return limit.windowSeconds;
  const seconds = Math.ceil((windowStartedAt.getTime() + limit.windowSeconds * 1000 - now.getTime()) / 1000);
  return Math.min(limit.windowSeconds, Math.max(1, seconds));
}

/**
 * Counts `cost` uses of `limit` by the acting subject, or refuses them all (429) when they would
 * pass its maximum in the current window. Counted on `ctx.db` as it is: call it outside the
 * transaction of the work it guards, so a refused or failed attempt still counts.
 */
export async function admitRate(ctx: Ctx, limit: RateLimit, cost = 1): Promise<void> {
  const subject = rateSubject(ctx.actor);
  if (subject === null || cost <= 0) return;
  if (limit.windowSeconds * 1000 > BUCKET_PURGE_AFTER_MS)
    throw new Error(`rate limit ${limit.name}: a window longer than its buckets are kept`);
  const now = ctx.clock.now();
  const refuse = (windowStartedAt: Date | null) => {
    const retry = retryAfterSeconds(limit, windowStartedAt, now);
    return new DomainError(limit.code, 429, {
      retryAfterSeconds: retry,
      // The messages say the wait in minutes, with their language's plural forms.
      count: Math.max(1, Math.ceil(retry / 60)),
      max: limit.max,
    });
  };
  if (cost > limit.max) throw refuse(null);
  const counted = await countHits(
    ctx.db,
    { keyHash: hashToken(`${limit.name}\n${subject}`), limitName: limit.name, max: limit.max, cost },
    now,
    new Date(now.getTime() - limit.windowSeconds * 1000),
  );
  if (!counted.admitted) throw refuse(counted.windowStartedAt);
}
