import { z } from '@hono/zod-openapi';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SEARCH_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import { lineText } from '../../platform/text.ts';

export const TRANSACTION_TYPES = ['provisioning_email_update', 'provisioning_email_resend'] as const;
export const TRANSACTION_STATUSES = ['submitted', 'sent', 'failed', 'completed'] as const;

export const listTransactionsQuerySchema = z.object({
  subscriptionId: lineText().max(SEARCH_TEXT_MAX_LENGTH).optional().openapi({
    example: 'SUB-100001',
    description: 'An exact subscription id (any case): a part of one matches nothing.',
  }),
  type: z.enum(TRANSACTION_TYPES).optional(),
  status: z.enum(TRANSACTION_STATUSES).optional(),
  cursor: z
    .string()
    .max(CURSOR_MAX_LENGTH)
    .optional()
    .openapi({ description: '`nextCursor` of the previous page.' }),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
});

export type ListTransactionsQuery = z.infer<typeof listTransactionsQuerySchema>;

export const transactionSchema = z
  .object({
    id: z.uuid(),
    type: z.enum(TRANSACTION_TYPES),
    subscriptionId: z.string(),
    orderId: z.uuid(),
    orderReference: z.string(),
    oldEmail: z.string().nullable(),
    newEmail: z.string(),
    actor: z.string().nullable().openapi({ description: 'Who asked: a user, an API key, or Provisio.' }),
    status: z.enum(TRANSACTION_STATUSES),
    failureReason: z.string().nullable(),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .openapi('ProvisioningTransaction');

export type TransactionView = z.infer<typeof transactionSchema>;

export const transactionListSchema = z
  .object({ items: z.array(transactionSchema), nextCursor: z.string().nullable() })
  .openapi('ProvisioningTransactionList');
