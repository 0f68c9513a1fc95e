import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from '../../platform/http.ts';
import { SERVICE_CODES } from './schema.ts';
import { listActiveOffers } from './service.ts';

const offerSchema = z
  .object({
    code: z.string().openapi({ description: 'What an order line names as `offer`.', example: 'A-WX' }),
    name: z.string().openapi({ example: 'Collaboration Suite' }),
    services: z.array(z.enum(SERVICE_CODES)).openapi({
      description: 'The services a line of this offer provisions.',
      example: ['meetings', 'calling'],
    }),
    policyWindowDays: z.number().int().openapi({
      description: 'Days after the provisioning email before a line nobody set up closes and billing starts.',
      example: 30,
    }),
  })
  .openapi('Offer');

const listOffersRoute = createRoute({
  method: 'get',
  path: '/offers',
  operationId: 'listOffers',
  summary: 'List the offers that can be ordered',
  description:
    'The catalogue: each offer with its services and its policy window. Retired offers are not listed (their lines stay readable).',
  tags: ['Orders'],
  security: [{ bearerAuth: [] }],
  responses: {
    200: {
      description: 'The offers, by code.',
      content: {
        'application/json': {
          schema: z.object({ offers: z.array(offerSchema) }).openapi('OfferList', {
            example: {
              offers: [
                {
                  code: 'A-WX',
                  name: 'Collaboration Suite',
                  services: ['meetings', 'calling'],
                  policyWindowDays: 30,
                },
              ],
            },
          }),
        },
      },
    },
  },
});

export function registerCatalogRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(listOffersRoute, async (c) => {
    const offers = await listActiveOffers(c.get('ctx'));
    return c.json(
      {
        offers: offers.map((o) => ({
          code: o.code,
          name: o.name,
          services: o.services,
          policyWindowDays: o.policyWindowDays,
        })),
      },
      200,
    );
  });
}
