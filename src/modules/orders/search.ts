import type { Ctx } from '../../platform/context.ts';
import { validationFailed } from '../../platform/errors.ts';
import { orderScope } from '../identity/policy.ts';
import type { LineStatus } from './lifecycle.ts';
import { findLines } from './repository.ts';
import type { ListOrdersQuery, OrderSummary } from './schema.ts';
import * as repo from './search-repository.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Cursor {
  createdAt: Date;
  id: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.createdAt.toISOString(), c.id])).toString('base64url');
}

/**
 * Cursors point at an order, and orders are created "now": a date outside these bounds is forged.
 * PostgreSQL cannot take some of the dates JavaScript can (year 0, -5000, +275760).
 */
const CURSOR_EARLIEST = Date.UTC(1970, 0, 1);
const CURSOR_LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function decodeCursor(text: string): Cursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [string, string];
    const at = new Date(createdAt);
    const time = at.getTime();
    if (!(time >= CURSOR_EARLIEST && time <= CURSOR_LATEST) || !UUID.test(id)) throw new Error('bad cursor');
    return { createdAt: at, id };
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
  const items = page.map((order): OrderSummary => {
    const own = lines.filter((l) => l.order_id === order.id);
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
      rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}
