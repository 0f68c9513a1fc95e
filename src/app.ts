import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { mountApiRoutes, mountModules } from './modules/compose.ts';
import { eventWebhooks } from './modules/events/published.ts';
import { requireApiKey, type UserEnv } from './modules/identity/middleware.ts';
import { supportUploadGate } from './modules/support/upload-gate.ts';
import { methodGuard } from './platform/allowed-methods.ts';
import { renderApiReference } from './platform/api-docs.tsx';
import { DomainError, payloadTooLarge, validationFailed } from './platform/errors.ts';
import {
  type AppEnv,
  problemResponse,
  RETRY_AFTER_SECONDS,
  requestContext,
  toDomainError,
} from './platform/http.ts';
import {
  REQUEST_BODY_MAX_BYTES,
  SUPPORT_REQUEST_BODY_MAX_BYTES,
  SUPPORT_REQUEST_BODY_MAX_MEGABYTES,
} from './platform/limits.ts';
import { registerMailboxPages } from './platform/mail/mailbox-pages.tsx';
import { mailHealth, relayStateView } from './platform/mail/relay-state.ts';
import { httpMetrics, metricsEndpoint } from './platform/metrics/http.ts';
import { withSharedResponses } from './platform/openapi.ts';
import { readinessHandler } from './platform/readiness.ts';
import type { Runtime } from './platform/runtime.ts';
import { renderErrorPage } from './platform/ui/error-page.tsx';
import type { PageChrome } from './platform/ui/layout.tsx';
import { fieldErrorsFromZod } from './platform/validation.ts';

const require = createRequire(import.meta.url);
// A Map, not an object literal: "/assets/__proto__" or "/assets/toString" must find nothing.
const sources = new Map<string, { body: string; type: string }>([
  [
    'htmx.min.js',
    {
      body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8'),
      type: 'text/javascript',
    },
  ],
  [
    'provisioning.js',
    {
      body: readFileSync(path.join(import.meta.dirname, 'modules', 'provisioning', 'dialog.js'), 'utf8'),
      type: 'text/javascript',
    },
  ],
  [
    // The design foundation (docs/adr/0033): Pico CSS v2, served as published; app.css is the layer on it.
    'pico.min.css',
    {
      body: readFileSync(require.resolve('@picocss/pico/css/pico.min.css'), 'utf8'),
      type: 'text/css',
    },
  ],
  [
    'app.css',
    {
      body: readFileSync(path.join(import.meta.dirname, 'platform', 'ui', 'app.css'), 'utf8'),
      type: 'text/css',
    },
  ],
]);
// Compressed once at start: a page's CSS and script travel as gzip (docs/adr/0033 measures that weight).
const assets = new Map(
  [...sources].map(([name, asset]) => [
    name,
    { ...asset, gzip: new Uint8Array(gzipSync(asset.body, { level: 9 })) },
  ]),
);

const API_INFO = {
  title: 'Provisio API',
  version: '1.0.0',
  description:
    'Order intake and order status for partners and distributors. Authenticate with `Authorization: Bearer <api key>` (create one with `npx provisio apikey create --org <org id>`). Errors are `application/problem+json` with a stable `code` and a message in the language of `Accept-Language` (en, it, pt-BR, ru, uk).',
};

const SUPPORT_CASE_UPLOAD_PATHS = new Set(['/support/cases', '/api/v1/support/cases']);

