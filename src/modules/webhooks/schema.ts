import { z } from '@hono/zod-openapi';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_URL_MAX_LENGTH,
} from '../../platform/limits.ts';
import { urlShapeProblem } from '../../platform/safe-targets.ts';
import { lineText } from '../../platform/text.ts';
import { EVENT_TYPES, type EventType } from '../events/catalogue.ts';

/** The event types an endpoint may ask for (the catalogue's), and the type of a test delivery. */
export const eventTypeSchema = z.enum(EVENT_TYPES as [EventType, ...EventType[]]);
export const TEST_EVENT_TYPE = 'webhook_endpoint.test';

export const DISABLED_REASONS = ['manual', 'gone', 'failing'] as const;
export type DisabledReason = (typeof DISABLED_REASONS)[number];
export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

// The form of the URL is checked here, with the other fields; https in production and where it
// resolves depend on the running system, and are checked by the service.
const url = z
  .string()
  .min(1)
  .max(WEBHOOK_URL_MAX_LENGTH)
  .superRefine((value, ctx) => {
    const rule = urlShapeProblem(value, false);
    if (rule && value.length <= WEBHOOK_URL_MAX_LENGTH) ctx.addIssue({ code: 'custom', message: rule });
  })
  .openapi({
    format: 'uri',
    example: 'https://erp.northwind.example/provisio/webhooks',
    description:
      'Where deliveries are POSTed: `https://` (plain `http://` outside production), no user name or password, a host that resolves to public addresses only. Redirects are not followed.',
  });
const eventTypes = z
  .array(eventTypeSchema)
  .max(EVENT_TYPES.length * 2)
  .openapi({
    description:
      'The event types to deliver (see the catalogue in the API reference); empty or left out: every type.',
    example: ['subscription.activated', 'subscription.billing_started'],
  });
const description = lineText()
  .max(WEBHOOK_DESCRIPTION_MAX_LENGTH)
  .openapi({ description: 'What the endpoint is for, for people.', example: 'ERP billing feed' });

export const createEndpointSchema = z
  .object({ url, eventTypes: eventTypes.optional(), description: description.optional() })
  .strict()
  .openapi('CreateWebhookEndpoint');
export type CreateEndpointInput = z.infer<typeof createEndpointSchema>;

export const updateEndpointSchema = z
  .object({
    url: url.optional(),
    eventTypes: eventTypes.optional(),
    description: description.optional(),
    enabled: z.boolean().optional().openapi({
      description:
        'false stops deliveries (they wait); true starts them again and forgets past failures. A disabled endpoint gets no new deliveries until enabled: use recover for what it missed.',
    }),
  })
  .strict()
  .openapi('UpdateWebhookEndpoint');
export type UpdateEndpointInput = z.infer<typeof updateEndpointSchema>;

const time = z.iso.datetime({ offset: true });

export const endpointSchema = z
  .object({
    id: z.uuid(),
    url: z.string(),
    description: z.string(),
    eventTypes: z.array(z.string()).openapi({ description: 'Empty: every type.' }),
    scope: z.enum(['organization', 'vendor']).openapi({
      description:
        "`organization`: the events of your organization's orders; `vendor`: every partner's events (operators).",
    }),
    enabled: z.boolean(),
    disabledReason: z.enum(DISABLED_REASONS).nullable().openapi({
      description:
        '`manual`: someone disabled it; `gone`: it answered 410 Gone; `failing`: every attempt failed for 5 days.',
    }),
    disabledAt: time.nullable(),
    failingSince: time.nullable().openapi({ description: 'Since when every attempt has failed.' }),
    previousSecretExpiresAt: time.nullable().openapi({
      description: 'After a rotation, until when the previous secret also signs.',
    }),
    createdAt: time,
    updatedAt: time,
  })
  .openapi('WebhookEndpoint');
export type EndpointView = z.infer<typeof endpointSchema>;

const secret = z.string().openapi({
  description:
    'The signing secret (`whsec_…`), shown this once: verify `webhook-signature` with it (Standard Webhooks).',
  example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
});

export const createdEndpointSchema = endpointSchema.extend({ secret }).openapi('CreatedWebhookEndpoint');
export const endpointListSchema = z.object({ items: z.array(endpointSchema) }).openapi('WebhookEndpointList');

export const rotatedSecretSchema = z
  .object({
    secret,
    previousSecretExpiresAt: time.openapi({
      description: 'Until then deliveries carry a signature by each secret.',
    }),
  })
  .openapi('RotatedWebhookSecret');

export const attemptSchema = z
  .object({
    attemptedAt: time,
    statusCode: z.number().int().nullable().openapi({ description: 'Null when there was no answer.' }),
    latencyMs: z.number().int(),
    responseExcerpt: z
      .string()
      .nullable()
      .openapi({ description: 'The first 2 KB of what the endpoint answered.' }),
    error: z.string().nullable().openapi({
      description:
        'Why there was no answer: `timeout` (15 s), `connection_refused`, `connection_reset`, `dns`, `tls`, `target_refused` (the name resolved to an address that may not be reached), `network`.',
    }),
  })
  .openapi('WebhookAttempt');

export const deliverySchema = z
  .object({
    id: z.uuid(),
    eventId: z.uuid().nullable().openapi({ description: '`webhook-id` of every attempt; null for a test.' }),
    eventType: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attemptsThisRound: z.number().int().openapi({
      description: 'Attempts since it was queued, retried or recovered (9 at most, then `failed`).',
    }),
    nextAttemptAt: time.nullable(),
    createdAt: time,
    finishedAt: time.nullable(),
    lastStatusCode: z.number().int().nullable(),
    lastError: z.string().nullable(),
    attempts: z
      .array(attemptSchema)
      .openapi({ description: 'Every attempt of the last 30 days, newest first.' }),
  })
  .openapi('WebhookDelivery');
export type DeliveryView = z.infer<typeof deliverySchema>;

export const deliveryListSchema = z
  .object({
    items: z.array(deliverySchema),
    nextCursor: z.string().nullable().openapi({ description: 'Pass back as `cursor` for the next page.' }),
  })
  .openapi('WebhookDeliveryList');

export const listDeliveriesQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATUSES).optional(),
    cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
    limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
  })
  .strict();
export type ListDeliveriesQuery = z.infer<typeof listDeliveriesQuerySchema>;

export const recoverSchema = z
  .object({
    since: time.openapi({
      description: 'Resend every event from this time on (events are kept 30 days).',
      example: '2026-12-01T00:00:00Z',
    }),
    eventTypes: eventTypes.optional(),
  })
  .strict()
  .openapi('RecoverWebhookEndpoint');
export type RecoverInput = z.infer<typeof recoverSchema>;

export const recoveredSchema = z
  .object({ queued: z.number().int().openapi({ description: 'Deliveries queued again or anew.' }) })
  .openapi('RecoveredWebhookEndpoint');

export const testSentSchema = z
  .object({ deliveryId: z.uuid() })
  .openapi('WebhookTestQueued', { description: 'Follow it in listWebhookDeliveries.' });

export const endpointParams = z.object({ endpointId: z.string().openapi({ format: 'uuid' }) });
export const deliveryParams = endpointParams.extend({
  deliveryId: z.string().openapi({ format: 'uuid' }),
});
