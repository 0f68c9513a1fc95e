import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { DomainError } from '../../platform/errors.ts';
import type { AppEnv } from '../../platform/http.ts';
import { problem } from '../../platform/openapi.ts';
import { SUBSCRIPTION_STAGE_NAMES } from '../events/catalogue.ts';
import { mayFulfil } from '../identity/policy.ts';
import { answerRequest, type ProvisionRequestView } from './requests.ts';
import {
  answerCodeSchema,
  answerMessageSchema,
  externalTenantIdSchema,
  PROVISION_REQUEST_STATES,
  provisionAnswerSchema,
} from './schema.ts';
import { getSubscriptionView, type SubscriptionView } from './subscription-view.ts';

const security = [{ bearerAuth: [] }];
const REQUEST_ID = '0f8d6c1e-5b3a-4e2f-9a7c-1d2e3f4a5b6c';

const setupSchema = z
  .object({
    sites: z.array(
      z.object({
        name: z.string(),
        timeZone: z.string(),
        earlyRelease: z.boolean(),
        licenses: z.number().int(),
      }),
    ),
    location: z
      .object({
        name: z.string(),
        country: z.string(),
        addressLine1: z.string(),
        addressLine2: z.string().nullable(),
        city: z.string(),
        stateRegion: z.string().nullable(),
        postalCode: z.string().nullable(),
        timeZone: z.string(),
        language: z.string(),
      })
      .nullable(),
    subdomain: z.string().nullable(),
    locale: z.string(),
  })
  .openapi('ProvisionSetup', { description: 'The service setup as it was when Provision was pressed.' });

export const provisionRequestSchema = z
  .object({
    id: z.uuid().openapi({ description: 'Also the `webhook-id` of every delivery of the request.' }),
    subscriptionId: z.string(),
    action: z.enum(['create']),
    mode: z.enum(['manual', 'http']).openapi({
      description:
        "`http`: sent to the vendor's service; `manual`: an operator fulfils it in the back office.",
    }),
    state: z.enum(PROVISION_REQUEST_STATES).openapi({
      description:
        "`open`: waiting for an answer; `succeeded`, `failed`, `needs_info`: the answer; `given_up`: the vendor's service never answered and Provisio stopped sending (Retry sends the same request again).",
    }),
    supersedes: z
      .uuid()
      .nullable()
      .openapi({ description: 'The request this one follows (a retry or a resubmission).' }),
    attempts: z.number().int(),
    createdAt: z.iso.datetime(),
    openedAt: z.iso.datetime(),
    acceptedAt: z.iso
      .datetime()
      .nullable()
      .openapi({ description: "When the vendor's service answered 202." }),
    answeredAt: z.iso.datetime().nullable(),
    answeredBy: z.enum(['vendor_service', 'operator', 'provisio']).nullable(),
    externalTenantId: externalTenantIdSchema.nullable(),
    code: answerCodeSchema.nullable(),
    message: answerMessageSchema.nullable(),
    fields: z.array(z.string()),
    setup: setupSchema,
  })
  .openapi('ProvisionRequest', {
    example: {
      id: REQUEST_ID,
      subscriptionId: 'SUB-10000001',
      action: 'create',
      mode: 'http',
      state: 'succeeded',
      supersedes: null,
      attempts: 1,
      createdAt: '2026-12-04T11:00:00.000Z',
      openedAt: '2026-12-04T11:00:00.000Z',
      acceptedAt: '2026-12-04T11:00:01.000Z',
      answeredAt: '2026-12-04T11:05:00.000Z',
      answeredBy: 'vendor_service',
      externalTenantId: 'tenant-4711',
      code: null,
      message: null,
      fields: [],
      setup: {
        sites: [{ name: 'acme', timeZone: 'Europe/Rome', earlyRelease: false, licenses: 50 }],
        location: null,
        subdomain: 'acme',
        locale: 'it',
      },
    },
  });

export function requestJson(r: ProvisionRequestView) {
  return {
    id: r.id,
    subscriptionId: r.subscriptionId,
    action: r.action,
    mode: r.mode,
    state: r.state,
    supersedes: r.supersedes,
    attempts: r.attempts,
    createdAt: r.createdAt.toISOString(),
    openedAt: r.openedAt.toISOString(),
    acceptedAt: r.acceptedAt?.toISOString() ?? null,
    answeredAt: r.answeredAt?.toISOString() ?? null,
    answeredBy: r.answeredBy,
    externalTenantId: r.externalTenantId,
    code: r.code,
    message: r.message,
    fields: r.fields,
    setup: r.setup,
  };
}

