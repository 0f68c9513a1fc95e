import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { problem, rateLimited, unavailable } from '../../platform/openapi.ts';
import { listEvents } from './feed.ts';
import { PUBLISHED_EVENT_TYPES } from './published.ts';
import { eventPageSchema, eventTypeListSchema, listEventsQuerySchema } from './schema.ts';

const security = [{ bearerAuth: [] }];

const listEventTypesRoute = createRoute({
  method: 'get',
  path: '/event-types',
  operationId: 'listEventTypes',
  summary: 'List the event types',
  description:
    'Every event Provisio emits: its name, what it means, the JSON Schema of its `data` and an example. Webhooks and `listEvents` carry these events.',
  tags: ['Events'],
  security,
  responses: {
    200: {
      description: 'The catalogue.',
      content: { 'application/json': { schema: eventTypeListSchema } },
    },
  },
});

const listEventsRoute = createRoute({
  method: 'get',
  path: '/events',
  operationId: 'listEvents',
  summary: 'Read the event feed',
  description:
    'The events webhooks deliver, for integrations that cannot receive them: in commit order, 30 days back. Each item is a webhook body (`type`, `timestamp`, `data`) with its `id`. Keep `nextCursor` and pass it as `after`: you get every event once, none skipped, even while other changes are being committed. A vendor key reads every event; a partner or distributor key the events of the orders it owns or placed.',
  tags: ['Events'],
  security,
  request: { query: listEventsQuerySchema },
  responses: {
    200: {
      description: 'The next events, oldest first.',
      content: { 'application/json': { schema: eventPageSchema } },
    },
    400: problem(
      '`invalid_parameter`: `after` is not a cursor this API handed out, or `types` names an event type that does not exist; `errors` names it.',
    ),
    429: rateLimited(
      '`too_many_list_requests`: your organization already runs as many lists and reads at once as it may.',
    ),
    503: unavailable('`query_timeout`: the read took longer than the time allowed.'),
  },
});

export function registerEventRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(listEventTypesRoute, (c) => c.json({ data: [...PUBLISHED_EVENT_TYPES] }, 200));
  api.openapi(listEventsRoute, async (c) => {
    const query = c.req.valid('query');
    return c.json(await listEvents(c.get('ctx'), query), 200);
  });
}
