import { z } from '@hono/zod-openapi';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SEARCH_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import { lineText } from '../../platform/text.ts';
import { transactionExample, transactionSchema } from './schema.ts';

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

/** A Transaction Manager row: the transaction as resend and contact change answer it, with its order's reference. */
export const transactionListItemSchema = transactionSchema
  .extend({ orderReference: z.string() })
  .openapi('ProvisioningTransactionListItem');

export type TransactionListItem = z.infer<typeof transactionListItemSchema>;

export const transactionListSchema = z
  .object({ items: z.array(transactionSchema), nextCursor: z.string().nullable() })
  .openapi('ProvisioningTransactionList', {
    example: {
      items: [{ ...transactionExample, status: 'sent', completedAt: '2026-12-02T10:15:04.000Z' }],
      nextCursor: null,
    },
  });
