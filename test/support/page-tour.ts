import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { seedDemo } from '../../src/demo/seed.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { type Harness, orderBody, startHarness, type Tenant } from './harness.ts';
import { mappedSubscription } from './mapped-subscription.ts';

/**
 * Every page of every role, as one list: the every-page test checks them (overflow, axe, untranslated
 * keys) and `npm run screenshots` photographs them. One in-process server over the demo data, plus a
 * subscription to set up and fresh setup links for the wizard.
 */

export const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;
export type Size = (typeof SIZES)[number];

export const TOUR_LANGS = ['en', 'it'] as const;
export type TourLang = (typeof TOUR_LANGS)[number];

/** After the page opened: each `snap` is one more page (a wizard step), checked or photographed. */
export type Walk = (page: Page, snap: (name: string) => Promise<void>) => Promise<void>;

export interface Stop {
  page: string;
  /** A path, or made fresh for each visit (a setup link is used up by confirming). */
  path: string | (() => Promise<string>);
  walk?: Walk;
}

export interface Visitor {
  role: string;
  /** Signed out when absent. */
  email?: string;
  password?: string;
  stops: Stop[];
}

export interface Tour {
  base: string;
  visitors: Visitor[];
  close(): Promise<void>;
}

export interface Visit {
  role: string;
  page: string;
  size: Size;
  lang: TourLang;
  /** The HTTP status of the page as opened (before any walk). */
  status: number;
}

const PASSWORD = 'tour-demo-password';
const DEMO_ORDER = 'NW-2026-0412';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Starts the server with the demo data and what the stops need; `close()` stops it. */
export async function startTour(): Promise<Tour> {
  // The server's own address is its public one: emailed links and redirects lead back to it.
  const port = await freePort();
  const h = await startHarness('pglite', {
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://localhost:${port}`,
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  });
  // Sessions expire by the server's clock and the browser's: keep both in the present.
  h.clock.set(new Date());
  let web: RunningWeb | undefined;
  try {
    const demo = await seedDemo(h.ctx, { password: PASSWORD });
    if (!demo) throw new Error('the demo was not seeded');
    web = await serveWeb(h.rt);
    const base = `http://localhost:${web.port}`;
    const visitors = await buildVisitors(h, demo.orgs);
    const running = web;
    return {
      base,
      visitors,
      close: async () => {
        await running.close();
        await h.close();
      },
    };
  } catch (error) {
    await web?.close();
    await h.close();
    throw error;
  }
}

