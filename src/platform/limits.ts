/**
 * Every limit on what callers may send, each stated once. The zod schemas (and so the OpenAPI
 * document), the messages and the docs use these constants; the database enforces the same
 * limits with CHECK constraints in migrations that cannot change once applied, and
 * test/integration/limits.test.ts fails when a constant here and its constraint disagree. To change
 * a limit that has a constraint, change it here and add a migration that alters the constraint.
 *
 * The supported languages (`orders.locale`, `users.locale`) are `LOCALES` in i18n.ts, beside their
 * catalogs; the same test holds them against the database.
 */

/** A purchase order reference (`orders.reference`), after trimming. */
export const REFERENCE_MAX_LENGTH = 64;

/** The end customer's name on an order (`orders.end_customer_name`), after trimming. */
export const END_CUSTOMER_NAME_MAX_LENGTH = 200;

/** An organization's name (`organizations.name`), after trimming. */
export const ORGANIZATION_NAME_MAX_LENGTH = 200;

/** ISO 3166-1 alpha-2 (`orders.end_customer_country`, `organizations.country`). */
export const COUNTRY_CODE_PATTERN = /^[A-Z]{2}$/;

/** An email address in octets, as RFC 5321 allows for a path (`users.email`, line contact emails). */
export const EMAIL_MAX_LENGTH = 254;

/** An API key's name (`api_keys.name`), after trimming. */
export const API_KEY_NAME_MAX_LENGTH = 100;

/** A password, in characters: longer input is refused before it is stored, counted or hashed. */
export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;

/** An offer code in the catalogue (`offers.code`). */
export const OFFER_CODE_MAX_LENGTH = 32;
export const OFFER_CODE_PATTERN = new RegExp(`^[A-Z0-9][A-Z0-9-]{0,${OFFER_CODE_MAX_LENGTH - 1}}$`);

/** An offer's policy window, in days (`offers.policy_window_days`). */
export const POLICY_WINDOW_DAYS_MIN = 1;
export const POLICY_WINDOW_DAYS_MAX = 365;

/** Seats on one order line (`order_lines.quantity`). */
export const QUANTITY_MIN = 1;
export const QUANTITY_MAX = 1_000_000;

/** Lines on one order. */
export const ORDER_LINES_MAX = 500;

/** An `Idempotency-Key` header (`idempotency_keys.key`). */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** The order search text. */
export const SEARCH_TEXT_MAX_LENGTH = 254;

/** A paging cursor as this API hands it out. */
export const CURSOR_MAX_LENGTH = 200;

/** Orders on one page of the list. */
export const PAGE_SIZE_MAX = 100;
export const PAGE_SIZE_DEFAULT = 25;

/** A request body, in bytes. */
export const REQUEST_BODY_MAX_BYTES = 1024 * 1024;
/** The same, in megabytes (MiB): how messages and docs state it. */
export const REQUEST_BODY_MAX_MEGABYTES = REQUEST_BODY_MAX_BYTES / (1024 * 1024);

/**
 * A Retry-After for a limit over `windowSeconds`: at least 1 s, never more than the window itself
 * (a wait computed from a clock that moved back could otherwise be hours: issue 14 saw 4198 s).
 */
export function retryAfterWithin(windowSeconds: number, seconds: number): number {
  return Math.min(windowSeconds, Math.max(1, Math.ceil(seconds)));
}

/** Resends of one line's provisioning email: at most this many in each window (C4). */
export const RESEND_LIMITS = [
  { max: 3, windowSeconds: 10 * 60 },
  { max: 10, windowSeconds: 24 * 60 * 60 },
] as const;
/** A support case's description and each message in its thread (`support_cases.description`, `support_case_messages.body`), after trimming. */
export const SUPPORT_TEXT_MAX_LENGTH = 5000;

/** Screenshots on one support case. */
export const SUPPORT_SCREENSHOTS_MAX = 5;

/** One screenshot, in bytes (`support_case_attachments.size_bytes`). */
export const SUPPORT_SCREENSHOT_MAX_BYTES = 5 * 1024 * 1024;
export const SUPPORT_SCREENSHOT_MAX_MEGABYTES = SUPPORT_SCREENSHOT_MAX_BYTES / (1024 * 1024);

/** A screenshot's file name (`support_case_attachments.file_name`). */
export const SUPPORT_FILE_NAME_MAX_LENGTH = 255;

/**
 * The body of a request that opens a support case: every screenshot at its largest plus room for
 * the text fields and the multipart framing. Only that route takes more than REQUEST_BODY_MAX_BYTES.
 */
export const SUPPORT_REQUEST_BODY_MAX_BYTES =
  SUPPORT_SCREENSHOTS_MAX * SUPPORT_SCREENSHOT_MAX_BYTES + REQUEST_BODY_MAX_BYTES;
export const SUPPORT_REQUEST_BODY_MAX_MEGABYTES = SUPPORT_REQUEST_BODY_MAX_BYTES / (1024 * 1024);

/**
 * Searches of all organizations by domain (W3's global search) by one caller (an API key, a setup
 * link, a user) in each window: enough for a person trying a few spellings, not for enumerating
 * who is a customer of the vendor. Over it: 429 with Retry-After.
 */
export const ORGANIZATION_SEARCH_LIMIT = { max: 20, windowSeconds: 10 * 60 } as const;

/** A webhook endpoint's URL (`webhook_endpoints.url`). */
export const WEBHOOK_URL_MAX_LENGTH = 2048;

/** A webhook endpoint's description (`webhook_endpoints.description`), after trimming. */
export const WEBHOOK_DESCRIPTION_MAX_LENGTH = 500;

/** Webhook endpoints one organization (or the vendor) may have: enough for each system it runs. */
export const WEBHOOK_ENDPOINTS_PER_OWNER = 20;
