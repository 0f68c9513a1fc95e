import { z } from 'zod';
import { OFFER_CODE_PATTERN, POLICY_WINDOW_DAYS_MAX, POLICY_WINDOW_DAYS_MIN } from '../../platform/limits.ts';

export const SERVICE_CODES = ['meetings', 'calling', 'messaging'] as const;
export type ServiceCode = (typeof SERVICE_CODES)[number];

export const FULFILMENT_MODES = ['none', 'manual', 'http'] as const;
export type FulfilmentMode = (typeof FULFILMENT_MODES)[number];
export const FULFILMENT_URL_MAX_LENGTH = 2048;

/**
 * How an offer is fulfilled (docs/adr/0032): `none`, Provision activates at once; `manual`, an operator
 * fulfils it in the back office; `http`, the vendor's service at `url` is sent a signed request.
 */
export const fulfilmentSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }).strict(),
  z.object({ mode: z.literal('manual') }).strict(),
  z
    .object({
      mode: z.literal('http'),
      url: z
        .url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' })
        .max(FULFILMENT_URL_MAX_LENGTH)
        .refine((u) => {
          const parsed = new URL(u);
          return parsed.username === '' && parsed.password === '' && parsed.hash === '';
        }, 'must carry no user name, password or #fragment'),
    })
    .strict(),
]);
export type Fulfilment = z.infer<typeof fulfilmentSchema>;

export const catalogFileSchema = z.object({
  offers: z
    .array(
      z.object({
        code: z.string().regex(OFFER_CODE_PATTERN),
        name: z.string().min(1).max(200),
        policyWindowDays: z.number().int().min(POLICY_WINDOW_DAYS_MIN).max(POLICY_WINDOW_DAYS_MAX),
        services: z.array(z.enum(SERVICE_CODES)).min(1),
        fulfilment: fulfilmentSchema.default({ mode: 'none' }),
      }),
    )
    .min(1),
});

export type CatalogFile = z.infer<typeof catalogFileSchema>;

export interface Offer {
  code: string;
  name: string;
  policyWindowDays: number;
  /** Retired offers (gone from the catalogue file) stay readable for existing lines but cannot be ordered. */
  active: boolean;
  services: ServiceCode[];
  /** Who provisions a line of it once Provision is pressed (docs/adr/0032). */
  fulfilment: Fulfilment;
}
