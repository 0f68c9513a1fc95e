import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { EMAIL_MAX_LENGTH } from '../../platform/limits.ts';
import { problemSchema } from '../../platform/openapi.ts';
import {
  admitOrganizationSearch,
  type MatchOutcome,
  matchOrganizationsAsCaller,
  type OrganizationCandidate,
  searchOrganizationsByDomain,
} from '../identity/matching.ts';

/** Organization matching over the API (X1): what the wizard's W3–W5 screens show, for integrators. */

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];
const params = z.object({ subscriptionId: z.string().openapi({ example: 'SUB-10000001' }) });
const sideSchema = z.enum(['partner', 'customer']).openapi('MatchSide', {
  description: '`partner`: partner and distributor organizations; `customer`: customer organizations.',
});

const candidateSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['partner', 'distributor', 'customer', 'vendor']),
    country: z.string().nullable().openapi({ description: 'ISO 3166-1 alpha-2.' }),
    businessVertical: z.string().nullable(),
    domains: z
      .array(z.object({ domain: z.string(), status: z.enum(['verified', 'claimed']) }))
      .openapi({ description: 'In Unicode, verified first.' }),
    activeUsers: z.number().int().nullable().openapi({
      description:
        'Users active in the last 90 days; null when the address is outside the provisioning contact’s own domain (nothing about a stranger’s people is shown).',
    }),
    lastUserActivityAt: z.iso.datetime().nullable(),
    stale: z.boolean().openapi({ description: 'No verified domain and no user activity for a year.' }),
    matchedBy: z.enum(['email', 'domain', 'search']),
    matchedDomain: z
      .string()
      .nullable()
      .openapi({ description: 'The organization domain that matched (Unicode).' }),
  })
  .openapi('OrganizationCandidate');

const outcomeSchema = z
  .discriminatedUnion('outcome', [
    z.object({ outcome: z.literal('exact'), organization: candidateSchema, userId: z.uuid() }),
    z.object({ outcome: z.literal('domain'), domain: z.string(), candidates: z.array(candidateSchema) }),
    z.object({
      outcome: z.literal('none'),
      reason: z.enum(['no_match', 'free_mail', 'public_suffix']),
      domain: z.string().nullable(),
    }),
    z.object({ outcome: z.literal('taken'), organizationName: z.string() }),
  ])
  .openapi('MatchOutcome', {
    description:
      '`exact`: the address is a user of an organization of this side; `domain`: organizations of this side own its registrable domain or a subdomain of it (at most 20, most recent user activity first); `none`: create one (`free_mail` and `public_suffix` addresses never match); `taken`: the address belongs to an organization of the other side, and a user belongs to one organization only.',
  });

/**
 * What a search by domain shows of organizations: enough to recognise one (its name, country, the
 * domain that matched) and to be warned off a stale one, nothing about its people (no user counts,
 * no activity dates, no addresses): anyone holding a key may type a competitor's domain.
 */
const searchHitSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    kind: z.enum(['partner', 'distributor', 'customer', 'vendor']),
    country: z.string().nullable().openapi({ description: 'ISO 3166-1 alpha-2.' }),
    matchedDomain: z
      .string()
      .nullable()
      .openapi({ description: 'The organization domain that matched (Unicode).' }),
    verified: z.boolean().openapi({ description: 'The organization has a verified domain.' }),
    stale: z.boolean().openapi({ description: 'No verified domain and no user activity for a year.' }),
  })
  .openapi('OrganizationSearchHit');

const refusals = {
  401: problem('Missing or unknown API key.'),
  404: problem('No such subscription, or this caller may not map it.'),
};