export function createApp(rt: Runtime): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const modules = rt.composition.modules;

  // First, so every answer is counted and timed, errors and refusals included.
  app.use('*', httpMetrics(rt.metrics.http));
  app.use('*', requestContext(rt));
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
      referrerPolicy: 'no-referrer',
      // A route that needs its own policy (the development mailbox's message frame) sets it itself.
      overwrite: false,
    }),
  );
  // Pages and API answers are about someone's orders: no cache keeps them, unless a route says otherwise (assets).
  app.use('*', async (c, next) => {
    await next();
    // On the response's own headers, as secureHeaders does: c.header() on a finished response has hono
    // rebuild it around a stream of its body, which sent every JSON answer down the adapter's slow path.
    if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
  });
  const defaultBodyLimit = bodyLimit({
    maxSize: REQUEST_BODY_MAX_BYTES,
    onError: () => {
      throw payloadTooLarge();
    },
  });
  // Opening a support case carries screenshots: only those two paths take the larger body.
  const supportCaseBodyLimit = bodyLimit({
    maxSize: SUPPORT_REQUEST_BODY_MAX_BYTES,
    onError: () => {
      throw new DomainError('payload_too_large', 413, { megabytes: SUPPORT_REQUEST_BODY_MAX_MEGABYTES });
    },
  });
  const uploadGate = supportUploadGate(rt.config.supportUploadsConcurrent);
  app.use('*', (c, next) => {
    if (!(c.req.method === 'POST' && SUPPORT_CASE_UPLOAD_PATHS.has(c.req.path)))
      return defaultBodyLimit(c, next);
    // Only bodies that can carry files wait for a slot; the gate answers before the body is read.
    if (!/^multipart\/form-data/i.test(c.req.header('content-type') ?? ''))
      return supportCaseBodyLimit(c, next);
    return uploadGate(c, async () => {
      await supportCaseBodyLimit(c, next);
    });
  });

  app.onError((err, c) => {
    const error = toDomainError(err, rt.log, c.get('requestId'));
    if (c.req.path.startsWith('/api/')) return problemResponse(c, error);
    if (typeof error.params.retryAfterSeconds === 'number')
      c.header('Retry-After', String(error.params.retryAfterSeconds));
    else if (error.status === 503) c.header('Retry-After', String(RETRY_AFTER_SECONDS));
    // A signed-in user's error page keeps their header (account menu, way home).
    const user = (c.var as { user?: PageChrome['user'] }).user;
    return c.html(
      renderErrorPage(c.get('locale') ?? rt.config.defaultLocale, c.req.path, error, user),
      error.status as ContentfulStatusCode,
    );
  });
  app.notFound((c) => {
    const error = new DomainError('not_found', 404);
    if (c.req.path.startsWith('/api/')) return problemResponse(c, error);
    return c.html(renderErrorPage(c.get('locale') ?? rt.config.defaultLocale, c.req.path, error), 404);
  });

  app.get('/healthz', async (c) => {
    try {
      // A database that does not answer within two seconds is as good as down for a load balancer.
      const withinTwoSeconds = <T>(work: Promise<T>) =>
        Promise.race([
          work,
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('health check timed out')), 2000).unref(),
          ),
        ]);
      // On PostgreSQL over a connection of its own: a pool kept busy by slow reads is not a database down.
      await withinTwoSeconds(rt.ping());
      // The mail backlog is read over the pool; when the pool is that busy, the relay's state is shown alone.
      const mail = await withinTwoSeconds(mailHealth(rt.db, rt.mail.relay)).catch(() =>
        relayStateView(rt.mail.relay),
      );
      // Mail that cannot go out does not make this process unhealthy: it is shown, not failed on.
      return c.json({ status: 'ok', mail });
    } catch (err) {
      rt.log.warn({ err }, 'health check: database does not answer');
      return c.json({ status: 'unavailable' }, 503);
    }
  });
  // Only with METRICS_TOKEN, and only to its bearer; unset, /metrics is a page like any missing one.
  if (rt.config.metricsToken) app.get('/metrics', metricsEndpoint(rt.metrics, rt.config.metricsToken));
  // Readiness, beside liveness above: 503 while the database, the schema or the workers are not there, or once shutting down.
  app.get('/readyz', readinessHandler(rt.readiness));
  app.get('/assets/:name', (c) => {
    const asset = assets.get(c.req.param('name'));
    if (!asset) return c.notFound();
    const headers = {
      'Content-Type': asset.type,
      'Cache-Control': 'public, max-age=3600',
      Vary: 'Accept-Encoding',
    };
    if (/\bgzip\b/.test(c.req.header('accept-encoding') ?? ''))
      return c.body(asset.gzip, 200, { ...headers, 'Content-Encoding': 'gzip' });
    return c.body(asset.body, 200, headers);
  });

  const api = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      // The validator hands the raw input over too (not in its types): it tells a missing field from a wrong one.
      if (!result.success)
        throw validationFailed(
          fieldErrorsFromZod(result.error.issues, 'data' in result ? result.data : undefined),
        );
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', { type: 'http', scheme: 'bearer' });
  api.use('*', requireApiKey());
  // Each module's operations; a path or operationId two modules register fails here, at boot.
  mountApiRoutes(api, modules);
  // The events Provisio sends are the document's `webhooks` (OpenAPI 3.1): what a receiver gets.
  const document = () => ({
    ...withSharedResponses(
      api.getOpenAPI31Document({
        openapi: '3.1.0',
        info: API_INFO,
        servers: [{ url: `${rt.config.publicUrl}/api/v1` }],
      }),
    ),
    webhooks: eventWebhooks(),
  });
  const apiDocs = new Hono<AppEnv>();
  apiDocs.get('/openapi.json', (c) => c.json(document()));
  apiDocs.get('/docs', (c) => c.html(renderApiReference(document(), c.get('locale'))));

  // Which methods each API path has comes from the routes as registered: the OpenAPI ones and the documents.
  app.use(
    '/api/*',
    methodGuard(() => [
      ...api.openAPIRegistry.definitions.flatMap((d) =>
        d.type === 'route' ? [{ method: d.route.method, path: `/api/v1${d.route.path}` }] : [],
      ),
      ...apiDocs.routes.map((r) => ({ method: r.method, path: `/api${r.path}` })),
    ]),
  );
  app.route('/api/v1', api);
  app.route('/api', apiDocs);

  registerMailboxPages(app, rt);
  // Setup links: no sign-in, the token is the key.
  mountModules(app, modules, (m) => m.setupLinkPages?.(app), 'setup link page ');

  // Workspace pages: cookie sessions, so unsafe methods must come from our own origin. Each module
  // guards its own paths (requireUser), so the order in which they are mounted decides nothing.
  const publicOrigin = new URL(rt.config.publicUrl).origin;
  const pages = new Hono<UserEnv>();
  pages.use(
    '*',
    csrf({ origin: (origin, c) => origin === publicOrigin || origin === new URL(c.req.url).origin }),
  );
  const site = { config: rt.config, orderPagePanels: rt.composition.orderPagePanels };
  mountModules(pages, modules, (m) => m.pages?.(pages, site), 'page ');
  app.route('/', pages);

  return app;
}
