import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { EMAIL_MAX_LENGTH, ORGANIZATION_NAME_MAX_LENGTH } from '../../platform/limits.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { completeMapping } from './mapping.ts';
import { BUSINESS_VERTICALS } from './mapping-input.ts';
import { getSetup, type SetupView } from './setup.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];
const params = z.object({
  subscriptionId: z.string().max(40).openapi({ example: 'SUB-10000001' }),
});

const setupSchema = z
  .object({
    subscriptionId: z.string(),
    lineId: z.uuid(),
    lineNumber: z.number().int(),
    lineStatus: z.string(),
    order: z.object({
      id: z.uuid(),
      number: z.string(),
      reference: z.string(),
      partnerOrgId: z.uuid(),
      placedByOrgId: z.uuid(),
      locale: z.string(),
      endCustomerName: z.string(),
      endCustomerCountry: z.string().nullable(),
    }),
    offer: z.object({ code: z.string(), name: z.string() }),
    quantity: z.number().int(),
    services: z.array(z.object({ code: z.string(), quantity: z.number().int() })),
    requestedStartDate: z.string(),
    provisioningContactEmail: z.string(),
    mapping: z
      .object({
        partner: z.object({ id: z.uuid(), name: z.string() }),
        customer: z.object({ id: z.uuid(), name: z.string() }),
        mappedAt: z.iso.datetime(),
        setupAssignee: z.enum(['partner', 'customer']),
        partnerAccess: z.enum(['full_admin', 'provisioning_admin']).nullable(),
      })
      .nullable(),
    provisionedAt: z.iso.datetime().nullable(),
    billingStartedAt: z.iso.datetime().nullable(),
    billingStartReason: z.enum(['policy', 'provisioned']).nullable(),
    organizationApproval: z
      .object({
        status: z.enum(['pending', 'approved', 'refused', 'withdrawn', 'expired']),
        organizationName: z.string(),
        requestedAt: z.iso.datetime(),
        decidedAt: z.iso.datetime().nullable(),
      })
      .nullable()
      .openapi({
        description:
          "The latest request to an existing organization's admins, when the mapping needed their consent: `pending` while the subscription awaits organization approval; after `refused` or `withdrawn`, map again with another organization.",
      }),
  })
  .openapi('Setup');

function setupJson(view: SetupView): z.infer<typeof setupSchema> {
  return {
    ...view,
    mapping: view.mapping ? { ...view.mapping, mappedAt: view.mapping.mappedAt.toISOString() } : null,
    provisionedAt: view.provisionedAt?.toISOString() ?? null,
    billingStartedAt: view.billingStartedAt?.toISOString() ?? null,
    organizationApproval: view.organizationApproval
      ? {
          ...view.organizationApproval,
          requestedAt: view.organizationApproval.requestedAt.toISOString(),
          decidedAt: view.organizationApproval.decidedAt?.toISOString() ?? null,
        }
      : null,
  };
}

const newOrganization = z.object({
  name: z.string().max(ORGANIZATION_NAME_MAX_LENGTH),
  businessVertical: z.enum(BUSINESS_VERTICALS),
  country: z.string().length(2).openapi({ description: 'ISO 3166-1 alpha-2.', example: 'IT' }),
});
const organizationChoice = z
  .union([
    z.object({
      organizationId: z.uuid(),
      searchedDomain: z.string().max(253).optional().openapi({
        description: 'When the organization was found by a search by domain: that domain.',
      }),
    }),
    z.object({ create: newOrganization }),
  ])
  .openapi('OrganizationChoice', {
    description:
      'An organization that matching offers for this side (checked again against a fresh match), or a new one.',
  });

const mappingSchema = z
  .object({
    role: z.enum(['customer', 'my_company']),
    setupBy: z.enum(['self', 'customer']),
    partner: organizationChoice.optional().openapi({ description: "Required for role 'customer'." }),
    customerAdminEmail: z.string().max(EMAIL_MAX_LENGTH).optional().openapi({
      description: "Required for role 'customer'; for 'my_company' the provisioning contact is the admin.",
    }),
    customer: organizationChoice,
    customerSetsUpServices: z.boolean().optional(),
  })
  .openapi('MappingInput');