async function buildVisitors(
  h: Harness,
  orgs: { id: string; name: string; apiKey: string | null }[],
): Promise<Visitor[]> {
  const northwindOrg = orgs.find((o) => o.name.startsWith('Northwind'));
  if (!northwindOrg?.apiKey) throw new Error('the demo has no Northwind API key');
  const northwind: Tenant = {
    orgId: northwindOrg.id,
    apiKey: northwindOrg.apiKey,
    email: 'giulia.rossi@northwind.example',
    password: PASSWORD,
  };
  const order = await h.db
    .selectFrom('orders')
    .select('id')
    .where('reference', '=', DEMO_ORDER)
    .executeTakeFirstOrThrow();
  const line = await h.db
    .selectFrom('order_lines')
    .select('id')
    .where('order_id', '=', order.id)
    .orderBy('line_number')
    .executeTakeFirstOrThrow();
  const linePath = `/orders/${order.id}/lines/${line.id}`;

  // A support case and a webhook endpoint for their detail pages.
  const opened = await h.api(northwind, 'POST', '/api/v1/support/cases', {
    requestType: 'resend_provisioning_email',
    description: 'The contact lost the provisioning email. Could you send it again to the new address?',
  });
  const supportCase = (await opened.json()) as { id: string };
  const hook = await h.api(northwind, 'POST', '/api/v1/webhook-endpoints', {
    url: 'http://127.0.0.1:9/provisio-hooks/a-rather-long-path-for-a-phone',
    description: 'Billing system',
  });
  const endpoint = (await hook.json()) as { id: string };
  const apiKey = await h.db
    .selectFrom('api_keys')
    .select('id')
    .where('organization_id', '=', northwind.orgId)
    .where('revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  const request = await h.db.selectFrom('provision_requests').select('id').executeTakeFirst();
  // Another user of the demo customer, for the hub's role and removal pages.
  const acmeUser = await h.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'jane.doe@acme.example')
    .executeTakeFirst();

  // A subscription the partner sets up (service setup), and one its customer's admin sets up.
  const managed = await mappedSubscription(h, { quantity: 50, customerName: 'Acme Manufacturing S.p.A.' });
  const selfService = await mappedSubscription(h, { managed: false, quantity: 20 });
  const setup = (sub: string, step?: string) => `/hub/setups/${sub}${step ? `?step=${step}` : ''}`;

  /** A fresh order for a Northwind user as provisioning contact: its emailed setup link. */
  const setupLink = async (): Promise<string> => {
    // A minute on, so this order's email is the newest one.
    h.clock.set(new Date(h.clock.now().getTime() + 60_000));
    const today = h.clock.now().toISOString().slice(0, 10);
    const res = await h.api(
      northwind,
      'POST',
      '/api/v1/orders',
      orderBody(
        { endCustomer: { name: 'Trattoria da Mario' } },
        { provisioningContactEmail: 'marco.bianchi@northwind.example', requestedStartDate: today },
      ),
    );
    if (res.status !== 201) throw new Error(`order for the wizard: ${res.status} ${await res.text()}`);
    const { lines } = (await res.json()) as { lines: { id: string }[] };
    await dispatchDueLines(h.ctx);
    const link = await h.db
      .selectFrom('outbox_emails')
      .select('text_body')
      .where('to_address', '=', 'marco.bianchi@northwind.example')
      .orderBy('created_at', 'desc')
      .execute();
    const found = link.map((m) => m.text_body.match(/\/setup\/[A-Za-z0-9_-]{43}/)?.[0]).find(Boolean);
    if (!found || !lines[0]) throw new Error('no setup link was emailed');
    return found;
  };

  const orderPages: Stop[] = [
    { page: 'orders', path: '/orders' },
    { page: 'orders-search', path: '/orders?q=bellanapoli' },
    { page: 'order', path: `/orders/${order.id}` },
    { page: 'line-history', path: `${linePath}/history` },
    { page: 'subscriptions', path: '/subscriptions' },
    { page: 'transactions', path: '/transactions' },
    { page: 'hub', path: '/hub' },
    { page: 'support-cases', path: '/support/cases' },
    { page: 'support-new', path: '/support/cases/new' },
    { page: 'account-password', path: '/account/password' },
  ];

  return [
    {
      role: 'signed-out',
      stops: [
        { page: 'login', path: '/login' },
        { page: 'login-refused', path: '/login', walk: refusedLogin },
        { page: 'not-found', path: '/no-such-page' },
        { page: 'setup-link-unknown', path: `/setup/${'x'.repeat(43)}` },
        { page: 'mailbox', path: '/dev/mailbox' },
        { page: 'api-docs', path: '/api/docs' },
      ],
    },
    {
      role: 'partner-admin',
      email: 'giulia.rossi@northwind.example',
      password: PASSWORD,
      stops: [
        ...orderPages,
        { page: 'menus', path: '/orders', walk: openMenus },
        { page: 'dialog', path: `/orders/${order.id}`, walk: openDialog },
        { page: 'line-resend', path: `${linePath}/resend` },
        { page: 'line-start-now', path: `${linePath}/start-now` },
        { page: 'line-contact', path: `${linePath}/contact` },
        { page: 'support-case', path: `/support/cases/${supportCase.id}` },
        { page: 'api-keys', path: '/settings/api-keys' },
        { page: 'api-key-revoke', path: `/settings/api-keys/${apiKey.id}/revoke` },
        { page: 'webhooks', path: '/settings/webhooks' },
        { page: 'webhook', path: `/settings/webhooks/${endpoint.id}` },
        { page: 'webhook-edit', path: `/settings/webhooks/${endpoint.id}/edit` },
        { page: 'webhook-rotate', path: `/settings/webhooks/${endpoint.id}/rotate` },
        { page: 'webhook-delete', path: `/settings/webhooks/${endpoint.id}/delete` },
      ],
    },
    { role: 'partner-user', email: 'marco.bianchi@northwind.example', password: PASSWORD, stops: orderPages },
    {
      role: 'distributor',
      email: 'ivan.petrov@eurochannel.example',
      password: PASSWORD,
      stops: orderPages.filter((s) => s.page !== 'line-history' && s.page !== 'order'),
    },
    {
      role: 'customer-admin',
      email: 'it@acme.example',
      password: PASSWORD,
      stops: [
        { page: 'hub', path: '/hub' },
        { page: 'hub-users', path: '/hub/users' },
        { page: 'hub-invite', path: '/hub/users/invite' },
        ...(acmeUser
          ? [
              { page: 'hub-user-role', path: `/hub/users/${acmeUser.id}/role` },
              { page: 'hub-user-remove', path: `/hub/users/${acmeUser.id}/remove` },
            ]
          : []),
        { page: 'hub-organization', path: '/hub/organization' },
        { page: 'hub-locations', path: '/hub/locations' },
        { page: 'hub-location-new', path: '/hub/locations/new' },
        { page: 'account-password', path: '/account/password' },
      ],
    },
    {
      role: 'customer-setup',
      email: selfService.customerAdmin.email,
      password: selfService.customerAdmin.password,
      stops: [
        { page: 'hub', path: '/hub' },
        { page: 'setup-review', path: setup(selfService.subscriptionId) },
        { page: 'setup-meetings', path: setup(selfService.subscriptionId, 'meetings') },
      ],
    },
    {
      role: 'operator',
      email: 'nora.walsh@provisio.example',
      password: PASSWORD,
      stops: [
        { page: 'backoffice', path: '/backoffice/orders' },
        { page: 'backoffice-escalations', path: '/backoffice/escalations' },
        { page: 'backoffice-escalations-filtered', path: '/backoffice/escalations?age=1&contacted=no' },
        { page: 'backoffice-support-filtered', path: '/backoffice/support?status=open' },
        { page: 'backoffice-support', path: '/backoffice/support' },
        { page: 'backoffice-case', path: `/backoffice/support/${supportCase.id}` },
        { page: 'backoffice-webhooks', path: '/backoffice/webhooks' },
        { page: 'backoffice-provision-requests', path: '/backoffice/provision-requests' },
        ...(request
          ? [{ page: 'backoffice-provision-request', path: `/backoffice/provision-requests/${request.id}` }]
          : []),
        { page: 'support-cases', path: '/support/cases' },
        { page: 'order', path: `/orders/${order.id}` },
        { page: 'account-password', path: '/account/password' },
      ],
    },
    {
      role: 'setup-partner',
      email: managed.partner.email,
      password: managed.partner.password,
      stops: [
        { page: 'hub', path: '/hub' },
        { page: 'setup-review', path: setup(managed.subscriptionId) },
        { page: 'setup-meetings', path: setup(managed.subscriptionId, 'meetings') },
        { page: 'setup-calling', path: setup(managed.subscriptionId, 'calling') },
        { page: 'setup-enterprise', path: setup(managed.subscriptionId, 'enterprise') },
        { page: 'setup-provision', path: setup(managed.subscriptionId, 'provision') },
        { page: 'setup-provision-confirm', path: setup(managed.subscriptionId, 'confirm') },
      ],
    },
    { role: 'contact', stops: [{ page: 'wizard-start', path: setupLink, walk: wizardWalk }] },
  ];
}

