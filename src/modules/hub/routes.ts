import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { getHub, type HubSubscription, requestFullAdmin } from './service.ts';

/**
 * The admin hub for integrators (X1): a partner's API key lists the customer organizations the
 * partner manages, with their subscriptions and pending setups, and asks for full admin.
 */

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];
const access = z.enum(['full_admin', 'provisioning_admin']);

const subscriptionSchema = z
  .object({
    id: z.string().openapi({ example: 'SUB-10000001' }),
    orderNumber: z.string(),
    offer: z.object({ code: z.string(), name: z.string() }),
    quantity: z.number().int(),
    services: z.array(z.object({ code: z.string(), quantity: z.number().int() })),
    state: z
      .enum(['pending_setup', 'provisioning', 'needs_info', 'provisioning_failed', 'provisioned'])
      .openapi({
        description:
          "`provisioning`: the vendor's service or an operator is provisioning it; `needs_info`: they asked for setup changes (edit and Provision again); `provisioning_failed`: see getSubscription for why (Provision again to retry).",
      }),
    billingStartedAt: z.string().nullable().openapi({ format: 'date-time' }),
    meetingSites: z.array(z.object({ name: z.string(), timeZone: z.string(), licenses: z.number().int() })),
    callingLocations: z.array(
      z.object({ name: z.string(), country: z.string(), city: z.string(), isMain: z.boolean() }),
    ),
    setupUrl: z.string().nullable().openapi({
      description:
        'Where service setup continues (an absolute URL), while it is pending; null once provisioned.',
    }),
  })
  .openapi('HubSubscription');

const managedCustomerSchema = z
  .object({
    id: z.string().openapi({ format: 'uuid' }),
    name: z.string(),
    country: z.string().nullable().openapi({ description: 'ISO 3166-1 alpha-2.' }),
    domains: z.array(z.object({ domain: z.string(), status: z.enum(['verified', 'claimed']) })),
    enterpriseSubdomain: z.string().nullable(),
    access,
    fullAdminRequestedAt: z.string().nullable().openapi({ format: 'date-time' }),
    subscriptions: z.array(subscriptionSchema),
  })
  .openapi('ManagedCustomer');

const listRoute = createRoute({
  method: 'get',
  path: '/hub/customers',
  operationId: 'listManagedCustomers',
  summary: 'Customer organizations this partner manages',
  description:
    'The customer organizations the caller’s partner organization manages, with its access (`full_admin`, or `provisioning_admin` until the customer grants full admin), and their subscriptions with state, meeting sites, calling locations and where a pending setup continues. Customers that set up their own services are not listed: the partner has no access to them.',
  tags: ['Admin hub'],
  security,
  responses: {
    200: {
      description: 'Managed customers, by name.',
      content: { 'application/json': { schema: z.object({ customers: z.array(managedCustomerSchema) }) } },
    },
    401: problem('Missing or unknown API key.'),
  },
});

const requestRoute = createRoute({
  method: 'post',
  path: '/hub/customers/{customerOrgId}/full-admin-request',
  operationId: 'requestFullAdmin',
  summary: 'Ask a customer for full admin',
  description:
    'As the customer’s provisioning admin, asks its admins (by email) to grant full admin. Recorded once: asking again answers `already_requested` and sends nothing.',
  tags: ['Admin hub'],
  security,
  request: { params: z.object({ customerOrgId: z.string().openapi({ format: 'uuid' }) }) },
  responses: {
    202: {
      description: 'The request is recorded and the customer’s admins are emailed.',
      content: {
        'application/json': { schema: z.object({ status: z.enum(['requested', 'already_requested']) }) },
      },
    },
    401: problem('Missing or unknown API key.'),
    404: problem('This partner does not manage that organization.'),
    409: problem('`hub_already_full_admin`: the partner is already a full admin of the customer.'),
  },
});

function presentSubscription(ctx: { config: { publicUrl: string } }, s: HubSubscription) {
  return {
    id: s.id,
    orderNumber: s.orderNumber,
    offer: s.offer,
    quantity: s.quantity,
    services: s.services,
    state: s.state,
    billingStartedAt: s.billingStartedAt?.toISOString() ?? null,
    meetingSites: s.sites,
    callingLocations: s.locations,
    setupUrl: s.pendingForViewer ? `${ctx.config.publicUrl}/hub/setups/${s.id}` : null,
  };
}

export function registerHubRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(listRoute, async (c) => {
    const ctx = c.get('ctx');
    const view = await getHub(ctx);
    return c.json(
      {
        customers: view.managedCustomers.map((m) => ({
          id: m.organization.id,
          name: m.organization.name,
          country: m.organization.country,
          domains: m.organization.domains,
          enterpriseSubdomain: m.organization.subdomain,
          access: m.access,
          fullAdminRequestedAt: m.fullAdminRequestedAt?.toISOString() ?? null,
          subscriptions: m.subscriptions.map((s) => presentSubscription(ctx, s)),
        })),
      },
      200,
    );
  });

  api.openapi(requestRoute, async (c) => {
    const status = await requestFullAdmin(c.get('ctx'), c.req.valid('param').customerOrgId);
    return c.json({ status }, 202);
  });
}
