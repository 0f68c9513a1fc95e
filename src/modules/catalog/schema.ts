import { z } from 'zod';

export const SERVICE_CODES = ['meetings', 'calling', 'messaging'] as const;
export type ServiceCode = (typeof SERVICE_CODES)[number];

export const catalogFileSchema = z.object({
  offers: z
    .array(
      z.object({
        code: z.string().regex(/^[A-Z0-9][A-Z0-9-]{0,31}$/),
        name: z.string().min(1).max(200),
        policyWindowDays: z.number().int().min(1).max(365),
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
