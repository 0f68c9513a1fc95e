import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { orderLineSchema } from '../orders/schema.ts';
import { getOrderLine } from '../orders/service.ts';
import { changeContactResultSchema, changeContactSchema, transactionSchema } from './schema.ts';
import { changeProvisioningContact, resendProvisioningEmail } from './service.ts';
import { startProvisioningNow } from './start-now.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];
const params = z.object({
  orderId: z.string().openapi({ format: 'uuid' }),
  lineId: z.string().openapi({ format: 'uuid' }),
});
const refusals = {
  401: problem('Missing or unknown API key.'),
  403: problem('`edit_rights_required`: this caller sees the order but may not change it; ask its placer.'),
  404: problem('No such order or line for this caller.'),
  409: problem(
    '`point_of_no_return`: the subscription is mapped; provisioning is completed in the admin hub.',
  ),
};

const resendRoute = createRoute({
  method: 'post',
  path: '/orders/{orderId}/lines/{lineId}/provisioning-email/resend',
  operationId: 'resendProvisioningEmail',
  summary: 'Resend the provisioning email',
  description:
    'Sends the provisioning email of this line again, with a new setup link (the previous link stops working). Allowed after the first email, also after the Requested Start Date, until the Point of No Return. At most 3 resends per line in 10 minutes and 10 in 24 hours.',
  tags: ['Provisioning'],
  security,
  request: { params },
  responses: {
    202: {
      description:
        'The resend transaction; its status becomes `sent` or `failed` when the mail server answers.',
      content: { 'application/json': { schema: transactionSchema } },
    },
    ...refusals,
    409: problem(
      '`resend_before_first_email`: the first email has not gone out yet; `point_of_no_return`: the subscription is mapped.',
    ),
    429: {
      ...problem('`resend_rate_limited`: too many resends of this line; see `Retry-After`.'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

const changeContactRoute = createRoute({
  method: 'put',
  path: '/orders/{orderId}/lines/{lineId}/provisioning-contact',
  operationId: 'changeProvisioningContact',
  summary: 'Change the provisioning contact',
  description:
    'Sets a new provisioning contact email on this line, or with `applyToAllLines` on every line of the order before the Point of No Return. Where the email already went out, the new contact gets it with new links and the old address a short notice. Send the line’s `ETag` as `If-Match`: a change without it is refused (428), and one made on another version than the line’s current one too (412), so that nobody overwrites a change they have not seen.',
  tags: ['Provisioning'],
  security,
  request: {
    params,
    headers: z.object({
      // Optional to the validator, so that a missing header is a 428 rather than a 422.
      'if-match': z
        .string()
        .max(200)
        .optional()
        .openapi({
          param: { required: true },
          description:
            'The line’s `ETag` (from `getOrderLine`), e.g. `"v3"`; `*` changes whatever the version.',
          example: '"v3"',
        }),
    }),
    body: { required: true, content: { 'application/json': { schema: changeContactSchema } } },
  },
  responses: {
    200: {
      description: "One transaction per changed line; the `ETag` header is the line's new version.",
      headers: { ETag: { schema: { type: 'string' }, description: "The line's new version." } },
      content: { 'application/json': { schema: changeContactResultSchema } },
    },
    ...refusals,
    412: problem('`precondition_failed`: `If-Match` does not match the line’s current ETag.'),
    428: problem('`precondition_required`: send the line’s `ETag` as `If-Match`.'),
    422: problem('Invalid request, e.g. `email` is not an email address.'),
  },
});

const startNowRoute = createRoute({
  method: 'post',
  path: '/orders/{orderId}/lines/{lineId}/provisioning/start-now',
  operationId: 'startProvisioningNow',
  summary: 'Start provisioning a future-dated line now',
  description:
    'For a line booked for a later day whose provisioning email has not gone out: its Requested Start Date becomes today (in your organization’s time zone) and the provisioning email is sent as on that date, with its setup link. The line’s history records who started it. Lets an integration be tested end to end without waiting for the date.',
  tags: ['Provisioning'],
  security,
  request: { params },
  responses: {
    202: {
      description:
        'The line, starting today; its provisioning email is queued. The `ETag` header is its new version.',
      headers: {
        ETag: { required: true, schema: { type: 'string' }, description: "The line's new version." },
      },
      content: { 'application/json': { schema: orderLineSchema } },
    },
    ...refusals,
    409: problem(
      '`start_now_already_sent`: the provisioning email already went out (use `resendProvisioningEmail`); `start_now_not_in_future`: the line starts today or earlier and is being sent; `point_of_no_return`: the subscription is mapped.',
    ),
  },
});

export function registerProvisioningRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(resendRoute, async (c) => {
    const { orderId, lineId } = c.req.valid('param');
    return c.json(await resendProvisioningEmail(c.get('ctx'), orderId, lineId), 202);
  });
  api.openapi(startNowRoute, async (c) => {
    const { orderId, lineId } = c.req.valid('param');
    const ctx = c.get('ctx');
    await startProvisioningNow(ctx, orderId, lineId);
    const line = await getOrderLine(ctx, orderId, lineId);
    c.header('ETag', line.etag);
    return c.json(line, 202);
  });
  api.openapi(changeContactRoute, async (c) => {
    const { orderId, lineId } = c.req.valid('param');
    const body = c.req.valid('json');
    const ifMatch = c.req.valid('header')['if-match'];
    const ctx = c.get('ctx');
    const result = await changeProvisioningContact(ctx, orderId, lineId, {
      email: body.email,
      applyToAllLines: body.applyToAllLines ?? false,
      ...(ifMatch === undefined ? {} : { ifMatch }),
    });
    c.header('ETag', (await getOrderLine(ctx, orderId, lineId)).etag);
    return c.json(result, 200);
  });
}
