import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { unauthorized } from '../../platform/errors.ts';
import { type AppEnv, LANG_COOKIE } from '../../platform/http.ts';
import { isLocale } from '../../platform/i18n.ts';
import { resolveApiKey } from './api-keys.ts';
import { resolveSession, type SessionUser } from './service.ts';

export const SESSION_COOKIE = 'provisio_session';

/**
 * The session cookie's lifetime in seconds, for `Max-Age`: relative, so a browser whose clock disagrees with
 * the server's (or with a test's moved clock) keeps the cookie exactly as long as the session lasts.
 */
export function sessionCookieMaxAge(now: Date, expiresAt: Date): number {
  return Math.max(0, Math.floor((expiresAt.getTime() - now.getTime()) / 1000));
}

export type UserEnv = AppEnv & { Variables: { user: SessionUser } };

/** API calls authenticate with `Authorization: Bearer <api key>`. */
export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const ctx = c.get('ctx');
    const key = match?.[1] ? await resolveApiKey(ctx, match[1]) : undefined;
    if (!key) throw unauthorized();
    // The request log line names the key already (actor): no per-request child logger on this hot path.
    c.set('ctx', { ...ctx, actor: { type: 'api_key', ...key } });
    await next();
  };
}

/**
 * Pages a customer organization's users may open: the admin hub (and its service setup pages) and
 * their own account. The commerce workspace (orders, subscriptions, transactions, support, API
 * keys) is the partners': a customer user asking for it is sent to the hub.
 */
const CUSTOMER_PAGES = /^\/(hub|account)(\/|$)/;

/** Where a signed-in user starts: customers in the admin hub, operators in the back office, partners in the workspace. */
export function homeOf(orgKind: string): string {
  if (orgKind === 'customer') return '/hub';
  return orgKind === 'vendor' ? '/backoffice' : '/orders';
}

/** May this user open this page? Customer users only the hub and their account. */
export function mayOpenPage(orgKind: string, path: string): boolean {
  return orgKind !== 'customer' || CUSTOMER_PAGES.test(path);
}

/**
 * Pages need a signed-in user; others go to the login page. Customer users are kept to the hub and
 * their account (CUSTOMER_PAGES), whichever module's page they ask for. Each module guards its own
 * paths, so two guards may cover one request (the order pages' `/orders/*` and provisioning's line
 * pages): the session is then read once, by the first.
 */
export function requireUser(): MiddlewareHandler<UserEnv> {
  return async (c, next) => {
    // Unset until a guard has run: the type says otherwise because the pages after a guard may rely on it.
    if ((c.var as { user?: SessionUser }).user) return next();
    const token = getCookie(c, SESSION_COOKIE);
    const ctx = c.get('ctx');
    const user = token ? await resolveSession(ctx, token) : undefined;
    if (!user) {
      const back =
        c.req.method === 'GET'
          ? `?next=${encodeURIComponent(c.req.path + (new URL(c.req.url).search || ''))}`
          : '';
      return c.redirect(`/login${back}`, 303);
    }
    if (!mayOpenPage(user.orgKind, c.req.path)) return c.redirect(homeOf(user.orgKind), 303);
    // An explicit language choice (cookie, already in ctx) wins over the user's stored language.
    const chosen = isLocale(getCookie(c, LANG_COOKIE));
    const locale = !chosen && isLocale(user.locale) ? user.locale : ctx.locale;
    c.set('user', user);
    c.set('locale', locale);
    c.set('ctx', {
      ...ctx,
      locale,
      timeZone: user.timeZone,
      actor: {
        type: 'user',
        userId: user.userId,
        orgId: user.orgId,
        orgKind: user.orgKind,
        role: user.role,
        email: user.email,
      },
    });
    await next();
  };
}
