import { type Ctx, inTransaction } from '../../platform/context.ts';
import type { BookedSubscription, BookingEffect, BookingLine } from './effects.ts';
import { BOOKED } from './lifecycle.ts';

/**
 * Books an order's subscriptions (`book`: the intake's one statement) with the effects `BOOKED` names
 * that apply to it (e.g. waking the start-date dispatch for a line that may start today), in one
 * transaction, so what booking queues exists exactly when the order does, whoever booked it. An order
 * no effect applies to is booked without a transaction, in its one round trip.
 */
export async function bookSubscriptions<O>(
  ctx: Ctx,
  lines: readonly BookingLine[],
  book: (ctx: Ctx) => Promise<{ outcome: O; booked: readonly BookedSubscription[] }>,
): Promise<O> {
  const now = ctx.clock.now();
  const applying: BookingEffect[] = [];
  for (const name of BOOKED.effects) {
    const effect = ctx.transitionEffects[name];
    if (!effect) throw new Error(`no module contributes the booking effect ${name}`);
    if (effect.appliesTo(lines, now)) applying.push(effect);
  }
  if (applying.length === 0) return (await book(ctx)).outcome;
  return inTransaction(ctx, async (tx) => {
    const { outcome, booked } = await book(tx);
    if (booked.length) for (const effect of applying) await effect.run(tx, booked);
    return outcome;
  });
}