const matchRoute = createRoute({
  method: 'post',
  path: '/subscriptions/{subscriptionId}/setup/matches',
  operationId: 'matchOrganizations',
  summary: 'Match an address to organizations',
  description:
    "Where an address lands on one side of the subscription's mapping, as the setup wizard shows it: the exact user's organization, the organizations sharing its registrable domain (Public Suffix List, private suffixes included), or none. Internationalized domains are accepted and shown in Unicode. Reading only: nothing is written. An address outside the provisioning contact’s own domain shows no user counts or activity and counts against the search limit (20 per caller in 10 minutes).",
  tags: ['Setup'],
  security,
  request: {
    params,
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z
            .object({
              email: z.string().max(EMAIL_MAX_LENGTH).openapi({ example: 'it@acme.com' }),
              side: sideSchema,
            })
            .openapi('MatchRequest'),
        },
      },
    },
  },
  responses: {
    200: { description: 'The outcome.', content: { 'application/json': { schema: outcomeSchema } } },
    400: problem('`matching_email_invalid`: `email` is not an email address.'),
    ...refusals,
    422: problem('Invalid request, e.g. `side` is missing.'),
    429: {
      ...problem(
        '`organization_search_rate_limited`: an address outside the provisioning contact’s domain counts as a search by domain; too many by this caller, see `Retry-After`.',
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

const searchRoute = createRoute({
  method: 'get',
  path: '/subscriptions/{subscriptionId}/setup/organizations',
  operationId: 'searchOrganizationsByDomain',
  summary: 'Search organizations by domain',
  description:
    'The setup wizard’s search by domain: organizations of one side whose domains are the registrable domain of `domain` (a domain in Unicode or punycode, or an address) or a subdomain of it. At most 20, most recent user activity first. Shows only what recognising an organization needs (no user counts or activity), and choosing one the contact does not belong to asks its admins first. At most 20 searches per caller in 10 minutes.',
  tags: ['Setup'],
  security,
  request: {
    params,
    query: z.object({
      domain: z.string().max(EMAIL_MAX_LENGTH).openapi({ example: 'acme.com' }),
      side: sideSchema,
    }),
  },
  responses: {
    200: {
      description: 'The organizations found.',
      content: {
        'application/json': {
          schema: z.object({ organizations: z.array(searchHitSchema) }).openapi('OrganizationSearchResult'),
        },
      },
    },
    400: problem(
      '`matching_domain_refused`: `domain` is a free-mail provider, a public suffix or not a domain name.',
    ),
    ...refusals,
    422: problem('Invalid request, e.g. `side` is missing.'),
    429: {
      ...problem('`organization_search_rate_limited`: too many searches by this caller; see `Retry-After`.'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

function searchHitJson(c: OrganizationCandidate): z.infer<typeof searchHitSchema> {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    country: c.country,
    matchedDomain: c.matchedDomain,
    verified: c.domains.some((d) => d.status === 'verified'),
    stale: c.stale,
  };
}

function candidateJson(c: OrganizationCandidate, peopleShown: boolean) {
  if (!peopleShown) return { ...c, activeUsers: null, lastUserActivityAt: null };
  return { ...c, lastUserActivityAt: c.lastUserActivityAt?.toISOString() ?? null };
}

function outcomeJson(o: MatchOutcome, peopleShown: boolean) {
  if (o.outcome === 'exact') return { ...o, organization: candidateJson(o.organization, peopleShown) };
  if (o.outcome === 'domain')
    return { ...o, candidates: o.candidates.map((c) => candidateJson(c, peopleShown)) };
  return o;
}

export function registerMatchRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(matchRoute, async (c) => {
    const { subscriptionId } = c.req.valid('param');
    const body = c.req.valid('json');
    const { outcome, peopleShown } = await matchOrganizationsAsCaller(c.get('ctx'), subscriptionId, body);
    return c.json(outcomeJson(outcome, peopleShown), 200);
  });
  api.openapi(searchRoute, async (c) => {
    const { subscriptionId } = c.req.valid('param');
    const query = c.req.valid('query');
    await admitOrganizationSearch(c.get('ctx'));
    const found = await searchOrganizationsByDomain(c.get('ctx'), subscriptionId, query);
    return c.json({ organizations: found.map(searchHitJson) }, 200);
  });
}
