import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseSealingKeys, type SealingKey, sealingKeyFromPassphrase } from './platform/sealed-box.ts';
import { maskSecrets } from './platform/secrets.ts';
import { isSigningSecret } from './platform/standard-webhooks.ts';

/**
 * Every setting Provisio reads, validated once at boot. The README's configuration table mirrors
 * this list; a wrong value stops the process with a message naming the setting.
 */
const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const settingsSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),
  LIST_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1).max(600_000).default(5000),
  LIST_QUERIES_PER_TENANT: z.coerce.number().int().min(1).max(100).default(3),
  LIST_QUEUE_PER_TENANT: z.coerce.number().int().min(0).max(1000).default(20),
  WORKER_DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(20),
  JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
  DATA_DIR: z.string().min(1).default('./data'),
  FILES_DIR: z.string().min(1).optional(),
  SUPPORT_UPLOADS_CONCURRENT: z.coerce.number().int().min(1).max(100).default(4),
  DEMO_SEED: z.enum(['auto', 'always', 'never']).default('auto'),
  DEMO_PASSWORD: z.string().min(10, 'must be at least 10 characters').optional(),
  CATALOG_FILE: z
    .string()
    .min(1)
    .refine((file) => existsSync(path.resolve(file)), 'no such file')
    .optional(),
  DEFAULT_LOCALE: z.enum(['en', 'it', 'pt-BR', 'ru', 'uk']).default('en'),
  SESSION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(12),
  SETUP_RESERVATION_HOURS: z.coerce.number().int().min(1).max(720).default(48),
  SETUP_RESERVATION_MAX_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  SETUP_ORGANIZATIONS_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(20),
  SETUP_NAME_CHECKS_PER_HOUR: z.coerce.number().int().min(1).max(1_000_000).default(600),
  SETUP_NAMES_RESERVED_PER_HOUR: z.coerce.number().int().min(1).max(100_000).default(100),
  JOIN_REQUEST_EXPIRY_DAYS: z.coerce.number().int().min(1).max(90).default(7),
  SESSION_COOKIE_SECURE: booleanFlag.default(true),
  TRUST_PROXY: booleanFlag.default(false),
  NODE_ENV: z.string().default('development'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^/]+/, 'must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example:587')
    .optional(),
  MAIL_FROM: z.email('must be an email address').default('provisioning@provisio.example'),
  ESCALATION_EMAIL: z.email('must be an email address').default('account-reps@provisio.example'),
  VENDOR_NAME: z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(100, 'must be at most 100 characters')
    .default('Provisio'),
  ADMIN_HUB_URL: z.url({ protocol: /^https?$/ }).optional(),
  MEETINGS_SITE_DOMAIN: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name, e.g. meet.vendor.example')
    .optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json'], 'must be "pretty" or "json"').optional(),
  WEBHOOK_SECRETS_KEY: z
    .string()
    .refine(
      (value) => parseSealingKeys(value) !== undefined,
      'must be one or more base64 keys of 32 bytes, separated by commas (make one with `openssl rand -base64 32`)',
    )
    .optional(),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: booleanFlag.default(false),
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: z.coerce.number().int().min(1).max(100).default(10),
  FULFILMENT_SIGNING_SECRET: z
    .string()
    .refine(isSigningSecret, 'must be a whsec_ secret: "whsec_" and base64 of at least 24 random bytes')
    .optional(),
  FULFILMENT_STALL_HOURS: z.coerce.number().int().min(1).max(8760).default(72),
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (make one with `openssl rand -hex 32`)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(0).max(3600).default(20),
  DATABASE_PREPARED_STATEMENTS: booleanFlag.default(true),
  START_RUNS_JOBS: booleanFlag.default(true),
});

