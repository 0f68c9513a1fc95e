import type { Ctx } from '../../platform/context.ts';
import { mayActOnProvisioning } from '../identity/policy.ts';
import type { OrderView } from '../orders/schema.ts';
import * as repo from './repository.ts';
import { type Placer, placerOf } from './service.ts';

/** What the order page may offer on each line of an order the caller can see. */
export interface LineActionState {
  lineId: string;
  mayAct: boolean;
  blocked: null | 'no_edit_rights' | 'point_of_no_return';
  resendAvailable: boolean /* false before the first email */;
  /** A line booked for a later day, its email not sent: the partner may start it today. */
  startNowAvailable: boolean;
  placer: { name: string; email: string | null };
}

/** A line's state from what decides it: the caller's rights on the order, and the line's progress. */
export function lineActionState(
  rights: boolean,
  lineId: string,
  progress:
    | {
        first_email_sent_at: Date | null;
        mapped_at: Date | null;
        /** Known where the page reads it (the order page); otherwise Start now is not offered. */
        status?: string;
        starts_later?: boolean;
      }
    | undefined,
  placer: Placer,
): LineActionState {
  const blocked = !rights ? 'no_edit_rights' : progress?.mapped_at ? 'point_of_no_return' : null;
  return {
    lineId,
    mayAct: blocked === null,
    blocked,
    resendAvailable: blocked === null && !!progress?.first_email_sent_at,
    startNowAvailable:
      blocked === null &&
      !progress?.first_email_sent_at &&
      progress?.status === 'scheduled' &&
      progress.starts_later === true,
    placer,
  };
}

export async function lineActionStates(ctx: Ctx, order: OrderView): Promise<LineActionState[]> {
  const rights = mayActOnProvisioning(ctx.actor, order);
  const progress = new Map(
    (await repo.findLineProgress(ctx.db, order.id, ctx.clock.now())).map((p) => [p.id, p]),
  );
  const placer = await placerOf(ctx, order.id);
  return order.lines.map((line) => lineActionState(rights, line.id, progress.get(line.id), placer));
}