/** The header's menus open (no script): the navigation (or *Change view* on a desktop), then the account. */
async function openMenus(page: Page, snap: (name: string) => Promise<void>): Promise<void> {
  const phone = await page.locator('.nav-menu > summary').isVisible();
  const menu = page.locator(phone ? '.nav-menu > summary' : '.change-view > summary');
  await menu.click();
  await snap('menu-open');
  await menu.click();
  await page.locator('.account-menu > summary').click();
  await snap('account-menu-open');
}

/** The first confirmation dialog of the page (Resend), opened as a person would. */
async function openDialog(page: Page, snap: (name: string) => Promise<void>): Promise<void> {
  await page.locator('[data-dialog]').first().click();
  await page.locator('dialog[open]').waitFor();
  await snap('resend-dialog');
}

async function refusedLogin(page: Page, snap: (name: string) => Promise<void>): Promise<void> {
  await page.locator('input[name="email"]').fill('nobody@nowhere.example');
  await page.locator('input[name="password"]').fill('not the password');
  await Promise.all([page.waitForLoadState(), page.locator('main button[type="submit"]').first().click()]);
  await page.waitForLoadState();
  await snap('login-refused');
}

/** The wizard from the emailed link to its end, a snapshot per step (the contact is a Northwind user). */
async function wizardWalk(page: Page, snap: (name: string) => Promise<void>): Promise<void> {
  const next = async () => {
    // The step's forward button (Next, or Confirm on the review), not Back nor the hidden default.
    const button = page.locator('main button[name="nav"]:not(.default-submit):not(.secondary)').last();
    await Promise.all([page.waitForNavigation(), button.click()]);
  };
  await next();
  await snap('wizard-role');
  await page.locator('#role-customer').check();
  await next();
  await snap('wizard-setup-by');
  await page.locator('#setupBy-self').check();
  await next();
  await snap('wizard-partner');
  await next();
  await snap('wizard-admin');
  await page.locator('#adminEmail').fill(`owner@new-${randomBytes(3).toString('hex')}.example`);
  await next();
  await snap('wizard-customer');
  const create = page.locator('input[name="customerPick"][value="create"][type="radio"]');
  if (await create.count()) await create.check();
  await page.locator('#customerName').fill('Trattoria da Mario S.r.l.');
  await page.locator('#customerVertical').selectOption({ index: 1 });
  await page.locator('#customerCountry').selectOption('IT');
  await next();
  await snap('wizard-review');
  await next();
  await snap('wizard-done');
}

