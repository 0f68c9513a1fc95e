import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { provisionSubscription } from './provision.ts';
import { saveCallingLocation, saveEnterpriseSubdomain, saveMeetingSites } from './service-saves.ts';
import {
  availabilitySchema,
  callingLocationSchema,
  meetingSitesBodySchema,
  provisionResultSchema,
  setupProgressSchema,
  siteNameQuerySchema,
  subdomainBodySchema,
  subdomainQuerySchema,
} from './service-schema.ts';
import {
  checkSiteNameAvailability,
  checkSubdomainAvailability,
  type SetupProgress,
  setupProgress,
} from './services.ts';
import { orderSummaryPdf } from './summary-pdf.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];
const tags = ['Service setup'];
const params = z.object({ subscriptionId: z.string().max(40).openapi({ example: 'SUB-1001' }) });
const refusals = {
  401: problem('Missing or unknown API key.'),
  403: problem(
    'This caller sees the subscription but may not set it up (the customer sets up its own services).',
  ),
  404: problem('No such subscription for this caller.'),
};
const retryAfter = {
  'Retry-After': { schema: { type: 'integer' as const }, description: 'Seconds to wait.' },
};
const checksLimited = {
  429: {
    ...problem(
      '`setup_name_checks_rate_limited`: this organization (or setup link) used its hourly name checks.',
    ),
    headers: retryAfter,
  },
};
const conflict = {
  503: {
    ...problem(
      '`transaction_conflict`: a simultaneous change to the same setup won, three times; nothing was saved, try again.',
    ),
    headers: retryAfter,
  },
};
const saveRefusals = {
  ...refusals,
  ...conflict,
  409: problem(
    '`setup_not_mapped`: map the subscription first; `already_provisioned`: Provision was pressed; `services_step_not_ordered`: the subscription has no such service.',
  ),
  422: problem('Invalid input, each field named.'),
};
const changeRefusals = {
  ...refusals,
  ...conflict,
  429: {
    ...problem(
      '`setup_reservations_rate_limited`: this organization (or setup link) newly reserved its hourly allowance of site names and subdomains (names the setup already holds are not counted); nothing was saved.',
    ),
    headers: retryAfter,
  },
  409: problem(
    '`setup_not_mapped`: map the subscription first; `already_provisioned`: Provision was pressed; `services_step_not_ordered`: the subscription has no such service; `services_subdomain_already_set`: the organization has its subdomain.',
  ),
  422: problem(
    'Invalid input, each field named: e.g. a site name taken, licences that do not add up, `services_reservation_lifetime_over` (the setup held the name for `SETUP_RESERVATION_MAX_DAYS` without Provision).',
  ),
};
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

function progressBody(p: SetupProgress): z.infer<typeof setupProgressSchema> {
  return {
    subscriptionId: p.setup.subscriptionId,
    steps: p.steps,
    missing: p.missing,
    next: p.next,
    sites: p.sites,
    location: p.location,
    subdomain: p.subdomain,
    provisionedAt: p.setup.provisionedAt?.toISOString() ?? null,
    billingStartedAt: p.setup.billingStartedAt?.toISOString() ?? null,
    billingStartReason: p.setup.billingStartReason,
  };
}

