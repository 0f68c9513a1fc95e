import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, startHarness, type Tenant } from '../support/harness.ts';
import { addUser, customerOrganization, mappedSubscription, markProvisioned } from '../support/hub-state.ts';

/**
 * An admin runs the organization from the hub (docs/adr/0035), in Chromium: invites a user, changes
 * a role, removes a user, edits the organization and a calling location, each destructive step
 * through its confirmation page. Every hub page is checked at 390×844 and 1280×800 in English and
 * Italian (no horizontal overflow; axe on the desktop English one) and photographed to SHOTS.
 */

const PASSWORD = 'correct horse battery';
const SHOTS = process.env.HUB_SHOTS ?? '/tmp/shots-hub';
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

describe('an admin runs the organization from the hub, in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let base: string;
  let partner: Tenant;
  let customer: Awaited<ReturnType<typeof customerOrganization>>;
  let staffId: string;

  async function signedIn(
    email: string,
    locale: 'en' | 'it',
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ bypassCSP: true });
    await context.addCookies([{ name: 'provisio_lang', value: locale, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator('input[name="email"]').fill(email);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('main button[type="submit"]').click();
    await page.waitForURL(/\/(hub|orders)/);
    return { context, page };
  }

  /** Looks at a page at both sizes: no overflow on the phone; a screenshot of each. */
  async function look(page: Page, name: string, locale: string, axe: boolean): Promise<void> {
    for (const size of SIZES) {
      await page.setViewportSize({ width: size.width, height: size.height });
      await page.screenshot({ path: path.join(SHOTS, `${name}-${locale}-${size.name}.png`), fullPage: true });
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= size.width, `${name} (${locale}, ${size.name}) is ${width}px wide`);
    }
    if (axe) assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);
  }

  before(async () => {
    h = await startHarness('pglite', { PORT: '0', HOST: '127.0.0.1' });
    partner = await h.tenant('partner', 'Northwind');
    customer = await customerOrganization(h, 'Fiori Srl', {
      email: 'anna@fiori.example',
      password: PASSWORD,
    });
    staffId = (await addUser(h, customer.orgId, 'marco@fiori.example', 'customer_user', PASSWORD)).id;
    const sub = await mappedSubscription(h, partner, customer.orgId, { access: 'provisioning_admin' });
    await markProvisioned(h, sub);
    web = await serveWeb(h.rt);
    base = `http://localhost:${web.port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await h?.close();
  });

  it('invites, changes a role, removes, edits the organization and a location, with confirmations', async () => {
    const { context, page } = await signedIn('anna@fiori.example', 'en');
    await page.goto(`${base}/hub`);
    await look(page, 'hub', 'en', true);
    await page
      .getByRole('navigation', { name: 'Admin hub sections' })
      .getByRole('link', { name: 'Users' })
      .click();
    await page.waitForURL(`${base}/hub/users`);
    await look(page, 'hub-users', 'en', true);

    // Invite, refused first (the summary links to the field), then sent in Italian.
    await page.getByRole('link', { name: 'Invite a user' }).click();
    await look(page, 'hub-invite', 'en', true);
    await page.getByLabel('Email address').fill('not an address');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.locator('.error-summary').waitFor();
    await look(page, 'hub-invite-refused', 'en', true);
    await page.getByLabel('Email address').fill('giulia@fiori.example');
    await page.getByLabel('Language of the invitation').selectOption('it');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.waitForURL(/done=invited/);
    assert.match((await page.getByRole('status').textContent()) ?? '', /The invitation was sent/);
    const mail = await h.db
      .selectFrom('outbox_emails')
      .select(['subject', 'locale'])
      .where('to_address', '=', 'giulia@fiori.example')
      .executeTakeFirstOrThrow();
    assert.deepEqual([mail.locale, mail.subject], ['it', 'Sei stato invitato in Fiori Srl su Provisio']);

    // Make Marco an admin: choose, then confirm.
    await page.getByRole('link', { name: 'Change role marco@fiori.example' }).click();
    await look(page, 'hub-role', 'en', true);
    await page.getByLabel('Role').selectOption('customer_admin');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Change this role?' }).waitFor();
    await look(page, 'hub-role-confirm', 'en', true);
    await page.getByRole('button', { name: 'Change role' }).click();
    await page.waitForURL(/done=role_changed/);

    // Remove Giulia, confirmed.
    await page.getByRole('link', { name: 'Remove giulia@fiori.example' }).click();
    await look(page, 'hub-remove-user', 'en', true);
    await page.getByRole('button', { name: 'Remove user' }).click();
    await page.waitForURL(/done=removed/);
    assert.equal(await page.getByText('giulia@fiori.example').count(), 0);

    // The organization: a bad name is named on its field, then saved.
    await page.goto(`${base}/hub/organization`);
    await look(page, 'hub-organization', 'en', true);
    await page.getByLabel('Name').fill('\u200b');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#error-name').waitFor();
    await look(page, 'hub-organization-refused', 'en', true);
    await page.getByLabel('Name').fill('Fiori S.r.l.');
    await page.getByLabel('Country/region').selectOption('IT');
    await page.getByLabel('Time zone').selectOption('Europe/Rome');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/done=organization_saved/);
    assert.match((await page.locator('#organization').textContent()) ?? '', /Fiori S\.r\.l\./);

    // Calling locations: add one, edit it, remove it (confirmed).
    await page.goto(`${base}/hub/locations`);
    await look(page, 'hub-locations', 'en', true);
    await page.getByRole('link', { name: 'Add a calling location' }).first().click();
    await look(page, 'hub-location-new', 'en', true);
    await page.getByLabel('Location name').fill('Milano');
    await page.getByLabel('Country or region where most users are').selectOption('IT');
    await page.getByLabel('Address line 1').fill('Via Roma 1');
    await page.getByLabel('City').fill('Milano');
    await page.getByLabel('Time zone').selectOption('Europe/Rome');
    await page.getByRole('button', { name: 'Save location' }).click();
    await page.waitForURL(/done=location_added/);
    await page.getByRole('link', { name: 'Edit Milano' }).click();
    await look(page, 'hub-location-edit', 'en', true);
    await page.getByLabel('City').fill('Milan');
    await page.getByRole('button', { name: 'Save location' }).click();
    await page.waitForURL(/done=location_saved/);
    await page.getByRole('link', { name: 'Remove Milano' }).click();
    await look(page, 'hub-location-remove', 'en', true);
    await page.getByRole('button', { name: 'Remove location' }).click();
    await page.waitForURL(/done=location_removed/);

    // Grant full admin asks first.
    await page.goto(`${base}/hub/partners/${partner.orgId}/grant-full-admin`);
    await look(page, 'hub-grant-confirm', 'en', true);
    await context.close();

    // The partner's confirmation of Request full admin.
    const partnerSide = await signedIn(partner.email, 'en');
    await partnerSide.page.goto(`${base}/hub/customers/${customer.orgId}/request-full-admin`);
    await look(partnerSide.page, 'hub-request-confirm', 'en', true);
    await partnerSide.context.close();
  });

  it('fits every hub page on a phone in Italian', async () => {
    const { context, page } = await signedIn('anna@fiori.example', 'it');
    const location = await h.db
      .selectFrom('calling_locations')
      .select('id')
      .where('organization_id', '=', customer.orgId)
      .executeTakeFirstOrThrow();
    for (const [name, url] of [
      ['hub', '/hub'],
      ['hub-users', '/hub/users'],
      ['hub-invite', '/hub/users/invite'],
      ['hub-role', `/hub/users/${staffId}/role`],
      ['hub-remove-user', `/hub/users/${staffId}/remove`],
      ['hub-organization', '/hub/organization'],
      ['hub-locations', '/hub/locations'],
      ['hub-location-new', '/hub/locations/new'],
      ['hub-location-edit', `/hub/locations/${location.id}/edit`],
      ['hub-grant-confirm', `/hub/partners/${partner.orgId}/grant-full-admin`],
    ] as const) {
      await page.goto(`${base}${url}`);
      assert.equal(await page.getAttribute('html', 'lang'), 'it', name);
      await look(page, name, 'it', false);
    }
    await context.close();
  });
});
