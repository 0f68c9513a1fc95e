import { z } from '@hono/zod-openapi';
import { isValidEmailAddress } from '../../platform/email.ts';
import { LOCALES } from '../../platform/i18n.ts';
import {
  COUNTRY_CODE_PATTERN,
  CURSOR_MAX_LENGTH,
  EMAIL_MAX_LENGTH,
  END_CUSTOMER_NAME_MAX_LENGTH,
  OFFER_CODE_MAX_LENGTH,
  ORDER_LINES_MAX,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  QUANTITY_MAX,
  QUANTITY_MIN,
  REFERENCE_MAX_LENGTH,
  SEARCH_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import { identifierText, lineText, requiredText } from '../../platform/text.ts';
import { SUBSCRIPTION_STAGE_NAMES } from '../events/catalogue.ts';
import { LINE_STATUSES } from './lifecycle.ts';

const isoDate = z.iso.date().openapi({ example: '2026-12-01', format: 'date' });

const createOrderLineSchema = z
  .object({
    offer: identifierText(OFFER_CODE_MAX_LENGTH).openapi({
      example: 'A-WX',
      description: 'Offer code from the catalogue.',
    }),
    quantity: z.number().int().min(QUANTITY_MIN).max(QUANTITY_MAX).openapi({ example: 50 }),
    requestedStartDate: isoDate.openapi({
      description: 'Requested Start Date: the provisioning email goes out on it.',
    }),
    provisioningContactEmail: lineText()
      .max(EMAIL_MAX_LENGTH)
      .refine(isValidEmailAddress, { message: 'email' })
      .openapi({
        example: 'it@acme.example',
        description: 'Receives the provisioning email; may be a team mailbox.',
      }),
  })
  .strict()
  .openapi('CreateOrderLine');

export const createOrderSchema = z
  .object({
    reference: identifierText(REFERENCE_MAX_LENGTH).openapi({
      example: 'PO-1001',
      description: "The partner's purchase order reference.",
    }),
    endCustomer: z
      .object({
        name: requiredText(END_CUSTOMER_NAME_MAX_LENGTH).openapi({ example: 'Acme' }),
        country: z
          .string()
          .regex(COUNTRY_CODE_PATTERN)
          .optional()
          .openapi({ example: 'IT', description: 'ISO 3166-1 alpha-2.' }),
      })
      .strict(),
    resellerOrgId: z
      .uuid()
      .optional()
      .openapi({ description: 'Distributors only: the reseller partner this order is for.' }),
    locale: z
      .enum(LOCALES)
      .optional()
      .openapi({ description: 'Language of the provisioning emails. Defaults to the caller’s language.' }),
    lines: z.array(createOrderLineSchema).min(1).max(ORDER_LINES_MAX),
  })
  .strict()
  .openapi('CreateOrder', {
    example: {
      reference: 'PO-1001',
      endCustomer: { name: 'Acme', country: 'IT' },
      locale: 'it',
      lines: [
        {
          offer: 'A-WX',
          quantity: 50,
          requestedStartDate: '2026-12-01',
          provisioningContactEmail: 'it@acme.example',
        },
      ],
    },
  });

export type CreateOrderInput = z.infer<typeof createOrderSchema>;

const ORDER_ID = '6f1c2b9e-8d4a-4e7b-9a3f-2c5d8e1f0a7b';
const lineExample = {
  id: '0b9c6a57-4a3e-4f5b-9c1e-2f7d8a1b3c4d',
  orderId: ORDER_ID,
  lineNumber: 1,
  offer: { code: 'A-WX', name: 'Collaboration Suite' },
  services: [
    { code: 'meetings', quantity: 50 },
    { code: 'calling', quantity: 50 },
  ],
  quantity: 50,
  requestedStartDate: '2026-12-01',
  provisioningContactEmail: 'it@acme.example',
  status: 'awaiting_provisioning_details',
  statusChangedAt: '2026-12-01T08:00:00.000Z',
  subscriptionId: 'SUB-10000001',
  subscriptionStage: 'awaiting_details',
  billingStart: null,
  etag: '"v2"',
};

export const lineStatusSchema = z.enum(LINE_STATUSES).openapi('LineStatus');

export const orderLineSchema = z
  .object({
    id: z.uuid(),
    orderId: z.uuid(),
    lineNumber: z.number().int(),
    offer: z.object({ code: z.string(), name: z.string() }),
    services: z.array(z.object({ code: z.string(), quantity: z.number().int() })),
    quantity: z.number().int(),
    requestedStartDate: isoDate,
    provisioningContactEmail: z.string(),
    status: lineStatusSchema,
    statusChangedAt: z.iso.datetime(),
    subscriptionId: z.string().openapi({ example: 'SUB-10000001' }),
    subscriptionStage: z.enum(SUBSCRIPTION_STAGE_NAMES).openapi({
      description:
        "Where the line's subscription is: `scheduled`, `awaiting_details`, `mapped` (the Point of No Return), `provisioning` (the vendor is provisioning it), `needs_info`, `provisioning_failed`, `active`, or `closed` (billed by the policy window, not mapped yet). getSubscription says more.",
    }),
    billingStart: z
      .object({
        date: isoDate.openapi({ description: 'The day billing started (UTC).' }),
        reason: z.enum(['provisioned', 'policy']),
      })
      .nullable()
      .openapi({ description: 'Null until billing starts.' }),
    etag: z.string().openapi({
      example: '"v3"',
      description: "The line's version, as its `ETag`: send it as `If-Match` when changing the contact.",
    }),
  })
  .openapi('OrderLine', { example: lineExample });

export const orderSchema = z
  .object({
    id: z.uuid(),
    orderNumber: z.string().openapi({ example: 'PRV-100001' }),
    reference: z.string(),
    partnerOrgId: z.uuid(),
    placedByOrgId: z.uuid(),
    endCustomer: z.object({ name: z.string(), country: z.string().nullable() }),
    locale: z.enum(LOCALES),
    createdAt: z.iso.datetime(),
    lines: z.array(orderLineSchema),
  })
  .openapi('Order', {
    example: {
      id: ORDER_ID,
      orderNumber: 'PRV-100001',
      reference: 'PO-1001',
      partnerOrgId: '3d2e1f0a-9b8c-4d7e-8f6a-5b4c3d2e1f0a',
      placedByOrgId: '3d2e1f0a-9b8c-4d7e-8f6a-5b4c3d2e1f0a',
      endCustomer: { name: 'Acme', country: 'IT' },
      locale: 'it',
      createdAt: '2026-11-21T09:30:00.000Z',
      lines: [lineExample],
    },
  });

export type OrderView = z.infer<typeof orderSchema>;
export type OrderLineView = z.infer<typeof orderLineSchema>;

export const orderSummarySchema = z
  .object({
    id: z.uuid(),
    orderNumber: z.string(),
    reference: z.string(),
    endCustomer: z.object({ name: z.string() }),
    createdAt: z.iso.datetime(),
    lineCount: z.number().int(),
    statuses: z.array(lineStatusSchema),
    firstStartDate: isoDate,
    contactEmails: z.array(z.string()),
  })
  .openapi('OrderSummary');

export type OrderSummary = z.infer<typeof orderSummarySchema>;

export const listOrdersQuerySchema = z.object({
  q: lineText().max(SEARCH_TEXT_MAX_LENGTH).optional().openapi({
    description:
      'The start of an order reference, a whole order number or subscription id, or part of a customer name or contact email (any case). Part of a name or email is searched only when the text has three letters or digits in a row; shorter text matches references, order numbers and subscription ids only.',
  }),
  status: lineStatusSchema.optional(),
  startFrom: isoDate.optional().openapi({ description: 'Lines starting on or after this date.' }),
  startTo: isoDate.optional().openapi({ description: 'Lines starting on or before this date.' }),
  cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
});

export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;

export const orderListSchema = z
  .object({ items: z.array(orderSummarySchema), nextCursor: z.string().nullable() })
  .openapi('OrderList', {
    example: {
      items: [
        {
          id: ORDER_ID,
          orderNumber: 'PRV-100001',
          reference: 'PO-1001',
          endCustomer: { name: 'Acme' },
          createdAt: '2026-11-21T09:30:00.000Z',
          lineCount: 1,
          statuses: ['awaiting_provisioning_details'],
          firstStartDate: '2026-12-01',
          contactEmails: ['it@acme.example'],
        },
      ],
      nextCursor: null,
    },
  });