const siteAvailability = createRoute({
  method: 'get',
  path: '/meeting-sites/availability',
  operationId: 'checkSiteNameAvailability',
  summary: 'Is a site URL name available?',
  description:
    'Site URL names are unique across every organization; a reservation that ran out counts as free.',
  tags,
  security,
  request: { query: siteNameQuerySchema },
  responses: { 200: json(availabilitySchema, 'Availability.'), 401: refusals[401], ...checksLimited },
});
const subdomainAvailability = createRoute({
  method: 'get',
  path: '/enterprise-subdomains/availability',
  operationId: 'checkSubdomainAvailability',
  summary: 'Is an enterprise subdomain available?',
  tags,
  security,
  request: { query: subdomainQuerySchema },
  responses: { 200: json(availabilitySchema, 'Availability.'), 401: refusals[401], ...checksLimited },
});
const getSetupRoute = createRoute({
  method: 'get',
  path: '/subscriptions/{subscriptionId}/setup/services',
  operationId: 'getServiceSetup',
  summary: 'Service setup progress',
  description:
    'The steps this subscription has (by its services), what is saved, and the first incomplete step.',
  tags,
  security,
  request: { params },
  responses: {
    200: json(setupProgressSchema, 'The setup.'),
    ...refusals,
    409: problem('`setup_not_mapped`.'),
  },
});
const putSites = createRoute({
  method: 'put',
  path: '/subscriptions/{subscriptionId}/setup/meeting-sites',
  operationId: 'saveMeetingSites',
  summary: 'Save the Meetings sites',
  description: `Replaces the subscription's sites; their names are reserved until Provision (or released after ${48} hours by default).`,
  tags,
  security,
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: meetingSitesBodySchema } } },
  },
  responses: { 200: json(setupProgressSchema, 'The setup after the save.'), ...changeRefusals },
});
const putLocation = createRoute({
  method: 'put',
  path: '/subscriptions/{subscriptionId}/setup/calling-location',
  operationId: 'saveCallingLocation',
  summary: 'Save the main Calling location',
  tags,
  security,
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: callingLocationSchema } } },
  },
  responses: { 200: json(setupProgressSchema, 'The setup after the save.'), ...saveRefusals },
});
const putSubdomain = createRoute({
  method: 'put',
  path: '/subscriptions/{subscriptionId}/setup/enterprise-subdomain',
  operationId: 'saveEnterpriseSubdomain',
  summary: 'Save the enterprise subdomain',
  tags,
  security,
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: subdomainBodySchema } } },
  },
  responses: { 200: json(setupProgressSchema, 'The setup after the save.'), ...changeRefusals },
});
const provisionRoute = createRoute({
  method: 'post',
  path: '/subscriptions/{subscriptionId}/provision',
  operationId: 'provisionSubscription',
  summary: 'Provision: activate the subscription and start billing',
  description:
    "Idempotent: pressing again, retrying or racing answers the same result; billing starts once. A line the policy window already billed keeps its billing start date and reason. On an offer the vendor's service or an operator fulfils, Provision makes a fulfilment request and answers 202: the subscription is `provisioning` until their answer activates it (billing starts then), fails it or asks for information. After a failure or a request for information, calling it again is the Retry or the resubmission.",
  tags,
  security,
  request: { params },
  responses: {
    200: json(provisionResultSchema, 'The subscription is provisioned.'),
    202: json(
      provisionResultSchema,
      'A fulfilment request waits for the answer of the vendor (`stage` is `provisioning`).',
    ),
    ...refusals,
    ...conflict,
    409: problem(
      '`setup_not_mapped`; `services_setup_incomplete`: the steps still missing are listed in `errors`; `provisioning_not_requestable`: the subscription cannot be provisioned in its stage.',
    ),
  },
});
const summaryRoute = createRoute({
  method: 'get',
  path: '/subscriptions/{subscriptionId}/summary.pdf',
  operationId: 'getOrderSummaryPdf',
  summary: 'Order summary (PDF)',
  description:
    'The summary of a provisioned subscription, in the language of `Accept-Language`. Available once the subscription is provisioned; each caller may have two summaries being prepared at once.',
  tags,
  security,
  request: { params },
  responses: {
    200: {
      description: 'The PDF.',
      content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
    },
    ...refusals,
    409: problem(
      '`setup_not_mapped`: the subscription is not mapped yet; `summary_not_provisioned`: it is not provisioned yet.',
    ),
    429: {
      ...problem('`summary_busy`: this caller already has two summaries being prepared; see `Retry-After`.'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
    503: {
      ...problem('`service_unavailable`: too many summaries are being prepared; see `Retry-After`.'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

export function registerServiceSetupRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(siteAvailability, async (c) =>
    c.json(await checkSiteNameAvailability(c.get('ctx'), c.req.valid('query').name), 200),
  );
  api.openapi(subdomainAvailability, async (c) =>
    c.json(await checkSubdomainAvailability(c.get('ctx'), c.req.valid('query').subdomain), 200),
  );
  api.openapi(getSetupRoute, async (c) => {
    const ctx = c.get('ctx');
    return c.json(progressBody(await setupProgress(ctx, c.req.valid('param').subscriptionId)), 200);
  });
  api.openapi(putSites, async (c) => {
    const ctx = c.get('ctx');
    const { subscriptionId } = c.req.valid('param');
    await saveMeetingSites(ctx, subscriptionId, c.req.valid('json').sites);
    return c.json(progressBody(await setupProgress(ctx, subscriptionId)), 200);
  });
  api.openapi(putLocation, async (c) => {
    const ctx = c.get('ctx');
    const { subscriptionId } = c.req.valid('param');
    await saveCallingLocation(ctx, subscriptionId, c.req.valid('json'));
    return c.json(progressBody(await setupProgress(ctx, subscriptionId)), 200);
  });
  api.openapi(putSubdomain, async (c) => {
    const ctx = c.get('ctx');
    const { subscriptionId } = c.req.valid('param');
    await saveEnterpriseSubdomain(ctx, subscriptionId, c.req.valid('json').subdomain);
    return c.json(progressBody(await setupProgress(ctx, subscriptionId)), 200);
  });
  api.openapi(provisionRoute, async (c) => {
    const result = await provisionSubscription(c.get('ctx'), c.req.valid('param').subscriptionId);
    const body = {
      subscriptionId: result.subscriptionId,
      stage: result.stage === 'active' ? ('active' as const) : ('provisioning' as const),
      provisionedAt: result.provisionedAt?.toISOString() ?? null,
      billingStartedAt: result.billingStartedAt?.toISOString() ?? null,
      billingStartReason: result.billingStartReason,
      provisionRequestId: result.provisionRequestId,
    };
    return body.stage === 'active' ? c.json(body, 200) : c.json(body, 202);
  });
  api.openapi(summaryRoute, async (c) => {
    const { subscriptionId } = c.req.valid('param');
    const pdf = await orderSummaryPdf(c.get('ctx'), subscriptionId);
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="order-summary-${subscriptionId}.pdf"`,
    });
  });
}
