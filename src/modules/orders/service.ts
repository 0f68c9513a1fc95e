import { createHash, randomUUID } from 'node:crypto';
import { addDays, isoDate } from '../../platform/clock.ts';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db.ts';
import { normalizeEmail } from '../../platform/email.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { SERVICE_CODES, type ServiceCode } from '../catalog/schema.ts';
import { offerNames, offersByCode } from '../catalog/service.ts';
import { event, eventActor, type NewEvent, recordEvents } from '../events/record.ts';
import { type OrderingActor, orderScope, requireOrderingActor } from '../identity/policy.ts';
import { isResellerOf } from '../identity/service.ts';
import { bookSubscriptions } from '../subscriptions/booked.ts';
import type { BookingLine } from '../subscriptions/effects.ts';
import { INITIAL_LINE_STATUS, type LineStatus } from './lifecycle.ts';
import * as repo from './repository.ts';
import type { CreateOrderInput, OrderLineView, OrderView } from './schema.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** How far ahead a Requested Start Date may be. */
const MAX_START_DAYS_AHEAD = 365;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface CreateOrderResult {
  order: OrderView;
  /** True when an earlier request with the same Idempotency-Key already created this order. */
  replayed: boolean;
}

/**
 * Books an order: every line gets its subscription and waits for its Requested Start Date. The
 * whole order is refused when any line is wrong. With an idempotency key, a retry of the same
 * request returns the first result and a different request under the same key is refused.
 */
export async function createOrder(
  ctx: Ctx,
  input: CreateOrderInput,
  idempotencyKey?: string,
): Promise<CreateOrderResult> {
  const actor = requireOrderingActor(ctx.actor);
  const requestHash = createHash('sha256').update(canonicalJson(input)).digest('hex');
  const earlierResult = () =>
    idempotencyKey === undefined ? undefined : replayOf(ctx, actor.orgId, idempotencyKey, requestHash);

  let booking: Omit<repo.NewOrderGraph, 'idempotency'>;
  try {
    booking = await prepareBooking(ctx, actor, input);
  } catch (error) {
    // A retry of a booked order may arrive after its start date has passed: answer it, don't re-validate it.
    const earlier = error instanceof DomainError ? await earlierResult() : undefined;
    if (earlier) return earlier;
    throw error;
  }
  let outcome: repo.BookingOutcome;
  try {
    // One transaction: the order, its `order.created` event and what booking queues (the start-date dispatch).
    outcome = await inTransaction(ctx, (tx) =>
      bookSubscriptions<repo.BookingOutcome>(tx, bookingLines(booking), async (c) => {
        const booked = await repo.bookOrderGraph(c.db, {
          ...booking,
          ...(idempotencyKey === undefined ? {} : { idempotency: { key: idempotencyKey, requestHash } }),
        });
        if (!booked.booked) return { outcome: booked, booked: [] };
        await recordEvents(c, [orderCreatedEvent(c, booking, booked)]);
        const subscriptions = bookingLines(booking).map((line) => ({
          ...line,
          subscriptionId: booked.subscriptionOf.get(line.lineId) ?? '',
        }));
        return { outcome: booked, booked: subscriptions };
      }),
    );
  } catch (error) {
    if (isUniqueViolation(error, 'orders_reference_unique_per_placer')) {
      throw new DomainError('order_reference_taken', 409, { reference: input.reference }, [
        { field: 'reference', rule: 'reference_taken' },
      ]);
    }
    throw error;
  }
  if (!outcome.booked) {
    const earlier = await earlierResult();
    if (!earlier) throw new Error('idempotency key was claimed but its row is gone');
    return earlier;
  }
  // Counted once booked (inside a caller's transaction, once that caller's booking went through).
  ctx.metrics.ordersBooked.inc();
  const { order, lines, services, status } = booking;
  const names = await offerNames(ctx);
  const view = toOrderView(
    { ...order, order_number: outcome.orderNumber },
    lines.map((line) => ({
      ...line,
      order_id: order.id,
      status,
      status_changed_at: order.created_at,
      created_at: order.created_at,
      version: 1,
      first_email_sent_at: null,
      link_opened_at: null,
      escalated_at: null,
      partner_org_id: order.partner_org_id,
      placed_by_org_id: order.placed_by_org_id,
      order_created_at: order.created_at,
      placed_for_other: order.placed_by_org_id !== order.partner_org_id,
      subscription_id: outcome.subscriptionOf.get(line.id) ?? '',
      subscription_stage: 'scheduled',
      billing_started_at: null,
      billing_start_reason: null,
    })),
    services,
    names,
  );
  return { order: view, replayed: false };
}