/**
 * Visits every stop of every visitor at both sizes in each language, one browser context per
 * visitor and language (signed in once). `onPage` runs on each page as opened or walked to; a stop
 * that cannot be reached is reported through `failed` and the tour goes on.
 */
export async function tourPages(
  browser: Browser,
  tour: Tour,
  langs: readonly TourLang[],
  onPage: (page: Page, visit: Visit) => Promise<void>,
  failed: (where: string, error: unknown) => void,
  only?: (visitor: Visitor) => boolean,
): Promise<void> {
  for (const visitor of tour.visitors.filter(only ?? (() => true))) {
    for (const lang of langs) {
      // axe-core is injected as an inline script, which the pages' CSP (rightly) forbids.
      const context = await browser.newContext({ bypassCSP: true });
      try {
        await context.addCookies([{ name: 'provisio_lang', value: lang, url: tour.base }]);
        if (visitor.email && visitor.password) {
          const res = await context.request.post(`${tour.base}/login`, {
            form: { email: visitor.email, password: visitor.password },
            // As a browser's form post does: the sign-in refuses a cross-site origin.
            headers: { Origin: tour.base },
            maxRedirects: 0,
          });
          if (res.status() !== 303) throw new Error(`sign-in of ${visitor.email} answered ${res.status()}`);
        }
        const page = await context.newPage();
        for (const size of SIZES) {
          await page.setViewportSize({ width: size.width, height: size.height });
          for (const stop of visitor.stops) {
            const where = `${visitor.role}/${stop.page} ${size.width}px ${lang}`;
            try {
              const target = typeof stop.path === 'string' ? stop.path : await stop.path();
              const res = await page.goto(`${tour.base}${target}`);
              const status = res?.status() ?? 0;
              const visit = { role: visitor.role, size, lang, status };
              if (stop.walk) {
                // A walk that starts on a page visited on its own only adds what it walks to.
                if (!['login-refused', 'menus', 'dialog'].includes(stop.page))
                  await onPage(page, { ...visit, page: stop.page });
                await stop.walk(page, (name) => onPage(page, { ...visit, page: name, status: 200 }));
              } else {
                await onPage(page, { ...visit, page: stop.page });
              }
            } catch (error) {
              failed(where, error);
            }
          }
        }
      } catch (error) {
        failed(`${visitor.role} ${lang}`, error);
      } finally {
        await context.close();
      }
    }
  }
}

/** Every key path of the English catalog (plural forms under their base name too). */
export function catalogKeys(): Set<string> {
  const file = path.resolve(import.meta.dirname, '..', '..', 'locales', 'en.json');
  const keys = new Set<string>();
  const walk = (node: unknown, prefix: string) => {
    if (node && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      keys.add(prefix);
      keys.add(prefix.replace(/_(zero|one|two|few|many|other)$/, ''));
    }
  };
  walk(JSON.parse(readFileSync(file, 'utf8')), '');
  return keys;
}
