import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SEARCH_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import { lineText } from '../../platform/text.ts';
import { orderScope } from '../identity/policy.ts';
import type { OrderView } from '../orders/schema.ts';
import { getOrder } from '../orders/service.ts';
import { decodeKeyset, encodeKeyset } from './cursor.ts';
import { type FailedDelivery, failedDeliveries } from './delivery.ts';
import { type LineActionState, lineActionStates } from './service.ts';
import * as repo from './subscriptions-repository.ts';
import { type LineFacts, lineFacts } from './timeline.ts';

export const listSubscriptionsQuerySchema = z.object({
  q: lineText().max(SEARCH_TEXT_MAX_LENGTH).optional(),
  cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
});
export type ListSubscriptionsQuery = z.infer<typeof listSubscriptionsQuerySchema>;

const SUBSCRIPTION_ID = /^[A-Z]+-\d+$/;

export type PendingSubscription = Awaited<ReturnType<typeof repo.searchPendingSubscriptions>>[number] & {
  facts: LineFacts | undefined;
};

/**
 * C8, the Cloud/SaaS Subscriptions page: the caller's subscriptions whose provisioning is pending
 * (not mapped yet), closed lines included, where resend and edit stay possible until mapping.
 */
export async function listPendingSubscriptions(
  ctx: Ctx,
  query: ListSubscriptionsQuery,
): Promise<{ items: PendingSubscription[]; nextCursor: string | null }> {
  const rows = await repo.searchPendingSubscriptions(ctx.db, orderScope(ctx.actor), {
    ...(query.q ? { q: query.q } : {}),
    ...(query.cursor ? { after: decodeKeyset(query.cursor, SUBSCRIPTION_ID) } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const facts = await lineFacts(
    ctx,
    page.map((r) => r.lineId),
  );
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({ ...r, facts: facts.get(r.lineId) })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeKeyset({ createdAt: last.createdAt, id: last.subscriptionId })
        : null,
  };
}

/** What the Resend and Edit actions need for the orders on one page of subscriptions. */
export interface SubscriptionActions {
  orders: Map<string, OrderView>;
  states: Map<string, LineActionState>;
  failures: Map<string, FailedDelivery>;
  adminHubUrl: string;
  /** The sender address partners allow-list (troubleshooting). */
  sender: string;
}

export async function subscriptionActions(ctx: Ctx, orderIds: string[]): Promise<SubscriptionActions> {
  const actions: SubscriptionActions = {
    orders: new Map(),
    states: new Map(),
    failures: new Map(),
    adminHubUrl: ctx.config.adminHubUrl,
    sender: ctx.config.mailFrom,
  };
  for (const orderId of new Set(orderIds)) {
    const order = await getOrder(ctx, orderId);
    actions.orders.set(orderId, order);
    for (const state of await lineActionStates(ctx, order)) actions.states.set(state.lineId, state);
    for (const [lineId, failure] of await failedDeliveries(ctx, order)) actions.failures.set(lineId, failure);
  }
  return actions;
}
