import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { translator } from '../../platform/i18n.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { getLineHistory, renderEntry, renderNextStep } from './timeline.ts';
import { listTransactions } from './transactions.ts';
import { listTransactionsQuerySchema, transactionListSchema } from './transactions-schema.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];

const listTransactionsRoute = createRoute({
  method: 'get',
  path: '/transactions',
  operationId: 'listTransactions',
  summary: 'List provisioning email updates and resends',
  description:
    'The Transaction Manager: every provisioning contact change and resend on your orders, newest first, with its status. Pass `nextCursor` back as `cursor` for the next page.',
  tags: ['Provisioning'],
  security,
  request: { query: listTransactionsQuerySchema },
  responses: {
    200: {
      description: 'A page of transactions.',
      content: { 'application/json': { schema: transactionListSchema } },
    },
    401: problem('Missing or unknown API key.'),
    422: problem('Invalid request (e.g. a tampered cursor).'),
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

const entrySchema = z.object({
  kind: z.enum([
    'ordered',
    'started_now',
    'email_sent',
    'link_opened',
    'resent',
    'contact_changed',
    'escalated',
    'billing_started',
    'mapped',
    'provisioned',
    'closed',
  ]),
  at: z.iso.datetime(),
  actor: z.string().nullable(),
  params: z.record(z.string(), z.string()),
  text: z.string().openapi({ description: 'The entry as a sentence in your language.' }),
});

const lineHistorySchema = z
  .object({
    lineId: z.uuid(),
    subscriptionId: z.string(),
    entries: z.array(entrySchema),
    next: z.object({
      key: z.enum(['email_on', 'billing_on', 'billing_started_pending', 'mapped', 'provisioned']),
      params: z.record(z.string(), z.string()),
      text: z.string().openapi({ example: 'Billing starts on 12 Dec 2026 if nobody sets it up.' }),
    }),
  })
  .openapi('LineHistory');

const getLineHistoryRoute = createRoute({
  method: 'get',
  path: '/orders/{orderId}/lines/{lineId}/history',
  operationId: 'getLineHistory',
  summary: "A line's provisioning history and what happens next",
  tags: ['Provisioning'],
  security,
  request: {
    params: z.object({
      orderId: z.string().openapi({ format: 'uuid' }),
      lineId: z.string().openapi({ format: 'uuid' }),
    }),
  },
  responses: {
    200: {
      description: 'The history, oldest first.',
      content: { 'application/json': { schema: lineHistorySchema } },
    },
    401: problem('Missing or unknown API key.'),
    404: problem('No such line for this caller.'),
  },
});

export function registerProvisioningHistoryRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(listTransactionsRoute, async (c) =>
    c.json(await listTransactions(c.get('ctx'), c.req.valid('query')), 200),
  );
  api.openapi(getLineHistoryRoute, async (c) => {
    const { orderId, lineId } = c.req.valid('param');
    const history = await getLineHistory(c.get('ctx'), orderId, lineId);
    const locale = c.get('locale');
    const t = translator(locale);
    return c.json(
      {
        ...history,
        entries: history.entries.map((e) => ({ ...e, text: renderEntry(t, e) })),
        next: { ...history.next, text: renderNextStep(t, c.get('ctx'), history.next) },
      },
      200,
    );
  });
}