export type Settings = z.infer<typeof settingsSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  databasePoolSize: number;
  /**
   * List and search pages and API calls (docs/adr/0024): how long one of their statements may run
   * (PostgreSQL's statement_timeout), how many a tenant runs at once in this process, and how many
   * more may wait for a turn before the next is refused with 429.
   */
  listQueryTimeoutMs: number;
  listQueriesPerTenant: number;
  listQueuePerTenant: number;
  /** Jobs of one kind a process runs at once. */
  workerConcurrency: number;
  /** On SIGTERM/SIGINT, how long running jobs may take to finish before they are failed (and retried). */
  workerDrainSeconds: number;
  /**
   * The longest one job attempt may run before it counts as lost and runs again on any worker: with
   * pg-boss's maintenance and the retry delay, what bounds recovery after a `kill -9` (ADR 0023).
   */
  jobExpireSeconds: number;
  dataDir: string;
  /** Where uploaded files (support screenshots) are kept: never in the database (ADR 0025). */
  filesDir: string;
  /** Support cases with screenshots a process receives at once; more are refused with 503 and Retry-After. */
  supportUploadsConcurrent: number;
  demoSeed: 'auto' | 'always' | 'never';
  demoPassword: string | undefined;
  catalogFile: string;
  defaultLocale: Settings['DEFAULT_LOCALE'];
  sessionTtlHours: number;
  /** How long a saved site name or subdomain stays reserved for an unprovisioned setup. */
  setupReservationHours: number;
  /** However often it is renewed, a setup holds a name at most this long from its first reservation. */
  setupReservationMaxDays: number;
  /** Organizations the wizard or the API may create per hour, per partner organization or per setup link. */
  setupOrganizationsPerHour: number;
  /** Site name and subdomain availability checks per hour, per organization or per setup link. */
  setupNameChecksPerHour: number;
  /** Site names and subdomains newly reserved per hour, per organization or per setup link. */
  setupNamesReservedPerHour: number;
  /** A request to an organization's admins not answered within this many days expires (ADR 0022). */
  joinRequestExpiryDays: number;
  sessionCookieSecure: boolean;
  /** Behind exactly one reverse proxy: the client is the last X-Forwarded-For entry (platform/client-address.ts). */
  trustProxy: boolean;
  logLevel: Settings['LOG_LEVEL'];
  /** Unset: readable lines on a terminal, JSON lines otherwise (platform/logger.ts). */
  logFormat: Settings['LOG_FORMAT'];
  /** NODE_ENV=production: no development mailbox, SMTP_URL required, never the demo unasked. */
  production: boolean;
  /** Outgoing mail over SMTP; unset: mail is kept in the database and shown at /dev/mailbox. */
  smtpUrl: string | undefined;
  /** The sender of every email: partners ask their IT to allow-list it (C11). */
  mailFrom: string;
  /** Who hears of stalled provisioning when the partner has no account representative on file. */
  escalationEmail: string;
  /** The vendor's name as its customers know it: the title block of the order summary PDF. */
  vendorName: string;
  /** Where a contact or admin completes provisioning after the Point of No Return. */
  adminHubUrl: string;
  /** The domain under which a Meetings site's URL name lives (`acme.<domain>`), shown as it is typed. */
  meetingsSiteDomain: string;
  /**
   * Keys that seal webhook signing secrets at rest (AES-256-GCM, docs/adr/0031): the first seals, every
   * one opens, so WEBHOOK_SECRETS_KEY can be changed by putting the new key first.
   */
  webhookSecretsKeys: readonly SealingKey[];
  /** WEBHOOK_SECRETS_KEY is unset (never in production): a fixed development key seals, and start warns. */
  webhookSecretsKeyIsDevelopmentFallback: boolean;
  /** Webhooks may go to loopback, private, link-local and metadata addresses (development and tests). */
  webhookAllowPrivateTargets: boolean;
  /** Requests a worker sends to one webhook endpoint at once. */
  webhookConcurrencyPerEndpoint: number;
  /**
   * Signs the fulfilment requests sent to the vendor's service (Standard Webhooks, docs/adr/0032);
   * required when an offer of the catalogue is fulfilled over http.
   */
  fulfilmentSigningSecret: string | undefined;
  /** A fulfilment request unanswered this long is reported to the account representative, once. */
  fulfilmentStallHours: number;
  /** Bearer token for `GET /metrics` on the web port; unset, the web port serves no metrics. */
  metricsToken: string | undefined;
  /** A port of its own for `GET /metrics` (no token: keep it off the public network). */
  metricsPort: number | undefined;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before the process exits. */
  shutdownGraceSeconds: number;
  /** Named (server-side) prepared statements; false behind PgBouncer older than 1.21 in transaction mode. */
  databasePreparedStatements: boolean;
  /** `start` also runs the background jobs; false: it only serves (run `provisio worker` processes). */
  startRunsJobs: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

const SECRET_SETTINGS = new Set([
  'DEMO_PASSWORD',
  'WEBHOOK_SECRETS_KEY',
  'FULFILMENT_SIGNING_SECRET',
  'METRICS_TOKEN',
]);
// SMTP_URL and DATABASE_URL are echoed with their passwords masked (maskSecrets).

/** How a rejected value is echoed: secrets never, and a database address without its password. */
function shown(name: string, value: unknown): string {
  if (typeof value !== 'string') return 'nothing';
  if (SECRET_SETTINGS.has(name)) return 'a value that is not shown';
  return JSON.stringify(maskSecrets(value.length > 200 ? `${value.slice(0, 200)}…` : value));
}

/**
 * Without WEBHOOK_SECRETS_KEY (development only) signing secrets are sealed with a key everyone can
 * derive from this text: no protection at rest, but the same code path, and secrets that survive a
 * restart. Start warns about it.
 */
const DEVELOPMENT_SECRETS_PASSPHRASE = 'provisio development webhook secrets key: not a secret';

const defaultCatalogFile = path.resolve(import.meta.dirname, '..', 'config', 'catalog.json');

