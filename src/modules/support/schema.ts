import { z } from '@hono/zod-openapi';
import { LOCALES } from '../../platform/i18n.ts';
import {
  CURSOR_MAX_LENGTH,
  PAGE_SIZE_DEFAULT,
  PAGE_SIZE_MAX,
  SUPPORT_SCREENSHOT_MAX_MEGABYTES,
  SUPPORT_SCREENSHOTS_MAX,
  SUPPORT_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import { lineText, paragraphText } from '../../platform/text.ts';

export const REQUEST_TYPES = [
  'resend_provisioning_email',
  'change_provisioning_contact_email',
  'other',
] as const;
export type RequestType = (typeof REQUEST_TYPES)[number];

export const CASE_STATUSES = ['open', 'answered', 'closed'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

/** Subscription ids as Provisio hands them out (`SUB-10000001`); longer text cannot be one. */
const SUBSCRIPTION_ID_MAX_LENGTH = 64;

const caseFields = {
  requestType: z.enum(REQUEST_TYPES).openapi({ example: 'resend_provisioning_email' }),
  subscriptionId: lineText()
    .max(SUBSCRIPTION_ID_MAX_LENGTH)
    .optional()
    .openapi({ example: 'SUB-10000001', description: 'A subscription on one of your orders.' }),
  description: paragraphText(SUPPORT_TEXT_MAX_LENGTH).openapi({
    description: 'What happened and what you tried. Line breaks are kept.',
  }),
};

export const createCaseJsonSchema = z
  .object(caseFields)
  .strict()
  .openapi('CreateSupportCase', {
    example: {
      requestType: 'resend_provisioning_email',
      subscriptionId: 'SUB-10000001',
      description: 'The contact did not receive the provisioning email; we checked the spam folder.',
    },
  });

/** A file part of a multipart body (a browser sends an empty one when no file was chosen). */
const filePart = z
  .custom<File>((value) => value instanceof File, { message: 'support_not_a_file' })
  .openapi({ type: 'string', format: 'binary' });

export const createCaseFormSchema = z
  .object({
    ...caseFields,
    // An empty text box is "no subscription".
    subscriptionId: caseFields.subscriptionId.or(z.literal('')),
    'screenshots[]': z
      .array(filePart)
      .optional()
      .openapi({
        description: `Up to ${SUPPORT_SCREENSHOTS_MAX} PNG or JPEG images of at most ${SUPPORT_SCREENSHOT_MAX_MEGABYTES} MB each.`,
      }),
  })
  .openapi('CreateSupportCaseForm');

export type CreateCaseForm = z.infer<typeof createCaseFormSchema>;

export const attachmentSchema = z
  .object({
    id: z.uuid(),
    fileName: z.string(),
    contentType: z.enum(['image/png', 'image/jpeg']),
    sizeBytes: z.number().int(),
  })
  .openapi('SupportCaseAttachment');

export const caseMessageSchema = z
  .object({
    id: z.uuid(),
    authorKind: z.enum(['partner', 'operator']),
    body: z.string(),
    createdAt: z.iso.datetime(),
  })
  .openapi('SupportCaseMessage');

const caseSummaryExample = {
  id: '4a5b6c7d-8e9f-4a0b-9c1d-2e3f4a5b6c7d',
  caseNumber: 'CASE-700001',
  requestType: 'resend_provisioning_email',
  subscriptionId: 'SUB-10000001',
  status: 'open',
  createdAt: '2026-12-03T14:00:00.000Z',
  updatedAt: '2026-12-03T14:00:00.000Z',
} as const;

export const caseSummarySchema = z
  .object({
    id: z.uuid(),
    caseNumber: z.string().openapi({ example: 'CASE-700001' }),
    requestType: z.enum(REQUEST_TYPES),
    subscriptionId: z.string().nullable(),
    status: z.enum(CASE_STATUSES),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi('SupportCaseSummary');

export const caseSchema = caseSummarySchema
  .extend({
    organizationId: z.uuid(),
    description: z.string(),
    locale: z.enum(LOCALES),
    closedAt: z.iso.datetime().nullable(),
    attachments: z.array(attachmentSchema),
    messages: z.array(caseMessageSchema),
  })
  .openapi('SupportCase', {
    example: {
      ...caseSummaryExample,
      organizationId: '3d2e1f0a-9b8c-4d7e-8f6a-5b4c3d2e1f0a',
      description: 'The contact did not receive the provisioning email; we checked the spam folder.',
      locale: 'en',
      closedAt: null,
      attachments: [],
      messages: [],
    },
  });

export type CaseSummary = z.infer<typeof caseSummarySchema>;
export type CaseView = z.infer<typeof caseSchema>;

export const listCasesQuerySchema = z.object({
  status: z.enum(CASE_STATUSES).optional(),
  cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
  limit: z.coerce.number().int().min(1).max(PAGE_SIZE_MAX).default(PAGE_SIZE_DEFAULT),
});
export type ListCasesQuery = z.infer<typeof listCasesQuerySchema>;

export const caseListSchema = z
  .object({ items: z.array(caseSummarySchema), nextCursor: z.string().nullable() })
  .openapi('SupportCaseList', { example: { items: [caseSummaryExample], nextCursor: null } });

export const caseMessageFormSchema = z.object({ body: paragraphText(SUPPORT_TEXT_MAX_LENGTH) });
