import type { MiddlewareHandler } from 'hono';
import { DomainError, notFound } from './errors.ts';
import { type AppEnv, problemResponse } from './http.ts';

/** A registered route: its method and its path template, in OpenAPI ("{orderId}") or Hono (":orderId") form. */
export interface RouteSignature {
  method: string;
  path: string;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function templatePattern(path: string): RegExp {
  const segments = path
    .split('/')
    .map((segment) =>
      /^\{[^}]+\}$|^:\w+$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    );
  return new RegExp(`^${segments.join('/')}$`);
}

/**
 * The methods each path has, from the routes registered for it; undefined for a path no route has.
 * A GET route answers HEAD too (Hono does so on its own).
 */
export function allowedMethods(routes: readonly RouteSignature[]): (path: string) => string[] | undefined {
  const byTemplate = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = byTemplate.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method.toUpperCase() === 'GET') methods.add('HEAD');
    byTemplate.set(route.path, methods);
  }
  const matchers = [...byTemplate].map(([template, methods]) => ({
    pattern: templatePattern(template),
    methods,
  }));
  const methodsOf = (path: string) => {
    const methods = new Set(matchers.filter((m) => m.pattern.test(path)).flatMap((m) => [...m.methods]));
    if (!methods.size) return undefined;
    const rank = (method: string) => {
      const index = METHOD_ORDER.indexOf(method);
      return index === -1 ? METHOD_ORDER.length : index;
    };
    return [...methods].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  };
  // Paths without parameters (POST /orders, the busiest) are answered from a table built once, not by
  // testing every route's pattern on every request.
  const fixed = new Map(
    [...byTemplate.keys()]
      .filter((template) => !/[{:]/.test(template))
      .map((template) => [template, methodsOf(template)] as const),
  );
  return (path) => fixed.get(path) ?? methodsOf(path);
}

/**
 * Gives a path of the API a method it does not have a 405 problem with its `Allow` header, and a
 * path it does not have at all a 404 problem, before authentication (the API's shape is public in
 * its OpenAPI document) and before the workspace's form checks can mistake it for a page. The
 * routes are read once, at the first request, when every route has been registered.
 */
export function methodGuard(routes: () => readonly RouteSignature[]): MiddlewareHandler<AppEnv> {
  let methodsOf: ((path: string) => string[] | undefined) | undefined;
  return async (c, next) => {
    methodsOf ??= allowedMethods(routes());
    const allowed = methodsOf(c.req.path);
    if (!allowed) return problemResponse(c, notFound());
    if (!allowed.includes(c.req.method)) {
      const allow = allowed.join(', ');
      const response = problemResponse(
        c,
        new DomainError('method_not_allowed', 405, { method: c.req.method, allow }),
      );
      response.headers.set('Allow', allow);
      return response;
    }
    await next();
  };
}
