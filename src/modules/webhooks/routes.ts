import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { WEBHOOK_ENDPOINTS_PER_OWNER } from '../../platform/limits.ts';
import { problem } from '../../platform/openapi.ts';
import {
  listWebhookDeliveries,
  recoverWebhookEndpoint,
  retryWebhookDelivery,
  sendTestWebhook,
} from './deliveries.ts';
import {
  createdEndpointSchema,
  createEndpointSchema,
  deliveryListSchema,
  deliveryParams,
  deliverySchema,
  endpointListSchema,
  endpointParams,
  endpointSchema,
  listDeliveriesQuerySchema,
  recoveredSchema,
  recoverSchema,
  rotatedSecretSchema,
  testSentSchema,
  updateEndpointSchema,
} from './schema.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from './service.ts';

const tags = ['Webhooks'];
const security = [{ bearerAuth: [] }];
const json = <T>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const WHO =
  "A partner's or distributor's API key manages its organization's endpoints (the events of its own orders); the vendor organization's keys manage the vendor's endpoints (every partner's events).";
const notYours = problem(
  '`not_found`: no such endpoint for this caller (another organization’s is not found either).',
);
const disabled = problem('`webhook_endpoint_disabled`: enable the endpoint first (updateWebhookEndpoint).');
const body = <T>(schema: T) => ({ body: { required: true, content: { 'application/json': { schema } } } });

const createRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints',
  operationId: 'createWebhookEndpoint',
  summary: 'Register a webhook endpoint',
  description: `Events are POSTed to it as Standard Webhooks (\`webhook-id\`: the event's id, the same on every retry; \`webhook-timestamp\`; \`webhook-signature\`: \`v1,\` + base64 HMAC-SHA256 of \`id.timestamp.body\` with the secret). The answer holds the signing secret, shown this once. ${WHO} At most ${WEBHOOK_ENDPOINTS_PER_OWNER} endpoints each.`,
  tags,
  security,
  request: body(createEndpointSchema),
  responses: {
    201: json(createdEndpointSchema, 'The endpoint, with its secret.'),
    404: problem('`not_found`: this caller cannot have webhook endpoints.'),
    409: problem(`\`webhook_endpoint_limit\`: there are ${WEBHOOK_ENDPOINTS_PER_OWNER} endpoints already.`),
    422: problem(
      '`validation_failed`: e.g. `url` not https in production (`webhook_url_https`), with a user name or password, resolving to a private, loopback, link-local or metadata address (`webhook_url_private_target`), or to nothing (`webhook_url_unresolvable`); an unknown event type.',
    ),
  },
});

const listRouteDef = createRoute({
  method: 'get',
  path: '/webhook-endpoints',
  operationId: 'listWebhookEndpoints',
  summary: 'List your webhook endpoints',
  description: `Oldest first, without their secrets. ${WHO}`,
  tags,
  security,
  responses: {
    200: json(endpointListSchema, 'The endpoints.'),
    404: problem('`not_found`: this caller cannot have webhook endpoints.'),
  },
});

const updateRouteDef = createRoute({
  method: 'patch',
  path: '/webhook-endpoints/{endpointId}',
  operationId: 'updateWebhookEndpoint',
  summary: 'Change a webhook endpoint',
  description:
    'Only the fields sent change. `enabled: false` stops deliveries; `enabled: true` sends what waits and forgets past failures.',
  tags,
  security,
  request: { params: endpointParams, ...body(updateEndpointSchema) },
  responses: {
    200: json(endpointSchema, 'The endpoint as it now is.'),
    404: notYours,
    422: problem('`validation_failed`: as for createWebhookEndpoint.'),
  },
});

const deleteRouteDef = createRoute({
  method: 'delete',
  path: '/webhook-endpoints/{endpointId}',
  operationId: 'deleteWebhookEndpoint',
  summary: 'Delete a webhook endpoint',
  description: 'With its deliveries and their attempts. Nothing more is sent to it.',
  tags,
  security,
  request: { params: endpointParams },
  responses: { 204: { description: 'Deleted.' }, 404: notYours },
});

const rotateRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{endpointId}/secret/rotate',
  operationId: 'rotateWebhookSecret',
  summary: "Rotate an endpoint's signing secret",
  description:
    'A new secret, shown this once. For 24 hours every delivery carries two signatures (new and previous secret), so the receiver can switch without a gap. Rotating twice in a row retires the previous secret at once.',
  tags,
  security,
  request: { params: endpointParams },
  responses: { 200: json(rotatedSecretSchema, 'The new secret.'), 404: notYours },
});

const testRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{endpointId}/test',
  operationId: 'sendTestWebhook',
  summary: 'Send a test event',
  description:
    'Queues a `webhook_endpoint.test` delivery (`data`: `endpointId`, `description`), signed and retried like any other; its `webhook-id` is the delivery id. Acknowledge types you do not handle with a 2xx.',
  tags,
  security,
  request: { params: endpointParams },
  responses: { 202: json(testSentSchema, 'Queued.'), 404: notYours, 409: disabled },
});

const deliveriesRouteDef = createRoute({
  method: 'get',
  path: '/webhook-endpoints/{endpointId}/deliveries',
  operationId: 'listWebhookDeliveries',
  summary: "An endpoint's delivery log",
  description:
    'Newest first, each delivery with its attempts (status, latency, the first 2 KB of the answer), kept 30 days. Pass `nextCursor` back as `cursor`.',
  tags,
  security,
  request: { params: endpointParams, query: listDeliveriesQuerySchema },
  responses: {
    200: json(deliveryListSchema, 'A page of deliveries.'),
    404: notYours,
    422: problem('`validation_failed`: e.g. a `cursor` this API did not hand out.'),
  },
});

const retryRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/retry',
  operationId: 'retryWebhookDelivery',
  summary: 'Attempt a delivery again now',
  description: 'Delivered, failed or waiting: it is attempted again at once, in a new round of 9 attempts.',
  tags,
  security,
  request: { params: deliveryParams },
  responses: { 202: json(deliverySchema, 'Queued again.'), 404: notYours, 409: disabled },
});

const recoverRouteDef = createRoute({
  method: 'post',
  path: '/webhook-endpoints/{endpointId}/recover',
  operationId: 'recoverWebhookEndpoint',
  summary: 'Resend everything since a time',
  description:
    'Every event since `since` that the endpoint wants and may see (of `eventTypes`, when given), delivered before or not, is sent again with its original `webhook-id`, in order per subscription. Events are kept 30 days.',
  tags,
  security,
  request: { params: endpointParams, ...body(recoverSchema) },
  responses: {
    202: json(recoveredSchema, 'Queued.'),
    404: notYours,
    409: disabled,
    422: problem('`validation_failed`: e.g. `since` in the future.'),
  },
});

export function registerWebhookRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(createRouteDef, async (c) => {
    const { endpoint, secret } = await createWebhookEndpoint(c.get('ctx'), c.req.valid('json'));
    c.header('Cache-Control', 'no-store');
    return c.json({ ...endpoint, secret }, 201);
  });
  api.openapi(listRouteDef, async (c) => c.json({ items: await listWebhookEndpoints(c.get('ctx')) }, 200));
  api.openapi(updateRouteDef, async (c) =>
    c.json(
      await updateWebhookEndpoint(c.get('ctx'), c.req.valid('param').endpointId, c.req.valid('json')),
      200,
    ),
  );
  api.openapi(deleteRouteDef, async (c) => {
    await deleteWebhookEndpoint(c.get('ctx'), c.req.valid('param').endpointId);
    return c.body(null, 204);
  });
  api.openapi(rotateRouteDef, async (c) =>
    c.json(await rotateWebhookSecret(c.get('ctx'), c.req.valid('param').endpointId), 200),
  );
  api.openapi(testRouteDef, async (c) =>
    c.json(await sendTestWebhook(c.get('ctx'), c.req.valid('param').endpointId), 202),
  );
  api.openapi(deliveriesRouteDef, async (c) =>
    c.json(
      await listWebhookDeliveries(c.get('ctx'), c.req.valid('param').endpointId, c.req.valid('query')),
      200,
    ),
  );
  api.openapi(retryRouteDef, async (c) => {
    const { endpointId, deliveryId } = c.req.valid('param');
    return c.json(await retryWebhookDelivery(c.get('ctx'), endpointId, deliveryId), 202);
  });
  api.openapi(recoverRouteDef, async (c) =>
    c.json(
      await recoverWebhookEndpoint(c.get('ctx'), c.req.valid('param').endpointId, c.req.valid('json')),
      202,
    ),
  );
}
