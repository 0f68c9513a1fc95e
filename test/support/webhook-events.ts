import assert from 'node:assert/strict';
import { event, type NewEvent, recordEvents } from '../../src/modules/events/record.ts';
import { inTransaction } from '../../src/platform/context.ts';
import { type Harness, orderBody, type Tenant } from './harness.ts';

/** Orders booked through the API, and events about their lines recorded as the modules record them. */

export interface BookedOrder {
  orderId: string;
  orderNumber: string;
  partnerOrgId: string;
  lines: { id: string; lineNumber: number; subscriptionId: string }[];
}

export async function bookOrder(h: Harness, tenant: Tenant, lineCount = 1): Promise<BookedOrder> {
  const line = (i: number) => ({
    offer: 'A-WX',
    quantity: 10 + i,
    requestedStartDate: '2026-12-01',
    provisioningContactEmail: `it${i}@acme.example`,
  });
  const res = await h.api(
    tenant,
    'POST',
    '/api/v1/orders',
    orderBody({ lines: Array.from({ length: lineCount }, (_, i) => line(i)) }),
  );
  assert.equal(res.status, 201, await res.clone().text());
  const order = (await res.json()) as {
    id: string;
    orderNumber: string;
    lines: { id: string; lineNumber: number; subscriptionId: string }[];
  };
  return {
    orderId: order.id,
    orderNumber: order.orderNumber,
    partnerOrgId: tenant.orgId,
    lines: order.lines,
  };
}

/** `line.escalated` for a line: a real event type with small data, about one subscription. */
export function escalated(order: BookedOrder, lineIndex = 0): NewEvent {
  const line = order.lines[lineIndex];
  assert.ok(line);
  return event(
    'line.escalated',
    {
      orderId: order.orderId,
      orderNumber: order.orderNumber,
      lineId: line.id,
      lineNumber: line.lineNumber,
      subscriptionId: line.subscriptionId,
      requestedStartDate: '2026-12-01',
    },
    { partnerOrgId: order.partnerOrgId, placedByOrgId: order.partnerOrgId },
    { subscriptionId: line.subscriptionId, orderId: order.orderId },
  );
}

/** Records events in one transaction, as a transition would; answers their ids in order. */
export async function record(h: Harness, events: NewEvent[]): Promise<string[]> {
  return inTransaction(h.ctx, async (tx) => {
    await recordEvents(tx, events);
    const rows = await tx.db
      .selectFrom('events')
      .select('id')
      .orderBy('seq', 'desc')
      .limit(events.length)
      .execute();
    return rows.map((r) => r.id).reverse();
  });
}
