import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import { decodeKeyset, encodeKeyset } from '../../platform/keyset.ts';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SEARCH_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import { searchesPartOfText } from '../../platform/search-text.ts';
import { lineText } from '../../platform/text.ts';
import { mayActOnProvisioning, orderScope } from '../identity/policy.ts';
import { SUBSCRIPTION_ID, subscriptionIdOf } from './cursor.ts';
import { type FailedDelivery, failedDeliveriesOfLines } from './delivery.ts';
import { type LineActionState, lineActionState } from './line-state.ts';
import { findActionLinesOfOrders } from './repository.ts';
import { placerFrom } from './service.ts';
import * as repo from './subscriptions-repository.ts';
import { type LineFacts, lineFacts } from './timeline.ts';

export const listSubscriptionsQuerySchema = z.object({
  q: lineText().max(SEARCH_TEXT_MAX_LENGTH).optional(),
  cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
});
export type ListSubscriptionsQuery = z.infer<typeof listSubscriptionsQuerySchema>;

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
  const subscriptionId = query.q ? subscriptionIdOf(query.q) : null;
  // q is an exact subscription id (its primary key) or part of a contact email (the trigram index),
  // the latter only with three letters or digits in a row: shorter text has no trigram to look up.
  const contact = query.q && searchesPartOfText(query.q) ? query.q : undefined;
  if (query.q && !subscriptionId && !contact) return { items: [], nextCursor: null };
  const after = query.cursor ? decodeKeyset(query.cursor, SUBSCRIPTION_ID) : undefined;
  return ctx.reads.run(ctx, async (read) => {
    const rows = await repo.searchPendingSubscriptions(read.db, orderScope(read.actor), {
      ...(subscriptionId ? { subscriptionId } : {}),
      ...(contact ? { contact } : {}),
      ...(after ? { after } : {}),
      limit: query.limit + 1,
    });
    return pageOf(read, query, rows);
  });
}

async function pageOf(
  ctx: Ctx,
  query: ListSubscriptionsQuery,
  rows: Awaited<ReturnType<typeof repo.searchPendingSubscriptions>>,
): Promise<{ items: PendingSubscription[]; nextCursor: string | null }> {
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
        ? encodeKeyset({ createdAt: last.createdAtExact, id: last.subscriptionId })
        : null,
  };
}

/** A line as the actions show it (its contact, for Resend's question and the outcome notice). */
export interface ActionLine {
  id: string;
  orderId: string;
  subscriptionId: string;
  provisioningContactEmail: string;
}

/** What the Resend and Edit actions need for the orders on one page of subscriptions. */
export interface SubscriptionActions {
  /** Every line of those orders, by id (an outcome may be about a line no longer on the page). */
  lines: Map<string, ActionLine>;
  states: Map<string, LineActionState>;
  failures: Map<string, FailedDelivery>;
  adminHubUrl: string;
  /** The sender address partners allow-list (troubleshooting). */
  sender: string;
}

/**
 * Two reads whatever the size of the page (not five per order, as getOrder and lineActionStates
 * for each would cost): the lines of the page's orders with their states, then their failures.
 */
export async function subscriptionActions(ctx: Ctx, orderIds: string[]): Promise<SubscriptionActions> {
  const rows = await findActionLinesOfOrders(ctx.db, [...new Set(orderIds)], orderScope(ctx.actor));
  const lines = new Map<string, ActionLine>();
  const states = new Map<string, LineActionState>();
  for (const r of rows) {
    lines.set(r.id, {
      id: r.id,
      orderId: r.order_id,
      subscriptionId: r.subscription_id,
      provisioningContactEmail: r.provisioning_contact_email,
    });
    const order = { partnerOrgId: r.partner_org_id, placedByOrgId: r.placed_by_org_id };
    states.set(r.id, lineActionState(mayActOnProvisioning(ctx.actor, order), r.id, r, placerFrom(r)));
  }
  return {
    lines,
    states,
    failures: await failedDeliveriesOfLines(ctx, [...lines.keys()]),
    adminHubUrl: ctx.config.adminHubUrl,
    sender: ctx.config.mailFrom,
  };
}
