import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createInvitation } from '../../src/modules/identity/invitations.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, startHarness, type Tenant } from '../support/harness.ts';
import { customerOrganization, mappedSubscription } from '../support/hub-state.ts';
import { ROOT } from '../support/process.ts';

const ADMIN = 'olena@kvitka.example';
const NEW_PASSWORD = 'соняшник-2026';
const SHOTS = path.join(ROOT, 'test-results');

/** Presses Tab until the element matching `selector` has the focus: keyboard-only navigation. */
async function tabTo(page: Page, selector: string): Promise<void> {
  for (let i = 0; i < 60; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.locator(`${selector}:focus`).count()) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
}

describe('set up later, then resume in the admin hub, in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let base: string;
  let partner: Tenant;
  let customer: Awaited<ReturnType<typeof customerOrganization>>;
  let subscriptionId: string;

  /** Signs in from the keyboard alone: the email field has the focus, Tab to the password, Enter. */
  async function signInByKeyboard(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${base}/login`);
    // Autofocus lands a moment after load: typing before it would lose the first keys.
    await page.locator('input[name="email"]:focus').waitFor();
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.locator('input[name="password"]:focus').waitFor();
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
  }

  before(async () => {
    h = await startHarness('pglite', { PORT: '0', HOST: '127.0.0.1' });
    partner = await h.tenant('partner', 'Northwind');
    // The wizard created the customer organization and its admin, who has no password yet (W4).
    customer = await customerOrganization(h, 'Квітка', { email: ADMIN, locale: 'uk' });
    subscriptionId = await mappedSubscription(h, partner, customer.orgId, { access: 'provisioning_admin' });
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

  it('redeems the invitation, finds the pending setup, signs in again, and full admin is requested and granted', async () => {
    const { url } = await createInvitation(h.ctx, {
      userId: customer.adminId,
      organizationId: customer.orgId,
      purpose: 'set_password',
    });
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();

    // The invitation: set a password, in the invitee's language (Ukrainian), with no choice made here.
    await page.goto(url.replace('http://provisio.test', base));
    assert.equal(await page.getAttribute('html', 'lang'), 'uk');
    await page.getByRole('heading', { name: 'Установіть пароль' }).waitFor();
    await assertAccessible(page, 'the invitation page');
    // A mismatch is named on the field, and the page stays accessible.
    await page.getByLabel('Пароль', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Пароль ще раз').fill(`${NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Установити пароль і продовжити' }).click();
    await page.getByRole('alert').waitFor();
    assert.match((await page.locator('#error-confirmation').textContent()) ?? '', /Пароль ще раз/);
    await assertAccessible(page, 'the refused invitation form');
    await page.getByLabel('Пароль', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Пароль ще раз').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Установити пароль і продовжити' }).click();
    await page.waitForURL(`${base}/hub`);

    // The hub shows the pending setup with Continue setup (S6).
    const continueLink = page.getByRole('link', { name: `Продовжити налаштування ${subscriptionId}` });
    assert.equal(await continueLink.getAttribute('href'), `/hub/setups/${subscriptionId}`);
    assert.match(
      (await page.locator('#pending').textContent()) ?? '',
      /1 підписку зіставлено, але ще не налаштовано/,
    );
    assert.match(
      (await page.locator('#partners').textContent()) ?? '',
      /Northwind: Адміністратор підготовки/,
    );
    await assertAccessible(page, 'the customer admin hub');
    await page.screenshot({ path: path.join(SHOTS, 'hub-customer-uk.png'), fullPage: true });

    // A spent invitation says so.
    const spent = await page.goto(url.replace('http://provisio.test', base));
    assert.equal(spent?.status(), 410);
    await assertAccessible(page, 'a spent invitation');

    // Sign out, sign in again with the new password, from the keyboard: the setup is still pending.
    await page.goto(`${base}/hub`);
    await page.locator('.account-menu > summary').click();
    await page.locator('form.sign-out button[type="submit"]').click();
    await page.waitForURL(/\/login$/);
    await signInByKeyboard(page, ADMIN, NEW_PASSWORD);
    await page.waitForURL(`${base}/hub`);
    await tabTo(page, `a[href="/hub/setups/${subscriptionId}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${base}/hub/setups/${subscriptionId}`);

    // The partner sees the managed customer and asks for full admin.
    const partnerContext = await browser.newContext({ bypassCSP: true });
    const partnerPage = await partnerContext.newPage();
    await signInByKeyboard(partnerPage, partner.email, partner.password);
    await partnerPage.waitForURL(/\/orders$/);
    await partnerPage.getByRole('navigation').getByRole('link', { name: 'Admin hub' }).click();
    await partnerPage.waitForURL(`${base}/hub`);
    const managed = partnerPage.locator(`#customer-${customer.orgId}`);
    assert.match((await managed.textContent()) ?? '', /Your access: Provisioning admin/);
    await assertAccessible(partnerPage, 'the partner hub');
    await managed.getByRole('link', { name: 'Request full admin' }).click();
    // Asked to confirm first: what it sends, to whom.
    await partnerPage.getByRole('heading', { name: /Request full admin of/ }).waitFor();
    await assertAccessible(partnerPage, 'the request confirmation');
    await partnerPage.getByRole('button', { name: 'Request full admin' }).click();
    await partnerPage.waitForURL(/done=requested/);
    assert.match(
      (await partnerPage.getByRole('status').textContent()) ?? '',
      /Full admin was requested\. The customer's administrators were emailed\./,
    );
    assert.match((await managed.textContent()) ?? '', /full admin requested on/);
    await assertAccessible(partnerPage, 'the partner hub after the request');

    // The customer admin grants it.
    await page.goto(`${base}/hub`);
    assert.match((await page.locator('#partners').textContent()) ?? '', /повного адміністратора запитано/);
    await page.getByRole('link', { name: 'Надати права повного адміністратора: Northwind' }).click();
    await page.getByRole('heading', { name: 'Надати Northwind повні права адміністратора?' }).waitFor();
    await assertAccessible(page, 'the grant confirmation');
    await page.getByRole('button', { name: 'Надати повні права' }).click();
    await page.waitForURL(/done=granted/);
    assert.equal(
      (await page.getByRole('status').textContent())?.trim(),
      'Партнер тепер повний адміністратор вашої організації.',
    );
    assert.match((await page.locator('#partners').textContent()) ?? '', /Northwind: Повний адміністратор/);
    await assertAccessible(page, 'the customer admin hub after the grant');
    await page.screenshot({ path: path.join(SHOTS, 'hub-granted-uk.png'), fullPage: true });

    await partnerPage.goto(`${base}/hub`);
    assert.match((await managed.textContent()) ?? '', /Your access: Full admin/);
    assert.equal(await managed.getByRole('link', { name: 'Request full admin' }).count(), 0);
    await partnerContext.close();
    await context.close();
  });
});
