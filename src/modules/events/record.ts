import { randomUUID } from 'node:crypto';
import type { Actor, Ctx } from '../../platform/context.ts';
import { fanOutEvents } from '../webhooks/fan-out.ts';
import { EVENT_DATA_SCHEMAS, type EventActor, type EventData, type EventType } from './catalogue.ts';
import { insertEvents } from './repository.ts';

/** Which tenants may see an event; null for the vendor's operators only. */
export interface EventTenant {
  partnerOrgId: string;
  placedByOrgId: string;
}

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  data: EventData<T>;
  tenant: EventTenant | null;
  subscriptionId?: string | null;
  orderId?: string | null;
}

/** Builds one event, typed by its name: `event('line.closed', {...}, tenant)`. */
export function event<T extends EventType>(
  type: T,
  data: EventData<T>,
  tenant: EventTenant | null,
  keys: { subscriptionId?: string | null; orderId?: string | null } = {},
): NewEvent {
  return { type, data, tenant, ...keys } as NewEvent;
}

/** How an actor is named in an event: never a token, never an address. */
export function eventActor(actor: Actor): EventActor {
  switch (actor.type) {
    case 'user':
      return { type: 'user', id: actor.userId };
    case 'api_key':
      return { type: 'api_key', id: actor.apiKeyId };
    case 'setup_link':
      return { type: 'setup_link', id: null };
    case 'system':
      return { type: 'system', id: actor.name };
    case 'anonymous':
      return { type: 'system', id: null };
  }
}

/**
 * Writes events in the caller's transaction: they exist exactly when the change that caused them
 * committed. Data that does not match its type's schema is a bug, not a refusal: it throws.
 */
export async function recordEvents(ctx: Ctx, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  const at = ctx.clock.now();
  const rows = events.map((e) => ({
    id: randomUUID(),
    type: e.type,
    occurred_at: at,
    partner_org_id: e.tenant?.partnerOrgId ?? null,
    placed_by_org_id: e.tenant?.placedByOrgId ?? null,
    subscription_id: e.subscriptionId ?? null,
    order_id: e.orderId ?? null,
    data: JSON.stringify(EVENT_DATA_SCHEMAS[e.type].parse(e.data)),
  }));
  await insertEvents(ctx.db, rows);
  await fanOutEvents(
    ctx,
    rows.map((r) => r.id),
  );
}
