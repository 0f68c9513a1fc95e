import type { Ctx } from '../../platform/context.ts';
import { validationFailed } from '../../platform/errors.ts';
import { decodeKeyset, encodeKeyset } from '../../platform/keyset.ts';
import { orderScope, requireOperator } from '../identity/policy.ts';
import type { LineStatus } from './lifecycle.ts';
import { findLines } from './repository.ts';
import type { ListOrdersQuery, OrderSummary } from './schema.ts';
import * as repo from './search-repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type OrderPage = { items: OrderSummary[]; nextCursor: string | null };

/**
 * The orders the caller may see that the query matches, newest first. Runs in the caller's
 * tenant's share of the database, each statement within the list time limit (docs/adr/0024).
 */
export async function listOrders(ctx: Ctx, query: ListOrdersQuery): Promise<OrderPage> {
  return listPage(ctx, query, {});
}

/** What only the back office narrows by: one partner's orders, and orders older than an instant. */
export interface OperatorOrderFilters {
  partnerOrgId?: string | undefined;
  createdBefore?: Date | undefined;
}

/** Every partner's orders, for the vendor's operators (anyone else: not found), with their filters too. */
export async function listOrdersForOperator(
  ctx: Ctx,
  query: ListOrdersQuery,
  filters: OperatorOrderFilters,
): Promise<OrderPage> {
  requireOperator(ctx.actor);
  return listPage(ctx, query, filters);
}

async function listPage(ctx: Ctx, query: ListOrdersQuery, filters: OperatorOrderFilters): Promise<OrderPage> {
  if (query.startFrom && query.startTo && query.startFrom > query.startTo) {
    throw validationFailed([{ field: 'startTo', rule: 'date_range' }]);
  }
  const after = query.cursor ? decodeKeyset(query.cursor, UUID) : undefined;
  return ctx.reads.run(ctx, (read) => readPage(read, query, after, filters));
}

async function readPage(
  ctx: Ctx,
  query: ListOrdersQuery,
  after: ReturnType<typeof decodeKeyset> | undefined,
  filters: OperatorOrderFilters,
): Promise<OrderPage> {
  const rows = await repo.searchOrders(ctx.db, orderScope(ctx.actor), {
    ...(filters.partnerOrgId ? { partnerOrgId: filters.partnerOrgId } : {}),
    ...(filters.createdBefore ? { createdBefore: filters.createdBefore } : {}),
    ...(query.q ? { q: query.q } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.startFrom ? { startFrom: query.startFrom } : {}),
    ...(query.startTo ? { startTo: query.startTo } : {}),
    ...(after ? { after } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const lines = await findLines(
    ctx.db,
    page.map((o) => o.id),
  );
  const linesOf = new Map<string, typeof lines>();
  for (const line of lines) {
    const own = linesOf.get(line.order_id);
    if (own) own.push(line);
    else linesOf.set(line.order_id, [line]);
  }
  const items = page.map((order): OrderSummary => {
    const own = linesOf.get(order.id) ?? [];
    return {
      id: order.id,
      orderNumber: order.order_number,
      reference: order.reference,
      endCustomer: { name: order.end_customer_name },
      createdAt: order.created_at.toISOString(),
      lineCount: own.length,
      statuses: [...new Set(own.map((l) => l.status as LineStatus))],
      firstStartDate: own.map((l) => l.requested_start_date).sort()[0] ?? '',
      contactEmails: [...new Set(own.map((l) => l.provisioning_contact_email))],
    };
  });
  const last = page[page.length - 1];
  return {
    items,
    nextCursor:
      rows.length > query.limit && last
        ? encodeKeyset({ createdAt: last.created_at_exact, id: last.id })
        : null,
  };
}
