import type { Ctx } from '../../platform/context.ts';
import { validationFailed } from '../../platform/errors.ts';
import { orderScope } from '../identity/policy.ts';
import type { LineStatus } from './lifecycle.ts';
import { findLines } from './repository.ts';
import type { ListOrdersQuery, OrderSummary } from './schema.ts';
import * as repo from './search-repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Cursors point at an order, and orders are created "now": a date outside these bounds is forged.
 * PostgreSQL cannot take some of the dates JavaScript can (year 0, -5000, +275760).
 */
const CURSOR_EARLIEST = Date.UTC(1970, 0, 1);
const CURSOR_LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const EXACT_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function encodeCursor(at: repo.OrderKeyset): string {
  return Buffer.from(JSON.stringify([at.createdAt, at.id])).toString('base64url');
}

function decodeCursor(text: string): repo.OrderKeyset {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) throw new Error('bad cursor');
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string') throw new Error('bad cursor');
    const time = new Date(createdAt).getTime();
    const plausible = EXACT_TIMESTAMP.test(createdAt) && time >= CURSOR_EARLIEST && time <= CURSOR_LATEST;
    if (!plausible || !UUID.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw validationFailed([{ field: 'cursor', rule: 'cursor' }]);
  }
}

export async function listOrders(
  ctx: Ctx,
  query: ListOrdersQuery,
): Promise<{ items: OrderSummary[]; nextCursor: string | null }> {
  if (query.startFrom && query.startTo && query.startFrom > query.startTo) {
    throw validationFailed([{ field: 'startTo', rule: 'date_range' }]);
  }
  const rows = await repo.searchOrders(ctx.db, orderScope(ctx.actor), {
    ...(query.q ? { q: query.q } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.startFrom ? { startFrom: query.startFrom } : {}),
    ...(query.startTo ? { startTo: query.startTo } : {}),
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const lines = await findLines(
    ctx.db,
    page.map((o) => o.id),
  );
  const linesOf = new Map<string, typeof lines>();
  for (const line of lines) linesOf.set(line.order_id, [...(linesOf.get(line.order_id) ?? []), line]);
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
        ? encodeCursor({ createdAt: last.created_at_exact, id: last.id })
        : null,
  };
}