/** What integrators hear of a booking: the order, who placed it, and each line's subscription. */
function orderCreatedEvent(
  ctx: Ctx,
  booking: Omit<repo.NewOrderGraph, 'idempotency'>,
  booked: Extract<repo.BookingOutcome, { booked: true }>,
): NewEvent {
  const { order, lines } = booking;
  return event(
    'order.created',
    {
      orderId: order.id,
      orderNumber: booked.orderNumber,
      reference: order.reference,
      partnerOrgId: order.partner_org_id,
      placedByOrgId: order.placed_by_org_id,
      lines: lines.map((line) => ({
        lineId: line.id,
        lineNumber: line.line_number,
        subscriptionId: booked.subscriptionOf.get(line.id) ?? '',
        offerCode: line.offer_code,
        quantity: line.quantity,
        requestedStartDate: line.requested_start_date,
      })),
      actor: eventActor(ctx.actor),
    },
    { partnerOrgId: order.partner_org_id, placedByOrgId: order.placed_by_org_id },
    { orderId: order.id },
  );
}

/** The lines as the booking effects see them (subscriptions/effects.ts). */
function bookingLines(booking: Omit<repo.NewOrderGraph, 'idempotency'>): BookingLine[] {
  return booking.lines.map((line) => ({
    lineId: line.id,
    orderId: booking.order.id,
    partnerOrgId: booking.order.partner_org_id,
    placedByOrgId: booking.order.placed_by_org_id,
    requestedStartDate: line.requested_start_date,
  }));
}

/** The order an earlier request with this key booked; refuses the key when that request differed. */
async function replayOf(
  ctx: Ctx,
  orgId: string,
  key: string,
  requestHash: string,
): Promise<CreateOrderResult | undefined> {
  const earlier = await repo.findIdempotencyKey(ctx.db, orgId, key);
  if (!earlier) return undefined;
  if (earlier.operation !== 'createOrder' || earlier.request_hash !== requestHash) {
    throw new DomainError('idempotency_key_reused', 422);
  }
  return { order: await getOrder(ctx, earlier.resource_id), replayed: true };
}

/** Validates what the schema cannot (offers, dates, reseller) and lays out the rows to write. */
async function prepareBooking(
  ctx: Ctx,
  actor: OrderingActor,
  input: CreateOrderInput,
): Promise<Omit<repo.NewOrderGraph, 'idempotency'>> {
  const offers = await offersByCode(
    ctx,
    input.lines.map((l) => l.offer),
  );
  const today = isoDate(ctx.clock.now());
  const latest = addDays(today, MAX_START_DAYS_AHEAD);
  const fields: FieldError[] = [];
  input.lines.forEach((line, i) => {
    if (!offers.has(line.offer))
      fields.push({ field: `lines[${i}].offer`, rule: 'unknown_offer', params: { value: line.offer } });
    if (line.requestedStartDate < today) {
      fields.push({
        field: `lines[${i}].requestedStartDate`,
        rule: 'date_not_before',
        params: { date: today },
      });
    } else if (line.requestedStartDate > latest) {
      fields.push({
        field: `lines[${i}].requestedStartDate`,
        rule: 'date_not_after',
        params: { date: latest },
      });
    }
  });
  let partnerOrgId = actor.orgId;
  if (input.resellerOrgId && input.resellerOrgId !== actor.orgId) {
    const allowed =
      actor.orgKind === 'distributor' && (await isResellerOf(ctx, actor.orgId, input.resellerOrgId));
    if (allowed) partnerOrgId = input.resellerOrgId;
    else fields.push({ field: 'resellerOrgId', rule: 'not_your_reseller' });
  }
  if (fields.length) throw validationFailed(fields);

  const lines = input.lines.map((line, i) => ({
    id: randomUUID(),
    line_number: i + 1,
    offer_code: line.offer,
    quantity: line.quantity,
    requested_start_date: line.requestedStartDate,
    provisioning_contact_email: normalizeEmail(line.provisioningContactEmail),
  }));
  return {
    // Who placed the order and when is recorded on the order itself, immutably.
    order: {
      id: randomUUID(),
      reference: input.reference,
      partner_org_id: partnerOrgId,
      placed_by_org_id: actor.orgId,
      placed_by_user_id: actor.type === 'user' ? actor.userId : null,
      placed_by_api_key_id: actor.type === 'api_key' ? actor.apiKeyId : null,
      end_customer_name: input.endCustomer.name,
      end_customer_country: input.endCustomer.country ?? null,
      locale: input.locale ?? ctx.locale,
      created_at: ctx.clock.now(),
    },
    lines,
    services: lines.flatMap((line) =>
      (offers.get(line.offer_code)?.services ?? []).map((code) => ({
        line_id: line.id,
        service_code: code,
        quantity: line.quantity,
      })),
    ),
    status: INITIAL_LINE_STATUS,
  };
}

