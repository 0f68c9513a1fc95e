import { randomUUID } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { HTTPException } from 'hono/http-exception';
import type { Ctx } from './context.ts';
import { isDatabaseUnavailable } from './db-errors.ts';
import { DomainError, payloadTooLarge } from './errors.ts';
import { isLocale, type Locale, negotiateLocale, translator } from './i18n.ts';
import type { Logger } from './logger.ts';
import type { Runtime } from './runtime.ts';

export interface AppEnv {
  Variables: {
    ctx: Ctx;
    locale: Locale;
    requestId: string;
  };
}

export const LANG_COOKIE = 'provisio_lang';

/** Gives every request an id, a language and a base context (acting as nobody until authenticated). */
export function requestContext(rt: Runtime): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && /^[\w.-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    const cookieLang = getCookie(c, LANG_COOKIE);
    const locale = isLocale(cookieLang)
      ? cookieLang
      : negotiateLocale(c.req.header('accept-language'), rt.config.defaultLocale);
    c.set('requestId', requestId);
    c.set('locale', locale);
    c.set('ctx', {
      db: rt.db,
      clock: rt.clock,
      locale,
      requestId,
      actor: { type: 'anonymous' },
      log: rt.log.child({ requestId }),
      caches: rt.caches,
      jobs: rt.jobs,
      mail: rt.mail,
      pdf: rt.pdf,
      config: rt.config,
      reads: rt.reads,
      transitionEffects: rt.transitionEffects,
      outbound: rt.outbound,
      metrics: rt.metrics.counters,
    });
    c.header('X-Request-Id', requestId);
    const started = performance.now();
    await next();
    // Paths only: query strings can carry search terms and, later, link tokens.
    rt.log.info(
      {
        requestId,
        method: c.req.method,
        path: loggedPath(c.req.path),
        status: c.res.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        actor: describeActor(c.get('ctx')),
      },
      'request',
    );
  };
}

/** Setup links and invitations carry their token in the path: the log keeps only which page it was. */
const TOKEN_PATHS = /^\/setup\/[^/]+/;
const INVITATION_PATHS = /^\/hub\/invitations\/[^/]+/;

export function loggedPath(path: string): string {
  return path.replace(TOKEN_PATHS, '/setup/[token]').replace(INVITATION_PATHS, '/hub/invitations/[token]');
}

function describeActor(ctx: Ctx): string {
  const a = ctx.actor;
  if (a.type === 'user') return `user:${a.userId}`;
  if (a.type === 'api_key') return `api_key:${a.apiKeyId}`;
  if (a.type === 'system') return a.name;
  return 'anonymous';
}

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  requestId: string;
  errors?: { field: string; code: string; message: string }[];
}

/** A refusal as RFC 9457 problem details, in the caller's language. */
export function problemBody(error: DomainError, locale: Locale, requestId: string): ProblemBody {
  const t = translator(locale);
  const body: ProblemBody = {
    type: `urn:provisio:problem:${error.code}`,
    title: t(`errors.${error.code}.title`),
    status: error.status,
    code: error.code,
    detail: t(`errors.${error.code}.detail`, error.params),
    requestId,
  };
  if (error.fields.length) {
    body.errors = error.fields.map((f) => ({
      field: f.field,
      code: f.rule,
      message: t(`validation.${f.rule}`, { field: f.field, ...f.params }),
    }));
  }
  return body;
}

export function problemResponse(c: Context<AppEnv>, error: DomainError): Response {
  const body = problemBody(error, c.get('locale') ?? 'en', c.get('requestId') ?? '');
  const headers: Record<string, string> = { 'Content-Type': 'application/problem+json' };
  if (error.status === 401) headers['WWW-Authenticate'] = 'Bearer';
  if (error.status === 503 || error.status === 429) headers['Retry-After'] = String(RETRY_AFTER_SECONDS);
  // Rate limits say when the next attempt may succeed.
  if (typeof error.params.retryAfterSeconds === 'number')
    headers['Retry-After'] = String(error.params.retryAfterSeconds);
  return new Response(JSON.stringify(body), { status: error.status, headers });
}

/** Refusals raised by Hono's own middleware (body parsing, CSRF check, body limit). */
const FRAMEWORK_REFUSALS: Record<number, string> = {
  401: 'unauthorized',
  403: 'forbidden',
  415: 'unsupported_media_type',
};

/** How long a caller should wait before trying again when the database is out of reach. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Turns what a handler threw into a response: refusals keep their code, an unreachable database is a
 * 503 (the request may be retried), and bugs become a logged 500.
 */
export function toDomainError(err: unknown, log: Logger, requestId: string | undefined): DomainError {
  if (err instanceof DomainError) return err;
  if (err instanceof HTTPException && err.status === 413) return payloadTooLarge();
  if (err instanceof HTTPException && err.status < 500) {
    return new DomainError(FRAMEWORK_REFUSALS[err.status] ?? 'malformed_request', err.status);
  }
  if (isDatabaseUnavailable(err)) {
    log.warn({ err, requestId }, 'database unavailable');
    return new DomainError('service_unavailable', 503, { seconds: RETRY_AFTER_SECONDS });
  }
  log.error({ err, requestId }, 'unhandled error');
  return new DomainError('internal_error', 500);
}
