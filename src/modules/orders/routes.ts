import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { IDEMPOTENCY_KEY_MAX_LENGTH, REQUEST_BODY_MAX_MEGABYTES } from '../../platform/limits.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { identifierText } from '../../platform/text.ts';
import {
  createOrderSchema,
  listOrdersQuerySchema,
  orderLineSchema,
  orderListSchema,
  orderSchema,
} from './schema.ts';
import { listOrders } from './search.ts';
import { createOrder, getOrder, getOrderLine } from './service.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const problems = {
  401: problem('Missing or unknown API key.'),
  404: problem('No such order for this caller.'),
  422: problem('Invalid request.'),
};
const security = [{ bearerAuth: [] }];

const createOrderRoute = createRoute({
  method: 'post',
  path: '/orders',
  operationId: 'createOrder',
  summary: 'Place an order',
  description:
    'Books an order with one or more subscription lines. Each line needs only an offer, a quantity, a Requested Start Date and a provisioning contact email; its services come from the offer. Send an `Idempotency-Key` header to retry safely: the same key and body return the first response again, the same key with another body is refused with 422.',
  tags: ['Orders'],
  security,
  request: {
    headers: z.object({
      'idempotency-key': identifierText(IDEMPOTENCY_KEY_MAX_LENGTH)
        .optional()
        .openapi({ description: 'Makes retries safe; scoped to your organization.' }),
    }),
    body: { required: true, content: { 'application/json': { schema: createOrderSchema } } },
  },
  responses: {
    201: {
      description: 'The order, with its lines and their subscriptions.',
      content: { 'application/json': { schema: orderSchema } },
    },
    400: problem('The body is not valid JSON.'),
    409: problem('This reference is already used by another of your orders.'),
    413: problem(`The body is larger than ${REQUEST_BODY_MAX_MEGABYTES} MB.`),
    ...problems,
  },
});

const getOrderRoute = createRoute({
  method: 'get',
  path: '/orders/{orderId}',
  operationId: 'getOrder',
  summary: 'Get an order',
  tags: ['Orders'],
  security,
  request: { params: z.object({ orderId: z.string().openapi({ format: 'uuid' }) }) },
  responses: {
    200: { description: 'The order.', content: { 'application/json': { schema: orderSchema } } },
    401: problems[401],
    404: problems[404],
  },
});

const listOrdersRoute = createRoute({
  method: 'get',
  path: '/orders',
  operationId: 'listOrders',
  summary: 'List and search orders',
  description: 'Newest first. Pass `nextCursor` back as `cursor` for the next page.',
  tags: ['Orders'],
  security,
  request: { query: listOrdersQuerySchema },
  responses: {
    200: { description: 'A page of orders.', content: { 'application/json': { schema: orderListSchema } } },
    401: problems[401],
    422: problems[422],
    429: {
      ...problem(
        '`too_many_list_requests`: your organization already runs as many lists and searches at once as it may; see `Retry-After`.',
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
    503: {
      ...problem(
        '`query_timeout`: the list took longer than the time allowed and was stopped; narrow it or retry after `Retry-After`. `service_unavailable`: the database is out of reach.',
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

const getOrderLineRoute = createRoute({
  method: 'get',
  path: '/orders/{orderId}/lines/{lineId}',
  operationId: 'getOrderLine',
  summary: 'Get an order line',
  tags: ['Orders'],
  security,
  request: {
    params: z.object({
      orderId: z.string().openapi({ format: 'uuid' }),
      lineId: z.string().openapi({ format: 'uuid' }),
    }),
  },
  responses: {
    200: {
      description: 'The line; its `ETag` header is its version, for `If-Match`.',
      headers: { ETag: { schema: { type: 'string' }, description: "The line's version." } },
      content: { 'application/json': { schema: orderLineSchema } },
    },
    401: problems[401],
    404: problems[404],
  },
});

export function registerOrderRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(createOrderRoute, async (c) => {
    const { order, replayed } = await createOrder(
      c.get('ctx'),
      c.req.valid('json'),
      c.req.valid('header')['idempotency-key'],
    );
    if (replayed) c.header('Idempotent-Replayed', 'true');
    c.header('Location', `/api/v1/orders/${order.id}`);
    return c.json(order, 201);
  });
  api.openapi(getOrderRoute, async (c) =>
    c.json(await getOrder(c.get('ctx'), c.req.valid('param').orderId), 200),
  );
  api.openapi(listOrdersRoute, async (c) =>
    c.json(await listOrders(c.get('ctx'), c.req.valid('query')), 200),
  );
  api.openapi(getOrderLineRoute, async (c) => {
    const { orderId, lineId } = c.req.valid('param');
    const line = await getOrderLine(c.get('ctx'), orderId, lineId);
    c.header('ETag', line.etag);
    return c.json(line, 200);
  });
}
