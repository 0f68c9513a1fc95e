import { z } from 'zod';
import { OFFER_CODE_PATTERN, POLICY_WINDOW_DAYS_MAX, POLICY_WINDOW_DAYS_MIN } from '../../platform/limits.ts';

export const SERVICE_CODES = ['meetings', 'calling', 'messaging'] as const;
export type ServiceCode = (typeof SERVICE_CODES)[number];

export const catalogFileSchema = z.object({
  offers: z
    .array(
      z.object({
        code: z.string().regex(OFFER_CODE_PATTERN),
        name: z.string().min(1).max(200),
        policyWindowDays: z.number().int().min(POLICY_WINDOW_DAYS_MIN).max(POLICY_WINDOW_DAYS_MAX),
        services: z.array(z.enum(SERVICE_CODES)).min(1),
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
}
