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
/** Which provisioning email it was: the start-date one, a resend, or the one a contact change sends. */
const emailKind = z
  .enum(['start', 'resend', 'contact_changed'])
  .describe('`start` (the start-date email), `resend`, or `contact_changed` (sent to the new contact).');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** Who caused the event: a user, an API key, a setup link, the vendor's service, or Provisio itself. */
export const eventActorSchema = z
  .object({
    type: z.enum(['user', 'api_key', 'setup_link', 'system', 'vendor']),
    /** The user's or key's id, the timer's name; null for a setup link (its token is never shown). */
    id: z.string().nullable(),
  })
  .describe(
    'Who caused it: `type` (`user`, `api_key`, `setup_link`, `system`, `vendor`) and `id` (the user, key or job; null for a setup link).',
  );
export type EventActor = z.infer<typeof eventActorSchema>;

const lineRef = {
  orderId: z.uuid(),
  orderNumber: z.string().describe('Provisio’s order number, e.g. `PRV-100042`.'),
  lineId: z.uuid(),
  lineNumber: z.number().int().positive(),
  subscriptionId: z.string().describe('The subscription’s id, e.g. `SUB-200117`: the key to file it under.'),
};

const stageChange = {
  ...lineRef,
  stage: stage.describe('The subscription’s stage now.'),
  previousStage: stage.describe('Its stage before this change.'),
  actor: eventActorSchema,
};

export const EVENT_DATA_SCHEMAS = {
  'order.created': z.object({
    orderId: z.uuid(),
    orderNumber: z.string(),
    reference: z.string().describe('The partner’s own reference for the order (its PO number).'),
    partnerOrgId: z.uuid().describe('The partner the order is for.'),
    placedByOrgId: z.uuid().describe('Who placed it: the partner, or a distributor for it.'),
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
    to: z.string().describe('The provisioning contact it went to.'),
    kind: emailKind,
  }),
  'line.provisioning_email_failed': z.object({
    ...lineRef,
    to: z.string().describe('The provisioning contact it was for.'),
    kind: emailKind,
    /** The mail server's own words (e.g. `550 5.1.1 … no such mailbox`), at most 1,000 characters. */
    reason: z.string().describe('The mail server’s answer, at most 1,000 characters.'),
  }),
  'line.contact_changed': z.object({
    ...lineRef,
    previousEmail: z.string().describe('The contact before the change.'),
    email: z.string().describe('The new contact, who gets the provisioning email from now on.'),
    actor: eventActorSchema,
  }),
  'line.escalated': z.object({
    ...lineRef,
    requestedStartDate: isoDate.describe('The line’s Requested Start Date.'),
  }),
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
    billToOrgId: z.uuid().describe('Who is billed: the partner or distributor that placed the order.'),
    /** Null when the policy window started billing before anyone mapped the subscription. */
    customerOrgId: z
      .uuid()
      .nullable()
      .describe('The customer organization; null when the policy window started billing before mapping.'),
    /** The day billing really started, in UTC, whenever the event is delivered. */
    effectiveStartDate: isoDate.describe('The day billing started (UTC), however late the event arrives.'),
    startedAt: z.iso.datetime(),
    reason: z
      .enum(['provisioned', 'policy'])
      .describe('`provisioned`, or `policy` (the policy window ran out before provisioning).'),
  }),
  'support_case.answered': z.object({
    caseId: z.uuid(),
    caseNumber: z.string(),
    organizationId: z.uuid(),
    /** The subscription the case is about, when it names one. */
    subscriptionId: z.string().nullable(),
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
