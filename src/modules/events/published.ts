import { z } from 'zod';
import { EVENT_DATA_SCHEMAS, EVENT_TYPES, type EventType } from './catalogue.ts';
import { EVENT_DOCS } from './catalogue-docs.ts';

/**
 * The catalogue as integrators read it (docs/adr/0030): each type with its description, the JSON Schema
 * of its `data` and an example, for `listEventTypes`, the OpenAPI document's `webhooks` and the API
 * reference page. Schemas are published open (no `additionalProperties: false`): a field may be added
 * to an event, and a receiver ignores what it does not know, as with Stripe's and Svix's events.
 */

export interface PublishedEventType {
  type: EventType;
  description: string;
  /** JSON Schema (draft 2020-12) of the event's `data`. */
  schema: Record<string, unknown>;
  example: Record<string, unknown>;
}

function jsonSchemaOf(type: EventType): Record<string, unknown> {
  // `input`: objects stay open to new fields; the `$schema` key is dropped so the schema can sit
  // inside an OpenAPI 3.1 document (whose dialect is the same draft).
  const { $schema: _dialect, ...schema } = z.toJSONSchema(EVENT_DATA_SCHEMAS[type], { io: 'input' });
  return schema;
}

/** Built once from constants: the same for every caller and every process. */
export const PUBLISHED_EVENT_TYPES: readonly PublishedEventType[] = EVENT_TYPES.map((type) => ({
  type,
  description: EVENT_DOCS[type].description,
  schema: jsonSchemaOf(type),
  example: EVENT_DOCS[type].example as Record<string, unknown>,
}));

/** The body of a delivery, per the Standard Webhooks specification; the feed adds the event's id. */
export interface EventBody {
  type: string;
  /** When the change happened (ISO 8601, UTC), whenever it is delivered. */
  timestamp: string;
  data: Record<string, unknown>;
}

export function eventBody(row: { type: string; occurredAt: Date; data: Record<string, unknown> }): EventBody {
  return { type: row.type, timestamp: row.occurredAt.toISOString(), data: row.data };
}

const EXAMPLE_TIMESTAMP = '2026-12-01T09:00:00.000Z';

const webhookHeaders = [
  {
    name: 'webhook-id',
    in: 'header',
    required: true,
    description: "The event's id: the same on every retry of it, so a receiver drops duplicates by it.",
    schema: { type: 'string', format: 'uuid' },
  },
  {
    name: 'webhook-timestamp',
    in: 'header',
    required: true,
    description: 'When this attempt was signed, in seconds since the Unix epoch.',
    schema: { type: 'string' },
  },
  {
    name: 'webhook-signature',
    in: 'header',
    required: true,
    description:
      "`v1,` and the base64 HMAC-SHA256 of `webhook-id.webhook-timestamp.body` under the endpoint's `whsec_` secret; several, space-separated, while a secret is being rotated.",
    schema: { type: 'string' },
  },
];

/**
 * The catalogue as an OpenAPI 3.1 `webhooks` object: what Provisio POSTs to a receiver for each type,
 * the Standard Webhooks body and headers, and the same example `listEventTypes` gives.
 */
export function eventWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    PUBLISHED_EVENT_TYPES.map((e) => [
      e.type,
      {
        post: {
          summary: e.type,
          description: e.description,
          tags: ['Events'],
          parameters: webhookHeaders,
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['type', 'timestamp', 'data'],
                  properties: {
                    type: { type: 'string', const: e.type },
                    timestamp: { type: 'string', format: 'date-time' },
                    data: e.schema,
                  },
                },
                example: { type: e.type, timestamp: EXAMPLE_TIMESTAMP, data: e.example },
              },
            },
          },
          responses: {
            '2XX': {
              description: 'Received. Any other answer, or none, is retried with the same `webhook-id`.',
            },
          },
        },
      },
    ]),
  );
}
