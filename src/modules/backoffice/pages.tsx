import type { Hono, MiddlewareHandler } from 'hono';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { requireOperator } from '../identity/policy.ts';
import { registerWebhookPages } from '../webhooks/pages.tsx';
import { registerEscalationPages } from './escalations-page.tsx';
import { BackofficeLayout } from './layout.tsx';
import { registerOrdersPage } from './orders-page.tsx';
import { registerQueuePages } from './queue-pages.tsx';

export { BackofficeLayout, type Chrome, chrome } from './layout.tsx';

/**
 * The vendor's back office: every order, the escalated lines and the support queue, each filtered by
 * partner, status and age in its address (docs/adr/0036). Anyone but an operator gets "not found",
 * so the pages' existence does not leak.
 */

function operatorsOnly(): MiddlewareHandler<UserEnv> {
  return async (c, next) => {
    requireOperator(c.get('ctx').actor);
    await next();
  };
}

export function registerBackofficePages(app: Hono<UserEnv>): void {
  app.use('/backoffice', requireUser(), operatorsOnly());
  app.use('/backoffice/*', requireUser(), operatorsOnly());
  app.get('/backoffice', (c) => c.redirect('/backoffice/orders', 303));
  // The vendor's own webhook endpoints (every partner's events): the workspace's pages in this frame.
  registerWebhookPages(app, { base: '/backoffice/webhooks', vendor: true, frame: BackofficeLayout });
  registerOrdersPage(app);
  registerEscalationPages(app);
  registerQueuePages(app);
}