/** Reads the settings from an environment (process.env by default); throws ConfigError naming each bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(settingsSchema.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const parsed = settingsSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? 'environment');
        return `${name}: ${issue.message} (got ${shown(name, present[name])})`;
      }),
    );
  }
  const s = parsed.data;
  const production = s.NODE_ENV === 'production';
  if (production && !s.SMTP_URL) {
    throw new ConfigError([
      'SMTP_URL: required when NODE_ENV=production (without it mail would only reach the development mailbox)',
    ]);
  }
  if (production && s.DEMO_SEED === 'always') {
    // The demo brings an operator account and API keys with a shared password: not for real data.
    throw new ConfigError([
      'DEMO_SEED: "always" is not allowed when NODE_ENV=production (the demo creates an operator and API keys); to load it on purpose, run `provisio seed --demo --allow-production`',
    ]);
  }
  if (production && !s.WEBHOOK_SECRETS_KEY) {
    throw new ConfigError([
      'WEBHOOK_SECRETS_KEY: required when NODE_ENV=production (it encrypts the webhook signing secrets; make one with `openssl rand -base64 32`)',
    ]);
  }
  const webhookSecretsKeys = s.WEBHOOK_SECRETS_KEY ? parseSealingKeys(s.WEBHOOK_SECRETS_KEY) : undefined;
  const publicUrl = (s.PUBLIC_URL ?? `http://localhost:${s.PORT}`).replace(/\/+$/, '');
  return {
    port: s.PORT,
    host: s.HOST,
    publicUrl,
    databaseUrl: s.DATABASE_URL,
    databasePoolSize: s.DATABASE_POOL_SIZE,
    listQueryTimeoutMs: s.LIST_QUERY_TIMEOUT_MS,
    listQueriesPerTenant: s.LIST_QUERIES_PER_TENANT,
    listQueuePerTenant: s.LIST_QUEUE_PER_TENANT,
    workerConcurrency: s.WORKER_CONCURRENCY,
    workerDrainSeconds: s.WORKER_DRAIN_SECONDS,
    jobExpireSeconds: s.JOB_EXPIRE_SECONDS,
    dataDir: path.resolve(s.DATA_DIR),
    filesDir: path.resolve(s.FILES_DIR ?? path.join(s.DATA_DIR, 'files')),
    supportUploadsConcurrent: s.SUPPORT_UPLOADS_CONCURRENT,
    demoSeed: s.DEMO_SEED,
    demoPassword: s.DEMO_PASSWORD,
    catalogFile: s.CATALOG_FILE ? path.resolve(s.CATALOG_FILE) : defaultCatalogFile,
    defaultLocale: s.DEFAULT_LOCALE,
    sessionTtlHours: s.SESSION_TTL_HOURS,
    setupReservationHours: s.SETUP_RESERVATION_HOURS,
    setupReservationMaxDays: s.SETUP_RESERVATION_MAX_DAYS,
    setupOrganizationsPerHour: s.SETUP_ORGANIZATIONS_PER_HOUR,
    setupNameChecksPerHour: s.SETUP_NAME_CHECKS_PER_HOUR,
    setupNamesReservedPerHour: s.SETUP_NAMES_RESERVED_PER_HOUR,
    joinRequestExpiryDays: s.JOIN_REQUEST_EXPIRY_DAYS,
    sessionCookieSecure: s.SESSION_COOKIE_SECURE,
    trustProxy: s.TRUST_PROXY,
    logLevel: s.LOG_LEVEL,
    logFormat: s.LOG_FORMAT,
    production,
    smtpUrl: s.SMTP_URL,
    mailFrom: s.MAIL_FROM.toLowerCase(),
    escalationEmail: s.ESCALATION_EMAIL.toLowerCase(),
    vendorName: s.VENDOR_NAME,
    adminHubUrl: (s.ADMIN_HUB_URL ?? `${publicUrl}/hub`).replace(/\/+$/, ''),
    meetingsSiteDomain: (s.MEETINGS_SITE_DOMAIN ?? `meet.${new URL(publicUrl).hostname}`).toLowerCase(),
    webhookSecretsKeys: webhookSecretsKeys ?? [sealingKeyFromPassphrase(DEVELOPMENT_SECRETS_PASSPHRASE)],
    webhookSecretsKeyIsDevelopmentFallback: webhookSecretsKeys === undefined,
    webhookAllowPrivateTargets: s.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    webhookConcurrencyPerEndpoint: s.WEBHOOK_CONCURRENCY_PER_ENDPOINT,
    fulfilmentSigningSecret: s.FULFILMENT_SIGNING_SECRET,
    fulfilmentStallHours: s.FULFILMENT_STALL_HOURS,
    metricsToken: s.METRICS_TOKEN,
    metricsPort: s.METRICS_PORT,
    shutdownGraceSeconds: s.SHUTDOWN_GRACE_SECONDS,
    databasePreparedStatements: s.DATABASE_PREPARED_STATEMENTS,
    startRunsJobs: s.START_RUNS_JOBS,
  };
}
