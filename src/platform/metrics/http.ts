import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { HttpMetrics, Metrics } from './registry.ts';

/** A request no route answers: one label for all of them, whatever path was asked for. */
export const UNMATCHED_ROUTE = 'unmatched';
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * The route template that answered (`/api/v1/orders/:orderId`), never the path asked for: ids in
 * the label would make a series per order. When a middleware answered first (401 from the API key
 * check), the template of the route that would have answered; when none matches, `unmatched`.
 * Middleware is registered for every method (`ALL`); routes are not.
 */
export function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  const current = routes[c.req.routeIndex];
  if (current && current.method !== 'ALL') return current.path;
  return routes.find((route) => route.method !== 'ALL')?.path ?? UNMATCHED_ROUTE;
}

/** Counts and times every request by method, route template and status. Registered first, so it sees errors answered. */
export function httpMetrics(metrics: HttpMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const method = METHODS.has(c.req.method) ? c.req.method : 'OTHER';
      const route = routeLabel(c);
      metrics.requests.labels(method, route, String(c.res.status)).inc();
      metrics.duration.labels(method, route).observe((performance.now() - started) / 1000);
    }
  };
}

/** Both sides hashed first: equal lengths for timingSafeEqual, and the time says nothing of the token. */
function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** `GET /metrics`: the text format; with a token, only to `Authorization: Bearer <token>`. */
export function metricsEndpoint(metrics: Metrics, token?: string): (c: Context) => Promise<Response> {
  return async (c) => {
    if (token !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(c.req.header('authorization') ?? '');
      if (!match?.[1] || !sameToken(match[1], token))
        return c.text('Unauthorized\n', 401, { 'WWW-Authenticate': 'Bearer realm="metrics"' });
    }
    const body = await metrics.scrape();
    return c.body(body, 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
  };
}
