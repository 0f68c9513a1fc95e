import { randomUUID } from 'node:crypto';
import type { Updateable } from 'kysely';
import type { WebhookEndpointsTable } from '../../db-types.ts';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import { lockForTransaction } from '../../platform/db.ts';
import { DomainError, notFound, validationFailed } from '../../platform/errors.ts';
import { WEBHOOK_ENDPOINTS_PER_OWNER } from '../../platform/limits.ts';
import { newSigningSecret } from '../../platform/standard-webhooks.ts';
import { recordAudit } from '../audit/service.ts';
import { mayManageWebhookEndpoint, webhookOwner } from '../identity/policy.ts';
import { wakeRelay } from './fan-out.ts';
import { sealSecret } from './message.ts';
import * as repo from './repository.ts';
import type { CreateEndpointInput, EndpointView, UpdateEndpointInput } from './schema.ts';

/** Webhook endpoints: registered, listed, changed, deleted, their secret rotated (docs/adr/0031). */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** After a rotation the previous secret keeps signing this long, so receivers can switch without a gap. */
export const PREVIOUS_SECRET_HOURS = 24;

export function endpointView(row: repo.EndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    eventTypes: row.event_types,
    scope: row.organization_id ? 'organization' : 'vendor',
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at?.toISOString() ?? null,
    failingSince: row.failing_since?.toISOString() ?? null,
    previousSecretExpiresAt: row.previous_secret_expires_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The endpoint, when the caller manages it; anyone else's is "not found". */
export async function ownedEndpoint(ctx: Ctx, id: string): Promise<repo.EndpointRow> {
  webhookOwner(ctx.actor);
  const row = UUID.test(id) ? await repo.findEndpoint(ctx.db, id) : undefined;
  if (!row || !mayManageWebhookEndpoint(ctx.actor, row.organization_id)) throw notFound();
  return row;
}

/** Refuses a URL that is malformed, not https in production, or resolves to an address not to be reached. */
async function checkUrl(ctx: Ctx, url: string): Promise<void> {
  const rule = await ctx.outbound.checkTarget(url);
  if (rule) throw validationFailed([{ field: 'url', rule }]);
}

const unique = (types: readonly string[] | undefined) => [...new Set(types ?? [])];

export async function createWebhookEndpoint(
  ctx: Ctx,
  input: CreateEndpointInput,
): Promise<{ endpoint: EndpointView; secret: string }> {
  const owner = webhookOwner(ctx.actor);
  const organizationId = owner === 'vendor' ? null : owner.orgId;
  await checkUrl(ctx, input.url);
  const secret = newSigningSecret();
  const id = randomUUID();
  return inTransaction(ctx, async (tx) => {
    // One count per owner at a time, so twenty-one requests at once cannot make twenty-one endpoints.
    await lockForTransaction(tx.db, `webhooks.owner:${organizationId ?? 'vendor'}`);
    if ((await repo.countEndpoints(tx.db, organizationId)) >= WEBHOOK_ENDPOINTS_PER_OWNER)
      throw new DomainError('webhook_endpoint_limit', 409, { max: WEBHOOK_ENDPOINTS_PER_OWNER });
    const now = tx.clock.now();
    const eventTypes = unique(input.eventTypes);
    const row = await repo.insertEndpoint(tx.db, {
      id,
      organization_id: organizationId,
      url: input.url,
      description: input.description ?? '',
      event_types: eventTypes,
      secret_sealed: sealSecret(tx.config, id, secret),
      created_at: now,
      updated_at: now,
    });
    await recordAudit(tx, [
      {
        action: 'webhook_endpoint.created',
        entityType: 'webhook_endpoint',
        entityId: id,
        organizationId,
        payload: { url: input.url, eventTypes },
      },
    ]);
    return { endpoint: endpointView(row), secret };
  });
}

export async function listWebhookEndpoints(ctx: Ctx): Promise<EndpointView[]> {
  const owner = webhookOwner(ctx.actor);
  const rows = await repo.listEndpoints(ctx.db, owner === 'vendor' ? null : owner.orgId);
  return rows.map(endpointView);
}

export async function getWebhookEndpoint(ctx: Ctx, id: string): Promise<EndpointView> {
  return endpointView(await ownedEndpoint(ctx, id));
}

/**
 * Changes an endpoint. Disabling keeps its deliveries waiting; enabling it again forgets its failures
 * (and a 410) and sends what waits; what happened while it was disabled comes with `recover`.
 */
export async function updateWebhookEndpoint(
  ctx: Ctx,
  id: string,
  input: UpdateEndpointInput,
): Promise<EndpointView> {
  const row = await ownedEndpoint(ctx, id);
  if (input.url !== undefined && input.url !== row.url) await checkUrl(ctx, input.url);
  const now = ctx.clock.now();
  const changes: Updateable<WebhookEndpointsTable> = { updated_at: now };
  if (input.url !== undefined) changes.url = input.url;
  if (input.description !== undefined) changes.description = input.description;
  if (input.eventTypes !== undefined) changes.event_types = unique(input.eventTypes);
  if (input.enabled === false && row.enabled)
    Object.assign(changes, { enabled: false, disabled_reason: 'manual', disabled_at: now });
  if (input.enabled === true && !row.enabled)
    Object.assign(changes, { enabled: true, disabled_reason: null, disabled_at: null, failing_since: null });
  return inTransaction(ctx, async (tx) => {
    const updated = await repo.updateEndpoint(tx.db, id, changes);
    if (!updated) throw notFound();
    await recordAudit(tx, [
      {
        action: 'webhook_endpoint.updated',
        entityType: 'webhook_endpoint',
        entityId: id,
        organizationId: updated.organization_id,
        payload: { url: updated.url, eventTypes: updated.event_types, enabled: updated.enabled },
      },
    ]);
    if (updated.enabled && !row.enabled) await wakeRelay(tx);
    return endpointView(updated);
  });
}

/** Deletes an endpoint with its deliveries and their attempts. */
export async function deleteWebhookEndpoint(ctx: Ctx, id: string): Promise<void> {
  const row = await ownedEndpoint(ctx, id);
  await inTransaction(ctx, async (tx) => {
    if (!(await repo.deleteEndpoint(tx.db, id))) throw notFound();
    await recordAudit(tx, [
      {
        action: 'webhook_endpoint.deleted',
        entityType: 'webhook_endpoint',
        entityId: id,
        organizationId: row.organization_id,
        payload: { url: row.url },
      },
    ]);
  });
}

/**
 * A new signing secret, shown once; the previous one keeps signing beside it for PREVIOUS_SECRET_HOURS
 * (both signatures in `webhook-signature`). Rotating again drops the oldest at once: two rotations in a
 * row retire a leaked secret immediately.
 */
export async function rotateWebhookSecret(
  ctx: Ctx,
  id: string,
): Promise<{ secret: string; previousSecretExpiresAt: string }> {
  const row = await ownedEndpoint(ctx, id);
  const secret = newSigningSecret();
  const expiresAt = new Date(ctx.clock.now().getTime() + PREVIOUS_SECRET_HOURS * 3600_000);
  return inTransaction(ctx, async (tx) => {
    const rotated = await repo.rotateSecret(tx.db, id, sealSecret(tx.config, id, secret), expiresAt);
    if (!rotated) throw notFound();
    await recordAudit(tx, [
      {
        action: 'webhook_endpoint.secret_rotated',
        entityType: 'webhook_endpoint',
        entityId: id,
        organizationId: row.organization_id,
        payload: { previousSecretExpiresAt: expiresAt.toISOString() },
      },
    ]);
    return { secret, previousSecretExpiresAt: expiresAt.toISOString() };
  });
}
