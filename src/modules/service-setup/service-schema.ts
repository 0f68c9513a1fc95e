import { z } from '@hono/zod-openapi';
import { MAX_SITES, NAME_MAX } from './services.ts';

/** Strings are checked for shape by the service (field errors in every language); zod bounds sizes. */
const label = z.string().max(200);

export const availabilitySchema = z
  .object({
    available: z.boolean(),
    reason: z.enum(['invalid', 'taken']).nullable().openapi({
      description:
        '`invalid`: not a DNS label of 3–63 characters; `taken`: in use or reserved by another setup.',
    }),
  })
  .openapi('Availability');

export const siteNameQuerySchema = z.object({ name: label.openapi({ example: 'acme-meet' }) });
export const subdomainQuerySchema = z.object({ subdomain: label.openapi({ example: 'acme' }) });

export const meetingSiteSchema = z
  .object({
    name: label.openapi({
      description: `Site URL name: a DNS label, 3–${NAME_MAX} characters.`,
      example: 'acme-meet',
    }),
    timeZone: z.string().max(64).openapi({ description: 'IANA time zone.', example: 'Europe/Rome' }),
    earlyRelease: z.boolean().default(false),
    licenses: z.number().int().min(1).max(1_000_000).optional().openapi({
      description:
        'With several sites, each site’s share; they add up to the meetings quantity. One site gets it all.',
    }),
  })
  .openapi('MeetingSite');

export const meetingSitesBodySchema = z
  .object({ sites: z.array(meetingSiteSchema).min(1).max(MAX_SITES) })
  .openapi({
    example: {
      sites: [
        { name: 'acme-meet', timeZone: 'Europe/Rome', earlyRelease: false, licenses: 40 },
        { name: 'acme-training', timeZone: 'Europe/Rome', earlyRelease: false, licenses: 10 },
      ],
    },
  });

export const callingLocationSchema = z
  .object({
    name: z.string().max(200),
    country: z
      .string()
      .max(10)
      .openapi({ description: 'ISO 3166-1 alpha-2: where most users are.', example: 'IT' }),
    addressLine1: z.string().max(400),
    addressLine2: z.string().max(400).nullable().optional(),
    city: z.string().max(200),
    stateRegion: z.string().max(200).nullable().optional(),
    postalCode: z.string().max(40).nullable().optional(),
    timeZone: z.string().max(64).openapi({ example: 'Europe/Rome' }),
    language: z
      .string()
      .max(10)
      .openapi({ description: 'BCP 47: en, it, pt-BR, ru, uk, de, fr or es.', example: 'it' }),
  })
  .openapi('CallingLocation');

export const subdomainBodySchema = z.object({ subdomain: label });

export const setupProgressSchema = z
  .object({
    subscriptionId: z.string(),
    steps: z.array(z.enum(['meetings', 'calling', 'enterprise'])),
    missing: z.array(z.enum(['meetings', 'calling', 'enterprise'])),
    next: z.enum(['meetings', 'calling', 'enterprise', 'provision', 'done']),
    sites: z.array(meetingSiteSchema.required()),
    location: callingLocationSchema.nullable(),
    subdomain: z.string().nullable(),
    provisionedAt: z.string().nullable(),
    billingStartedAt: z.string().nullable(),
    billingStartReason: z.enum(['policy', 'provisioned']).nullable(),
  })
  .openapi('ServiceSetup', {
    example: {
      subscriptionId: 'SUB-10000001',
      steps: ['meetings', 'calling'],
      missing: ['calling'],
      next: 'calling',
      sites: [{ name: 'acme-meet', timeZone: 'Europe/Rome', earlyRelease: false, licenses: 50 }],
      location: null,
      subdomain: null,
      provisionedAt: null,
      billingStartedAt: null,
      billingStartReason: null,
    },
  });

export const provisionResultSchema = z
  .object({
    subscriptionId: z.string(),
    stage: z.enum(['active', 'provisioning']).openapi({
      description:
        "`active`: provisioned, billing started. `provisioning`: the offer is fulfilled by the vendor's service or an operator, and a fulfilment request waits for their answer (follow it with getSubscription).",
    }),
    provisionedAt: z.string().nullable(),
    billingStartedAt: z.string().nullable(),
    billingStartReason: z.enum(['policy', 'provisioned']).nullable(),
    provisionRequestId: z.uuid().nullable(),
  })
  .openapi('ProvisionResult', {
    example: {
      subscriptionId: 'SUB-10000001',
      stage: 'active',
      provisionedAt: '2026-12-04T11:00:00.000Z',
      billingStartedAt: '2026-12-04T11:00:00.000Z',
      billingStartReason: 'provisioned',
      provisionRequestId: null,
    },
  });
