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
import { decodeKeyset, encodeKeyset } from './cursor.ts';
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
