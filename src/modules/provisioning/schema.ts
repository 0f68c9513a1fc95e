import { z } from '@hono/zod-openapi';
import { EMAIL_MAX_LENGTH } from '../../platform/limits.ts';
import { lineText } from '../../platform/text.ts';

export const transactionTypeSchema = z
  .enum(['provisioning_email_update', 'provisioning_email_resend'])
  .openapi('ProvisioningTransactionType');
export type TransactionType = z.infer<typeof transactionTypeSchema>;

export const transactionStatusSchema = z
  .enum(['submitted', 'sent', 'failed', 'completed'])
  .openapi('ProvisioningTransactionStatus', {
    description:
      '`submitted`: the email is queued; `sent`/`failed`: how its delivery ended; `completed`: a contact change before the first email, so nothing had to be sent.',
  });
export type TransactionStatus = z.infer<typeof transactionStatusSchema>;

export const transactionExample = {
  id: '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b',
  type: 'provisioning_email_update',
  subscriptionId: 'SUB-10000001',
  orderId: '6f1c2b9e-8d4a-4e7b-9a3f-2c5d8e1f0a7b',
  lineId: '0b9c6a57-4a3e-4f5b-9c1e-2f7d8a1b3c4d',
  oldEmail: 'it@acme.example',
  newEmail: 'new-it@acme.example',
  status: 'submitted',
  failureReason: null,
  actor: { type: 'api_key', label: 'ERP integration' },
  createdAt: '2026-12-02T10:15:00.000Z',
  completedAt: null,
} as const;

export const transactionSchema = z
  .object({
    id: z.uuid(),
    type: transactionTypeSchema,
    subscriptionId: z.string().openapi({ example: 'SUB-10000001' }),
    orderId: z.uuid(),
    lineId: z.uuid(),
    oldEmail: z.string().nullable(),
    newEmail: z.string(),
    status: transactionStatusSchema,
    failureReason: z.string().nullable().openapi({ description: "The mail server's answer when it failed." }),
    actor: z.object({
      type: z.enum(['user', 'api_key', 'system', 'link']),
      label: z.string().nullable().openapi({ description: "The user's email or the API key's name." }),
    }),
    createdAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
  })
  .openapi('ProvisioningTransaction', { example: transactionExample });

export interface TransactionView {
  id: string;
  type: TransactionType;
  subscriptionId: string;
  orderId: string;
  lineId: string;
  oldEmail: string | null;
  newEmail: string;
  status: TransactionStatus;
  failureReason: string | null;
  actor: { type: 'user' | 'api_key' | 'system' | 'link'; label: string | null };
  createdAt: string;
  completedAt: string | null;
}

/** The address is checked by the service (so pages and API refuse it alike, naming `email`). */
export const changeContactSchema = z
  .object({
    email: lineText().max(EMAIL_MAX_LENGTH).openapi({ example: 'new-it@acme.example' }),
    applyToAllLines: z.boolean().optional().openapi({
      description:
        'Change every line of the order that is before the Point of No Return (mapped lines are left as they are and have no transaction in the answer).',
    }),
  })
  .strict()
  .openapi('ChangeProvisioningContact', {
    example: { email: 'new-it@acme.example', applyToAllLines: false },
  });

export const changeContactResultSchema = z
  .object({ transactions: z.array(transactionSchema) })
  .openapi('ProvisioningContactChanged', { example: { transactions: [transactionExample] } });
