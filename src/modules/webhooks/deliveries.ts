import { type Ctx, inTransaction } from '../../platform/context.ts';
import { DomainError, notFound, validationFailed } from '../../platform/errors.ts';
import { decodeKeyset, encodeKeyset } from '../../platform/keyset.ts';
import { recordAudit } from '../audit/service.ts';
import * as repo from './deliveries-repository.ts';
import { wakeRelay } from './fan-out.ts';
import type { EndpointRow } from './repository.ts';
import { type DeliveryView, type ListDeliveriesQuery, type RecoverInput, TEST_EVENT_TYPE } from './schema.ts';
import { ownedEndpoint } from './service.ts';

/** An endpoint's deliveries: the log, a test event, a retry, a recovery of everything since a time. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireEnabled(endpoint: EndpointRow): void {
  if (!endpoint.enabled) throw new DomainError('webhook_endpoint_disabled', 409);
}

function deliveryView(row: repo.DeliveryRow, attempts: repo.AttemptRow[]): DeliveryView {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    attemptsThisRound: row.attempts,
    nextAttemptAt: row.status === 'pending' ? row.next_attempt_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
    lastStatusCode: row.last_status_code,
    lastError: row.last_error,
    attempts: attempts.map((a) => ({
      attemptedAt: a.attempted_at.toISOString(),
      statusCode: a.status_code,
      latencyMs: a.latency_ms,
      responseExcerpt: a.response_excerpt,
      error: a.error,
    })),
  };
}

export async function listWebhookDeliveries(
  ctx: Ctx,
  endpointId: string,
  query: ListDeliveriesQuery,
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  const endpoint = await ownedEndpoint(ctx, endpointId);
  const after = query.cursor ? decodeKeyset(query.cursor, UUID) : undefined;
  const rows = await repo.listDeliveries(ctx.db, endpoint.id, {
    status: query.status,
    after,
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const attempts = await repo.attemptsOf(
    ctx.db,
    page.map((r) => r.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((r) =>
      deliveryView(
        r,
        attempts.filter((a) => a.delivery_id === r.id),
      ),
    ),
    nextCursor:
      rows.length > query.limit && last ? encodeKeyset({ createdAt: last.created_key, id: last.id }) : null,
  };
}

/**
 * Queues a `webhook_endpoint.test` delivery, signed and retried as any other: its `webhook-id` is the
 * delivery's id, its data says which endpoint it tests.
 */
export async function sendTestWebhook(ctx: Ctx, endpointId: string): Promise<{ deliveryId: string }> {
  const endpoint = await ownedEndpoint(ctx, endpointId);
  requireEnabled(endpoint);
  return inTransaction(ctx, async (tx) => {
    const deliveryId = await repo.insertTestDelivery(tx.db, {
      endpointId: endpoint.id,
      type: TEST_EVENT_TYPE,
      data: { endpointId: endpoint.id, description: endpoint.description },
      now: tx.clock.now(),
    });
    await wakeRelay(tx);
    return { deliveryId };
  });
}

/** Attempts a delivery again at once, in a new round of attempts, whatever became of it. */
export async function retryWebhookDelivery(
  ctx: Ctx,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryView> {
  const endpoint = await ownedEndpoint(ctx, endpointId);
  if (!UUID.test(deliveryId) || !(await repo.findDelivery(ctx.db, endpoint.id, deliveryId))) throw notFound();
  requireEnabled(endpoint);
  return inTransaction(ctx, async (tx) => {
    await repo.retryDelivery(tx.db, endpoint.id, deliveryId, tx.clock.now());
    await wakeRelay(tx);
    const row = await repo.findDelivery(tx.db, endpoint.id, deliveryId);
    if (!row) throw notFound();
    return deliveryView(row, await repo.attemptsOf(tx.db, [row.id]));
  });
}

/**
 * Sends again every event since `since` that the endpoint wants and may see (of `eventTypes`, when
 * given), delivered before or not, each with its original `webhook-id`: after an outage on the
 * receiver's side, or once a disabled endpoint is enabled again.
 */
export async function recoverWebhookEndpoint(
  ctx: Ctx,
  endpointId: string,
  input: RecoverInput,
): Promise<{ queued: number }> {
  const endpoint = await ownedEndpoint(ctx, endpointId);
  const now = ctx.clock.now();
  const since = new Date(input.since);
  if (since > now)
    throw validationFailed([{ field: 'since', rule: 'date_not_after', params: { date: now.toISOString() } }]);
  requireEnabled(endpoint);
  const types = [...new Set(input.eventTypes ?? [])];
  return inTransaction(ctx, async (tx) => {
    const queued = await repo.recoverDeliveries(
      tx.db,
      { id: endpoint.id, organizationId: endpoint.organization_id, eventTypes: endpoint.event_types },
      since,
      types,
      now,
    );
    if (queued > 0) await wakeRelay(tx);
    await recordAudit(tx, [
      {
        action: 'webhook_endpoint.recovered',
        entityType: 'webhook_endpoint',
        entityId: endpoint.id,
        organizationId: endpoint.organization_id,
        payload: { since: since.toISOString(), eventTypes: types, queued },
      },
    ]);
    return { queued };
  });
}
