import { z } from '@hono/zod-openapi';

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:provisio:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Stable machine-readable code.', example: 'validation_failed' }),
    detail: z
      .string()
      .openapi({ description: "Human-readable message in the caller's language (Accept-Language)." }),
    requestId: z.string(),
    errors: z
      .array(z.object({ field: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'For validation errors: each field at fault.' }),
  })
  .openapi('Problem');
