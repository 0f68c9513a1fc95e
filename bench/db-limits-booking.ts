import { randomUUID } from 'node:crypto';
import { type Agent, request as httpRequest } from 'node:http';
import { addDays, isoDate } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db.ts';
import type { Runtime } from '../src/platform/runtime.ts';
import type { RunningWeb } from '../src/server.ts';

/**
 * How bench/db-limits.ts books orders: through the HTTP API (as bench/intake.ts's client: node:http on
 * kept-alive sockets, bodies built before the clock starts) and, as the baseline, the same order rows in
 * plain SQL, one transaction of four inserts per order.
 */

const OFFERS = ['A-WX', 'A-SPK', 'A-FLEX'] as const;
export const LINES = 3;

export interface App {
  rt: Runtime;
  web: RunningWeb;
  agent: Agent;
  url: URL;
}

export async function runConcurrently(count: number, concurrency: number, job: (i: number) => Promise<void>) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      await job(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return performance.now() - started;
}

function orderBody(reference: string, i: number, startDate: string) {
  return {
    reference,
    endCustomer: { name: `Customer ${i % 97}`, country: 'IT' },
    lines: Array.from({ length: LINES }, (_, j) => ({
      offer: OFFERS[(i + j) % OFFERS.length] ?? 'A-WX',
      quantity: 1 + ((i * 7 + j * 13) % 250),
      requestedStartDate: startDate,
      provisioningContactEmail: `it-${i}-${j}@customer${i % 97}.example`,
    })),
  };
}

function post(app: App, key: string, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const headers = {
      Authorization: `Bearer ${key}`,
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(body)),
      'Idempotency-Key': randomUUID(),
    };
    const req = httpRequest(app.url, { method: 'POST', agent: app.agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 201
          ? resolve()
          : reject(
              new Error(`POST answered ${res.statusCode}: ${Buffer.concat(chunks).toString().slice(0, 300)}`),
            ),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Books `count` orders through the API; orders per second. */
export async function bookApi(
  app: App,
  key: string,
  prefix: string,
  count: number,
  concurrency: number,
  startDate: string,
) {
  const bodies = Array.from({ length: count }, (_, i) =>
    JSON.stringify(orderBody(`${prefix}-${i}`, i, startDate)),
  );
  const ms = await runConcurrently(count, concurrency, (i) => post(app, key, bodies[i] ?? ''));
  return (count * 1000) / ms;
}

/** The same order rows in plain SQL, one transaction of four inserts per order (as bench:intake's baseline). */
export async function bookBaseline(
  db: Db,
  tenant: { orgId: string; keyId: string; servicesOf: Map<string, string[]> },
  prefix: string,
  count: number,
  concurrency: number,
) {
  const { orgId, keyId, servicesOf } = tenant;
  const startDate = addDays(isoDate(new Date()), 5);
  const ms = await runConcurrently(count, concurrency, async (i) => {
    const b = orderBody(`${prefix}-${i}`, i, startDate);
    await db.transaction().execute(async (tx) => {
      const now = new Date();
      const order = await tx
        .insertInto('orders')
        .values({
          reference: b.reference,
          partner_org_id: orgId,
          placed_by_org_id: orgId,
          placed_by_api_key_id: keyId,
          end_customer_name: b.endCustomer.name,
          end_customer_country: 'IT',
          locale: 'en',
          created_at: now,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const lines = await tx
        .insertInto('order_lines')
        .values(
          b.lines.map((l, n) => ({
            order_id: order.id,
            line_number: n + 1,
            offer_code: l.offer,
            quantity: l.quantity,
            requested_start_date: l.requestedStartDate,
            provisioning_contact_email: l.provisioningContactEmail,
            status: 'scheduled',
            status_changed_at: now,
            created_at: now,
            partner_org_id: orgId,
            placed_by_org_id: orgId,
            order_created_at: now,
          })),
        )
        .returning(['id', 'offer_code', 'quantity'])
        .execute();
      await tx
        .insertInto('order_line_services')
        .values(
          lines.flatMap((l) =>
            (servicesOf.get(l.offer_code) ?? []).map((code) => ({
              line_id: l.id,
              service_code: code,
              quantity: l.quantity,
            })),
          ),
        )
        .execute();
      await tx
        .insertInto('subscriptions')
        .values(
          lines.map((l) => ({
            line_id: l.id,
            created_at: now,
            order_partner_org_id: orgId,
            order_placed_by_org_id: orgId,
          })),
        )
        .execute();
    });
  });
  return (count * 1000) / ms;
}
