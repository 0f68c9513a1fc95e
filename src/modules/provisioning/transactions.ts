import type { Ctx } from '../../platform/context.ts';
import { decodeKeyset, encodeKeyset } from '../../platform/keyset.ts';
import { orderScope } from '../identity/policy.ts';
import { subscriptionIdOf } from './cursor.ts';
import * as repo from './transactions-repository.ts';
import type { ListTransactionsQuery, TransactionListItem } from './transactions-schema.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * C9, the Transaction Manager: every resend and contact change on orders the caller may see, newest
 * first. No total is counted: a count over the whole tenant would cost as much as the list.
 */
export async function listTransactions(
  ctx: Ctx,
  query: ListTransactionsQuery,
): Promise<{ items: TransactionListItem[]; nextCursor: string | null }> {
  const scope = orderScope(ctx.actor);
  const after = query.cursor ? decodeKeyset(query.cursor, UUID) : undefined;
  const subscriptionId = query.subscriptionId ? subscriptionIdOf(query.subscriptionId) : undefined;
  // Text that cannot be a whole subscription id matches none: nothing to read.
  if (subscriptionId === null) return { items: [], nextCursor: null };
  // In the tenant's share of the database, within the list time limit (docs/adr/0024).
  const rows = await ctx.reads.run(ctx, (read) =>
    repo.searchTransactions(read.db, scope, {
      ...(subscriptionId ? { subscriptionId } : {}),
      ...(query.type ? { type: query.type } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(after ? { after } : {}),
      limit: query.limit + 1,
    }),
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      type: r.type,
      subscriptionId: r.subscriptionId,
      orderId: r.orderId,
      lineId: r.lineId,
      orderReference: r.orderReference,
      oldEmail: r.oldEmail,
      newEmail: r.newEmail,
      actor: { type: r.actorType, label: r.actorLabel },
      status: r.status,
      failureReason: r.failureReason,
      createdAt: r.createdAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeKeyset({ createdAt: last.createdAtExact, id: last.id })
        : null,
  };
}
