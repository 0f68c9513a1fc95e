import { z } from '@hono/zod-openapi';
import { LOCALES, type Locale } from '../../platform/i18n.ts';
import { paragraphText, requiredText } from '../../platform/text.ts';

/**
 * What a fulfilment request carries and what an answer may say (docs/adr/0032). One source for the API
 * document, the validation of the vendor's answers (reported or in a 200 body) and the back office.
 */

export const PROVISION_REQUEST_STATES = ['open', 'succeeded', 'failed', 'needs_info', 'given_up'] as const;
export type ProvisionRequestState = (typeof PROVISION_REQUEST_STATES)[number];

/** The stages a fulfilment request leads to and its answer matters in. */
export type FulfilmentStage = 'provisioning' | 'needs_info' | 'provisioning_failed';

export function isFulfilmentStage(stage: string): stage is FulfilmentStage {
  return stage === 'provisioning' || stage === 'needs_info' || stage === 'provisioning_failed';
}

export const EXTERNAL_TENANT_ID_MAX_LENGTH = 200;
export const ANSWER_MESSAGE_MAX_LENGTH = 2000;
export const ANSWER_FIELDS_MAX = 50;
/** What Provisio says itself when the vendor's service never answered (state `given_up`). */
export const UNREACHABLE_CODE = 'unreachable';
/** The code of a failure an operator records in the back office. */
export const OPERATOR_FAILED_CODE = 'operator_failed';

/**
 * The service setup as it was when Provision was pressed: what the vendor's service provisions. Stored
 * as jsonb and read back through this schema, so a row that does not hold one is an error, not a guess.
 */
const setupSnapshotSchema = z.looseObject({
  sites: z.array(
    z.looseObject({
      name: z.string(),
      timeZone: z.string(),
      earlyRelease: z.boolean(),
      licenses: z.number(),
    }),
  ),
  location: z
    .looseObject({
      name: z.string(),
      country: z.string(),
      addressLine1: z.string(),
      addressLine2: z.string().nullable(),
      city: z.string(),
      stateRegion: z.string().nullable(),
      postalCode: z.string().nullable(),
      timeZone: z.string(),
      language: z.string(),
    })
    .nullable(),
  subdomain: z.string().nullable(),
  /** The order's language: what the customer's services and messages should speak. */
  locale: z.enum(LOCALES),
});
/** What the snapshot holds (it keeps whatever else Provision wrote beside these: that is sent as it was). */
export interface SetupSnapshot {
  sites: { name: string; timeZone: string; earlyRelease: boolean; licenses: number }[];
  location: {
    name: string;
    country: string;
    addressLine1: string;
    addressLine2: string | null;
    city: string;
    stateRegion: string | null;
    postalCode: string | null;
    timeZone: string;
    language: string;
  } | null;
  subdomain: string | null;
  locale: Locale;
}

/** A stored snapshot, typed by its schema. */
export function readSetupSnapshot(stored: unknown): SetupSnapshot {
  return setupSnapshotSchema.parse(stored);
}

/**
 * The setup fields a vendor may name in `needs_info`, as paths into `data.setup`: a whole part
 * (`sites`, `location`, `subdomain`) or one field of it (`sites[0].name`, `location.city`).
 */
const SITE_FIELDS = ['name', 'timeZone', 'earlyRelease', 'licenses'] as const;
const LOCATION_FIELDS = [
  'name',
  'country',
  'addressLine1',
  'addressLine2',
  'city',
  'stateRegion',
  'postalCode',
  'timeZone',
  'language',
] as const;
const FIELD_PATH = new RegExp(
  `^(sites(\\[\\d{1,2}\\](\\.(${SITE_FIELDS.join('|')}))?)?|location(\\.(${LOCATION_FIELDS.join('|')}))?|subdomain)$`,
);

export function isSetupFieldPath(path: string): boolean {
  return FIELD_PATH.test(path);
}

/** The setup step where a named field is edited. */
export function stepOfField(path: string): 'meetings' | 'calling' | 'enterprise' {
  if (path.startsWith('sites')) return 'meetings';
  if (path.startsWith('location')) return 'calling';
  return 'enterprise';
}

const LANGUAGE_TAG = /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;

/** A message, or messages by language ({"en": …, "it": …}): the reader sees theirs when there is one. */
export const answerMessageSchema = z
  .union([
    paragraphText(ANSWER_MESSAGE_MAX_LENGTH),
    z
      .record(z.string().regex(LANGUAGE_TAG), paragraphText(ANSWER_MESSAGE_MAX_LENGTH))
      .refine((m) => Object.keys(m).length >= 1 && Object.keys(m).length <= 10, {
        message: 'one to ten languages',
      }),
  ])
  .openapi({
    description:
      'Shown to the partner and the customer. A text, or texts by language (`en`, `it`, `pt-BR`, `ru`, `uk`, …): each reader sees theirs, else English, else the first.',
    example: { en: 'The calling address could not be verified.', it: "L'indirizzo non è stato verificato." },
  });
export type AnswerMessage = z.infer<typeof answerMessageSchema>;

export const answerCodeSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/)
  .openapi({
    description: 'A stable code for the failure (lower case, digits, `_`, `.`, `-`).',
    example: 'address_not_verified',
  });

export const externalTenantIdSchema = requiredText(EXTERNAL_TENANT_ID_MAX_LENGTH).openapi({
  description: "The vendor's own id of the customer's tenant.",
  example: 'tenant-4711',
});

/** An answer to a fulfilment request: reported, given in a 200 body, or recorded by an operator. */
export const provisionAnswerSchema = z
  .discriminatedUnion('status', [
    z.object({ status: z.literal('succeeded'), externalTenantId: externalTenantIdSchema }),
    z.object({ status: z.literal('failed'), code: answerCodeSchema, message: answerMessageSchema }),
    z.object({
      status: z.literal('needs_info'),
      fields: z
        .array(
          z.string().refine(isSetupFieldPath, {
            message: 'a setup field: sites, sites[0].name, location, location.city, subdomain, …',
          }),
        )
        .min(1)
        .max(ANSWER_FIELDS_MAX)
        .openapi({
          description:
            'The setup fields at fault, as paths into `data.setup`: `sites`, `sites[0].name` (`name`, `timeZone`, `earlyRelease`, `licenses`), `location`, `location.city` (any location field), `subdomain`.',
          example: ['location.addressLine1'],
        }),
      message: answerMessageSchema,
    }),
  ])
  .openapi('ProvisionAnswer', {
    example: { status: 'succeeded', externalTenantId: 'tenant-4711' },
  });
export type ProvisionAnswer = z.infer<typeof provisionAnswerSchema>;

/** The text a reader of `locale` sees: theirs, else its language without region, else English, else the first. */
export function messageFor(message: AnswerMessage | null, locale: Locale): string | null {
  if (message === null) return null;
  if (typeof message === 'string') return message;
  const base = locale.split('-')[0] ?? locale;
  return message[locale] ?? message[base] ?? message.en ?? Object.values(message)[0] ?? null;
}

/** A stored message (jsonb), read back as what it was written as; anything else reads as none. */
export function storedMessage(value: unknown): AnswerMessage | null {
  const parsed = answerMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}
