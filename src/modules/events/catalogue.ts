import { z } from 'zod';

/**
 * The outgoing events' catalogue (docs/adr/0030): each type's name, what it means, the schema of its
 * `data` and an example. Webhooks, the feed and `listEventTypes` all read it; `recordEvents` refuses
 * data that does not match. Payloads are small: ids, the stage and the one before, the actor and, where
 * an outside system needs them to act (billing), the facts it would otherwise have to ask for.
 */

export const SUBSCRIPTION_STAGE_NAMES = [
  'scheduled',
  'awaiting_details',
  'mapped',
  'provisioning',
  'active',
  'closed',
  'provisioning_failed',
  'needs_info',
] as const;

const stage = z.enum(SUBSCRIPTION_STAGE_NAMES);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Who caused the event: a user, an API key, a setup link, the vendor's service, or Provisio itself. */
export const eventActorSchema = z.object({
  type: z.enum(['user', 'api_key', 'setup_link', 'system', 'vendor']),
  /** The user's or key's id, the timer's name; null for a setup link (its token is never shown). */
  id: z.string().nullable(),
});
export type EventActor = z.infer<typeof eventActorSchema>;

const lineRef = {
  orderId: z.uuid(),
  orderNumber: z.string(),
  lineId: z.uuid(),
  lineNumber: z.number().int().positive(),
  subscriptionId: z.string(),
};

const stageChange = {
  ...lineRef,
  stage,
  previousStage: stage,
  actor: eventActorSchema,
};

export const EVENT_DATA_SCHEMAS = {
  'order.created': z.object({
    orderId: z.uuid(),
    orderNumber: z.string(),
    reference: z.string(),
    partnerOrgId: z.uuid(),
    placedByOrgId: z.uuid(),
    lines: z.array(
      z.object({
        lineId: z.uuid(),
        lineNumber: z.number().int().positive(),
        subscriptionId: z.string(),
        offerCode: z.string(),
        quantity: z.number().int().positive(),
        requestedStartDate: isoDate,
      }),
    ),
    actor: eventActorSchema,
  }),
  'line.provisioning_email_sent': z.object({
    ...lineRef,
    to: z.string(),
    kind: z.enum(['start', 'resend', 'contact_changed']),
  }),
  'line.provisioning_email_failed': z.object({ ...lineRef, to: z.string(), reason: z.string() }),
  'line.contact_changed': z.object({
    ...lineRef,
    previousEmail: z.string(),
    email: z.string(),
    actor: eventActorSchema,
  }),
  'line.escalated': z.object({ ...lineRef, requestedStartDate: isoDate }),
  'line.closed': z.object({ ...stageChange, billingStartedOn: isoDate }),
  'subscription.mapped': z.object({
    ...stageChange,
    partnerOrgId: z.uuid(),
    customerOrgId: z.uuid(),
  }),
  'subscription.provisioning_requested': z.object({ ...stageChange, provisionRequestId: z.uuid() }),
  'subscription.needs_info': z.object({
    ...stageChange,
    provisionRequestId: z.uuid(),
    fields: z.array(z.string()),
    message: z.string(),
  }),
  'subscription.provisioning_failed': z.object({
    ...stageChange,
    provisionRequestId: z.uuid(),
    code: z.string(),
    message: z.string(),
  }),
  'subscription.activated': z.object({ ...stageChange, externalTenantId: z.string().nullable() }),
  'subscription.billing_started': z.object({
    /** The external key a billing system files the charge under. */
    subscriptionId: z.string(),
    orderId: z.uuid(),
    orderNumber: z.string(),
    /** The partner's reference (their PO number). */
    reference: z.string(),
    lineId: z.uuid(),
    lineNumber: z.number().int().positive(),
    offerCode: z.string(),
    quantity: z.number().int().positive(),
    /** Who is billed: the partner or distributor that placed the order. */
    billToOrgId: z.uuid(),
    /** Null when the policy window started billing before anyone mapped the subscription. */
    customerOrgId: z.uuid().nullable(),
    /** The day billing really started, in UTC, whenever the event is delivered. */
    effectiveStartDate: isoDate,
    startedAt: z.iso.datetime(),
    reason: z.enum(['provisioned', 'policy']),
  }),
  'support_case.answered': z.object({
    caseId: z.uuid(),
    caseNumber: z.string(),
    organizationId: z.uuid(),
  }),
  'webhook_endpoint.disabled': z.object({
    endpointId: z.uuid(),
    url: z.string(),
    reason: z.enum(['gone', 'failing']),
    failingSince: z.iso.datetime().nullable(),
  }),
} as const;

export type EventType = keyof typeof EVENT_DATA_SCHEMAS;
export type EventData<T extends EventType> = z.infer<(typeof EVENT_DATA_SCHEMAS)[T]>;
export const EVENT_TYPES = Object.keys(EVENT_DATA_SCHEMAS) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.hasOwn(EVENT_DATA_SCHEMAS, value);
}
