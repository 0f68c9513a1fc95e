import { z } from '@hono/zod-openapi';
import { EVENT_TYPES } from './catalogue.ts';
import { EVENT_DOCS } from './catalogue-docs.ts';
import { FEED_PAGE_DEFAULT, FEED_PAGE_MAX } from './feed.ts';
import { PUBLISHED_EVENT_TYPES } from './published.ts';

const firstType = PUBLISHED_EVENT_TYPES[0];
if (!firstType) throw new Error('the event catalogue is empty');

export const eventTypeListSchema = z
  .object({
    data: z.array(
      z.object({
        type: z
          .enum(EVENT_TYPES)
          .openapi({ description: 'The name a webhook and the feed carry as `type`.' }),
        description: z.string(),
        schema: z
          .record(z.string(), z.unknown())
          .openapi({ description: 'JSON Schema (draft 2020-12) of the event’s `data`.' }),
        example: z.record(z.string(), z.unknown()).openapi({ description: 'An example of `data`.' }),
      }),
    ),
  })
  .openapi('EventTypeList', {
    example: {
      data: [
        {
          type: firstType.type,
          description: firstType.description,
          schema: firstType.schema,
          example: firstType.example,
        },
      ],
    },
  });

export const listEventsQuerySchema = z.object({
  after: z.string().optional().openapi({
    description:
      '`nextCursor` of the previous answer. Without it the feed starts at its oldest event (30 days back).',
  }),
  types: z.string().optional().openapi({
    description: 'Only these event types, comma-separated (see `listEventTypes`).',
    example: 'subscription.billing_started,line.closed',
  }),
  limit: z.coerce.number().int().min(1).max(FEED_PAGE_MAX).default(FEED_PAGE_DEFAULT),
});

const eventExample = {
  id: '0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  type: 'subscription.billing_started',
  timestamp: '2026-12-03T14:20:05.000Z',
  data: EVENT_DOCS['subscription.billing_started'].example,
};

export const eventPageSchema = z
  .object({
    data: z.array(
      z.object({
        id: z.uuid().openapi({ description: 'The event’s id: the `webhook-id` of its deliveries.' }),
        type: z.string().openapi({ description: 'One of the types `listEventTypes` lists.' }),
        timestamp: z.iso.datetime().openapi({ description: 'When the change happened.' }),
        data: z
          .record(z.string(), z.unknown())
          .openapi({ description: 'As the type’s schema in `listEventTypes` says.' }),
      }),
    ),
    nextCursor: z.string().openapi({
      description:
        'Pass it as `after` next time. Fewer events than `limit` means you are up to date: poll again later with the same cursor.',
    }),
  })
  .openapi('EventPage', { example: { data: [eventExample], nextCursor: 'ZTEuNzQxLjEyLjE2ZTY2ZDBi' } });