const mappingResultSchema = z
  .object({
    next: z.enum(['set_password', 'sign_in', 'customer_invited', 'contact_invited']),
    url: z.url().optional().openapi({ description: 'Absolute, built from the configured public URL.' }),
  })
  .openapi('MappingResult');

const awaitingApprovalSchema = z
  .object({
    next: z.literal('awaiting_approval'),
    organizationName: z.string(),
    requestId: z.uuid(),
  })
  .openapi('MappingAwaitingApproval', {
    description:
      'The chosen organization is an existing one the contact (or the customer admin) does not belong to, or a customer the partner does not manage yet: its admins were asked (hub and email). Nothing is granted and the subscription is not mapped until one approves; then the mapping completes as chosen and the contact is emailed. A refusal leaves the subscription unmapped: choose or create another organization.',
  });

const getSetupRoute = createRoute({
  method: 'get',
  path: '/subscriptions/{subscriptionId}/setup',
  operationId: 'getSetup',
  summary: 'Read a subscription’s setup',
  description:
    'The subscription with its order, services, and how far mapping to organizations and service setup have come.',
  tags: ['Setup'],
  security,
  request: { params },
  responses: {
    200: { description: 'The setup.', content: { 'application/json': { schema: setupSchema } } },
    401: problem('Missing or unknown API key.'),
    404: problem('No such subscription for this caller.'),
  },
});

const completeMappingRoute = createRoute({
  method: 'post',
  path: '/subscriptions/{subscriptionId}/setup/mapping',
  operationId: 'completeMapping',
  summary: 'Map the subscription to its partner and customer organizations',
  description:
    'The Point of No Return: creates the organizations and users the choices need and maps the subscription, in one transaction. From then on resends and contact changes are refused. A user belongs to one organization: an address of another organization is refused. Only an exact address proves membership: choosing an existing organization found by domain or by search, or giving the partner access to an existing customer, asks that organization’s admins first (202).',
  tags: ['Setup'],
  security,
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: mappingSchema } } },
  },
  responses: {
    200: {
      description:
        'What comes next: `customer_invited` (the customer admin got an email), `contact_invited` (the contact got a set-password email), `sign_in`.',
      content: { 'application/json': { schema: mappingResultSchema } },
    },
    202: {
      description: 'Waiting for the chosen organization’s admins to approve (`awaiting_approval`).',
      content: { 'application/json': { schema: awaitingApprovalSchema } },
    },
    401: problem('Missing or unknown API key.'),
    404: problem('No such subscription for this caller.'),
    409: problem(
      '`already_mapped`: the subscription is mapped; `wizard_email_in_other_organization`: the address belongs to another organization; `organization_approval_pending`: a request to an organization’s admins is pending for this subscription.',
    ),
    422: problem(
      'Invalid input, each field named; `wizard_organization_not_offered`: matching does not offer it; `mapping_contact_not_in_partner_organization`: the partner side names your own organization but the provisioning contact is not one of its users (add them in the hub first, or map to the organization matching offers).',
    ),
    429: {
      ...problem(
        '`setup_organizations_rate_limited`: this organization (or setup link) created its hourly allowance of organizations; nothing was created.',
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

export function registerMappingRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(getSetupRoute, async (c) => {
    const { subscriptionId } = c.req.valid('param');
    return c.json(setupJson(await getSetup(c.get('ctx'), subscriptionId)), 200);
  });
  api.openapi(completeMappingRoute, async (c) => {
    const { subscriptionId } = c.req.valid('param');
    const result = await completeMapping(c.get('ctx'), subscriptionId, c.req.valid('json'));
    if (result.next === 'awaiting_approval') return c.json(result, 202);
    return c.json(result, 200);
  });
}