type OrderRow = Omit<NonNullable<Awaited<ReturnType<typeof repo.findOrder>>>, 'placed_for_other'>;
type LineRow = Awaited<ReturnType<typeof repo.findLines>>[number];
type ServiceRow = { line_id: string; service_code: string; quantity: number };

/** Services are shown in catalogue order (Meetings, Calling, Messaging), not alphabetically. */
function serviceRank(code: string): number {
  return SERVICE_CODES.indexOf(code as ServiceCode);
}

function toLineView(
  line: LineRow,
  services: ServiceRow[],
  names: ReadonlyMap<string, string>,
): OrderLineView {
  return {
    id: line.id,
    orderId: line.order_id,
    lineNumber: line.line_number,
    offer: { code: line.offer_code, name: names.get(line.offer_code) ?? line.offer_code },
    services: services
      .filter((s) => s.line_id === line.id)
      .sort((a, b) => serviceRank(a.service_code) - serviceRank(b.service_code))
      .map((s) => ({ code: s.service_code, quantity: s.quantity })),
    quantity: line.quantity,
    requestedStartDate: line.requested_start_date,
    provisioningContactEmail: line.provisioning_contact_email,
    status: line.status as LineStatus,
    statusChangedAt: line.status_changed_at.toISOString(),
    subscriptionId: line.subscription_id,
    subscriptionStage: line.subscription_stage as OrderLineView['subscriptionStage'],
    billingStart:
      line.billing_started_at && line.billing_start_reason
        ? { date: isoDate(line.billing_started_at), reason: line.billing_start_reason }
        : null,
    etag: lineEtag(line.version),
  };
}

/** A line's strong ETag: its version, bumped on every change. */
export function lineEtag(version: number): string {
  return `"v${version}"`;
}

function toOrderView(
  order: OrderRow,
  lines: LineRow[],
  services: ServiceRow[],
  names: ReadonlyMap<string, string>,
): OrderView {
  return {
    id: order.id,
    orderNumber: order.order_number,
    reference: order.reference,
    partnerOrgId: order.partner_org_id,
    placedByOrgId: order.placed_by_org_id,
    endCustomer: { name: order.end_customer_name, country: order.end_customer_country },
    locale: order.locale,
    createdAt: order.created_at.toISOString(),
    lines: lines.map((line) => toLineView(line, services, names)),
  };
}

/** An order the caller may see; anything else (including a malformed id) is "not found". */
export async function getOrder(ctx: Ctx, orderId: string): Promise<OrderView> {
  if (!UUID.test(orderId)) throw notFound();
  const order = await repo.findOrder(ctx.db, orderId, orderScope(ctx.actor));
  if (!order) throw notFound();
  const lines = await repo.findLines(ctx.db, [order.id]);
  const services = await repo.findLineServices(
    ctx.db,
    lines.map((l) => l.id),
  );
  return toOrderView(order, lines, services, await offerNames(ctx));
}

export async function getOrderLine(ctx: Ctx, orderId: string, lineId: string): Promise<OrderLineView> {
  if (!UUID.test(lineId)) throw notFound();
  const order = await getOrder(ctx, orderId);
  const line = order.lines.find((l) => l.id === lineId);
  if (!line) throw notFound();
  return line;
}

/** True when the subscription belongs to an order the caller may see. */
export async function isSubscriptionVisible(ctx: Ctx, subscriptionId: string): Promise<boolean> {
  return (await repo.findSubscriptionInScope(ctx.db, subscriptionId, orderScope(ctx.actor))) !== undefined;
}