const subscriptionSchema = z
  .object({
    id: z.string(),
    orderId: z.uuid(),
    lineId: z.uuid(),
    offerCode: z.string(),
    quantity: z.number().int(),
    stage: z.enum(SUBSCRIPTION_STAGE_NAMES),
    stageChangedAt: z.iso.datetime().nullable(),
    partnerOrgId: z.uuid().nullable(),
    customerOrgId: z.uuid().nullable(),
    mappedAt: z.iso.datetime().nullable(),
    provisionedAt: z.iso.datetime().nullable(),
    billingStart: z
      .object({
        date: z.string().openapi({ description: 'The day billing started (UTC).', example: '2026-12-04' }),
        startedAt: z.iso.datetime(),
        reason: z.enum(['provisioned', 'policy']),
      })
      .nullable()
      .openapi({
        description: 'Null until billing starts: when it was provisioned, or when the policy window ran out.',
      }),
    externalTenantId: z.string().nullable(),
    provisionRequest: provisionRequestSchema.nullable().openapi({
      description:
        "The latest fulfilment request (for offers the vendor's service or an operator provisions).",
    }),
  })
  .openapi('Subscription', {
    example: {
      id: 'SUB-10000001',
      orderId: '7d1f3c52-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      lineId: '0b9c6a57-4a3e-4f5b-9c1e-2f7d8a1b3c4d',
      offerCode: 'A-WX',
      quantity: 50,
      stage: 'provisioning',
      stageChangedAt: '2026-12-04T11:00:00.000Z',
      partnerOrgId: '3f2b1c0d-9e8f-4a7b-8c6d-5e4f3a2b1c0d',
      customerOrgId: '6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d',
      mappedAt: '2026-12-02T09:30:00.000Z',
      provisionedAt: null,
      billingStart: null,
      externalTenantId: null,
      provisionRequest: {
        id: REQUEST_ID,
        subscriptionId: 'SUB-10000001',
        action: 'create',
        mode: 'http',
        state: 'open',
        supersedes: null,
        attempts: 1,
        createdAt: '2026-12-04T11:00:00.000Z',
        openedAt: '2026-12-04T11:00:00.000Z',
        acceptedAt: '2026-12-04T11:00:01.000Z',
        answeredAt: null,
        answeredBy: null,
        externalTenantId: null,
        code: null,
        message: null,
        fields: [],
        setup: {
          sites: [{ name: 'acme', timeZone: 'Europe/Rome', earlyRelease: false, licenses: 50 }],
          location: null,
          subdomain: 'acme',
          locale: 'it',
        },
      },
    },
  });

function subscriptionJson(s: SubscriptionView) {
  return {
    id: s.id,
    orderId: s.orderId,
    lineId: s.lineId,
    offerCode: s.offerCode,
    quantity: s.quantity,
    stage: s.stage,
    stageChangedAt: s.stageChangedAt?.toISOString() ?? null,
    partnerOrgId: s.partnerOrgId,
    customerOrgId: s.customerOrgId,
    mappedAt: s.mappedAt?.toISOString() ?? null,
    provisionedAt: s.provisionedAt?.toISOString() ?? null,
    billingStart: s.billingStart
      ? {
          date: s.billingStart.date,
          startedAt: s.billingStart.startedAt.toISOString(),
          reason: s.billingStart.reason,
        }
      : null,
    externalTenantId: s.externalTenantId,
    provisionRequest: s.provisionRequest ? requestJson(s.provisionRequest) : null,
  };
}

const getSubscriptionRoute = createRoute({
  method: 'get',
  path: '/subscriptions/{subscriptionId}',
  operationId: 'getSubscription',
  summary: 'Get a subscription: its stage, billing start and provisioning',
  tags: ['Subscriptions'],
  security,
  request: { params: z.object({ subscriptionId: z.string().max(40).openapi({ example: 'SUB-10000001' }) }) },
  responses: {
    200: {
      description: 'The subscription.',
      content: { 'application/json': { schema: subscriptionSchema } },
    },
    401: problem('Missing or unknown API key.'),
    404: problem('No such subscription for this caller.'),
  },
});

const reportRoute = createRoute({
  method: 'post',
  path: '/provision-requests/{requestId}/result',
  operationId: 'reportProvisionResult',
  summary: "Report a fulfilment request's result (the vendor's service)",
  description:
    "For the vendor's service, with an API key of the vendor's organization, after it answered a request with 202: `succeeded` with the tenant's id (the subscription becomes active and billing starts), `failed` with a code and a message, or `needs_info` with the setup fields at fault and a message (the customer's admin edits them and resubmits, which makes a new request). Reporting the same result again answers 200 with `Idempotent-Replayed: true`; a different result for an answered request is refused with 409.",
  tags: ['Fulfilment'],
  security,
  request: {
    params: z.object({ requestId: z.string().max(64).openapi({ format: 'uuid', example: REQUEST_ID }) }),
    body: { required: true, content: { 'application/json': { schema: provisionAnswerSchema } } },
  },
  responses: {
    200: {
      description: 'The request with its answer.',
      headers: {
        'Idempotent-Replayed': {
          schema: { type: 'string' },
          description: '`true` when this result had been reported already.',
        },
      },
      content: { 'application/json': { schema: provisionRequestSchema } },
    },
    401: problem('Missing or unknown API key.'),
    403: problem("`fulfilment_vendor_only`: only the vendor's API keys report results."),
    404: problem('No such fulfilment request.'),
    409: problem(
      '`provision_request_answered`: the request has another answer already, or Provisio gave it up (`state` says which).',
    ),
    422: problem('Invalid result: each field at fault is named.'),
  },
});

export function registerFulfilmentRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(getSubscriptionRoute, async (c) =>
    c.json(
      subscriptionJson(await getSubscriptionView(c.get('ctx'), c.req.valid('param').subscriptionId)),
      200,
    ),
  );
  api.openapi(reportRoute, async (c) => {
    const ctx = c.get('ctx');
    if (!mayFulfil(ctx.actor)) throw new DomainError('fulfilment_vendor_only', 403);
    const { request, repeated } = await answerRequest(
      ctx,
      c.req.valid('param').requestId,
      c.req.valid('json'),
      {
        by: 'vendor_service',
      },
    );
    if (repeated) c.header('Idempotent-Replayed', 'true');
    return c.json(requestJson(request), 200);
  });
}
