import type { Ctx } from '../../platform/context.ts';
import { wake } from '../../platform/jobs.ts';
import { insertDeliveriesForEvents } from './deliveries-repository.ts';
import { relayWebhooks } from './relay.ts';

/**
 * Called by `recordEvents` in the events' own transaction: one delivery per event and endpoint that
 * wants it and may see it (one statement), and the relay woken in the same transaction, so both exist
 * exactly when the change that caused the events commits.
 */
export async function fanOutEvents(ctx: Ctx, eventIds: string[]): Promise<void> {
  const queued = await insertDeliveriesForEvents(ctx.db, eventIds, ctx.clock.now());
  if (queued > 0) await wakeRelay(ctx);
}

/** Wakes the relay (one waiting wake-up is enough): written through ctx.db, so inside its transaction. */
export function wakeRelay(ctx: Ctx): Promise<void> {
  return wake(ctx, relayWebhooks, {});
}
