import type { TxCtx } from '../../platform/context.ts';
import type { BookedSubscription } from './effects.ts';
import { BOOKED } from './lifecycle.ts';

/**
 * Subscriptions began: an order was booked, its lines' subscriptions written in `scheduled`. Runs
 * the effects `BOOKED` names (e.g. waking the start-date dispatch), in the order's transaction, so
 * what booking queues exists exactly when the order does, whoever booked it.
 */
export async function subscriptionsBooked(tx: TxCtx, booked: readonly BookedSubscription[]): Promise<void> {
  if (booked.length === 0) return;
  for (const name of BOOKED.effects) {
    const effect = tx.transitionEffects[name];
    if (!effect) throw new Error(`no module contributes the booking effect ${name}`);
    await effect(tx, booked);
  }
}
