import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as identity from '../../src/modules/identity/service.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { MANUAL_OFFER, readyToProvision, stageOf, startFulfilmentHarness } from '../support/fulfilment.ts';
import type { Harness } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';

const SHOTS = path.join(ROOT, 'test-results');
const OPERATOR = { email: 'ops@vendor.example', password: 'operator password 1' };
const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1280, height: 800 },
];

/**
 * Fulfilment in Chromium: an operator asks for information, the customer admin sees *Action required*,
 * edits the field and resubmits, and the operator approves; an operator fails a request (confirming
 * first), and the partner presses *Retry* on the order page. Each new screen is checked with axe and
 * photographed on a phone and a laptop, in English and Italian (test-results/fulfilment-*.png).
 */
describe('fulfilment in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let base: string;

  before(async () => {
    h = await startFulfilmentHarness('pglite', 'https://vendor.invalid/fulfil', {
      PORT: '0',
      HOST: '127.0.0.1',
    });
    const vendor = await identity.createOrganization(h.ctx, { kind: 'vendor', name: 'Vendor Operations' });
    await identity.createUser(h.ctx, {
      organizationId: vendor.id,
      email: OPERATOR.email,
      role: 'operator',
      password: OPERATOR.password,
      locale: 'en',
    });
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

  async function signedIn(who: { email: string; password: string }, lang = 'en'): Promise<Page> {
    const context = await browser.newContext({ bypassCSP: true });
    await context.addCookies([{ name: 'provisio_lang', value: lang, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator('input[name="email"]').fill(who.email);
    await page.locator('input[name="password"]').fill(who.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/(orders|hub)$/);
    return page;
  }

  async function accessible(page: Page, what: string) {
    assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
  }

  /** The page at a phone's and a laptop's size, in `lang`: the file names say which. */
  async function photograph(page: Page, name: string) {
    for (const { width, height } of VIEWPORTS) {
      await page.setViewportSize({ width, height });
      // Nothing may push the page wider than the screen.
      const wide = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
            .documentElement.scrollWidth,
      );
      assert.ok(wide <= width, `${name} is ${wide}px wide at ${width}px`);
      await page.screenshot({ path: path.join(SHOTS, `fulfilment-${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  it('needs_info → edit → resubmit → succeeded', async () => {
    const m = await readyToProvision(h, MANUAL_OFFER);
    const partner = await signedIn(m.partner);
    await partner.goto(`${base}/hub/setups/${m.subscriptionId}?step=provision`);
    // Provision asks to confirm on its own page (billing starts when the vendor activates).
    await partner.getByRole('link', { name: 'Provision', exact: true }).click();
    await partner.getByRole('button', { name: 'Provision', exact: true }).click();
    await partner.getByRole('heading', { name: 'Provisioning in progress' }).waitFor();
    await accessible(partner, 'setup while provisioning');
    assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning');

    const operator = await signedIn(OPERATOR);
    await operator.goto(`${base}/backoffice/provision-requests`);
    await accessible(operator, 'provision requests');
    await photograph(operator, 'backoffice-list-en');
    const listIt = await signedIn(OPERATOR, 'it');
    await listIt.goto(`${base}/backoffice/provision-requests`);
    await accessible(listIt, 'provision requests (it)');
    await photograph(listIt, 'backoffice-list-it');
    await operator.getByRole('link', { name: m.subscriptionId }).click();
    await operator.getByRole('heading', { name: 'Ask for information' }).waitFor();
    await accessible(operator, 'a provision request');
    await photograph(operator, 'backoffice-request-en');
    await operator.getByLabel('Site 1: Site URL name').check();
    await operator
      .getByLabel('Message to the customer')
      .fill('This site name is a registered brand: please choose another one.');
    await operator.getByRole('button', { name: 'Ask for information' }).click();
    await operator.getByText('Asked: the customer will correct the setup').waitFor();
    // The partner's hub in English, and the answered request in the back office in Italian.
    const asked = await h.db
      .selectFrom('provision_requests')
      .select('id')
      .where('subscription_id', '=', m.subscriptionId)
      .executeTakeFirstOrThrow();
    await listIt.goto(`${base}/backoffice/provision-requests/${asked.id}`);
    await accessible(listIt, 'an answered provision request (it)');
    await photograph(listIt, 'backoffice-request-answered-it');
    const partnerHub = await signedIn(m.partner);
    await partnerHub.goto(`${base}/hub`);
    await partnerHub.getByText('Action required').first().waitFor();
    await accessible(partnerHub, "partner's hub with Action required");
    await photograph(partnerHub, 'hub-needs-info-en');

    const customer = await signedIn(m.customerAdmin, 'it');
    await customer.getByText('Azione richiesta').first().waitFor();
    assert.match((await customer.content()) ?? '', /This site name is a registered brand/);
    await accessible(customer, 'hub with Action required (it)');
    await photograph(customer, 'hub-needs-info-it');
    await customer
      .getByRole('link', { name: /Verifica e invia di nuovo/ })
      .first()
      .click();
    await customer.getByRole('heading', { name: 'Azione richiesta' }).waitFor();
    await accessible(customer, 'setup with Action required (it)');
    await photograph(customer, 'setup-needs-info-it');
    await customer.getByRole('link', { name: 'Sito 1: Nome URL del sito' }).click();
    await customer.waitForURL(/step=meetings/);
    const renamed = `nuovo-${m.subscriptionId.toLowerCase()}`;
    await customer.locator('#name_0').fill(renamed);
    await customer.getByRole('button', { name: 'Avanti' }).click();
    await customer.waitForURL(/step=provision/);
    // The panel's Resubmit and the Provision step's are the same action: the step's is pressed.
    await customer.locator('section.card').getByRole('button', { name: 'Invia di nuovo' }).click();
    await customer.getByRole('heading', { name: 'Provisioning in corso' }).waitFor();

    await operator.goto(`${base}/backoffice/provision-requests`);
    await operator.getByRole('link', { name: m.subscriptionId }).click();
    assert.match((await operator.content()) ?? '', new RegExp(renamed));
    await operator.getByLabel("Tenant id in the vendor's service").fill('tenant-e2e-1');
    await operator.getByRole('button', { name: 'Approve' }).click();
    await operator.getByText('Approved: the subscription is active').waitFor();

    await customer.goto(`${base}/hub`);
    await customer.getByText('Predisposto', { exact: false }).first().waitFor();
    const s = await stageOf(h, m.subscriptionId);
    assert.deepEqual(
      [s.stage, s.external_tenant_id, s.billing_start_reason],
      ['active', 'tenant-e2e-1', 'provisioned'],
    );
  });

  it('failed → Retry from the order page', async () => {
    const m = await readyToProvision(h, MANUAL_OFFER);
    assert.equal(
      (await h.api(m.partner, 'POST', `/api/v1/subscriptions/${m.subscriptionId}/provision`)).status,
      202,
    );
    const operator = await signedIn(OPERATOR);
    await operator.goto(`${base}/backoffice/provision-requests`);
    await operator.getByRole('link', { name: m.subscriptionId }).click();
    await operator
      .getByLabel('Reason, shown to the partner and the customer')
      .fill('No capacity in this region until March.');
    await operator.getByRole('button', { name: 'Fail' }).click();
    // Failing tells the partner and the customer: it is confirmed first.
    await operator.getByRole('button', { name: 'Yes, fail it' }).waitFor();
    await accessible(operator, 'confirm fail');
    await photograph(operator, 'backoffice-confirm-fail-en');
    assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning');
    await operator.getByRole('button', { name: 'Yes, fail it' }).click();
    await operator.getByText('Failed: the partner and the customer were told why.').waitFor();

    for (const lang of ['en', 'it']) {
      const customer = await signedIn(m.customerAdmin, lang);
      await customer.locator('.fulfil-note-failed').first().waitFor();
      await accessible(customer, `hub with a failure (${lang})`);
      await photograph(customer, `hub-failed-${lang}`);
    }

    const partner = await signedIn(m.partner);
    await partner.goto(`${base}/orders/${m.orderId}`);
    await partner.getByText('No capacity in this region until March.').waitFor();
    assert.ok(await partner.getByRole('link', { name: 'Open a case' }).isVisible());
    await accessible(partner, 'order page with a failure');
    await photograph(partner, 'order-failed-en');
    await partner.getByRole('button', { name: 'Retry' }).click();
    await partner.getByRole('heading', { name: 'Provisioning in progress' }).waitFor();
    assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning');
    const requests = await h.db
      .selectFrom('provision_requests')
      .select('state')
      .where('subscription_id', '=', m.subscriptionId)
      .orderBy('seq')
      .execute();
    assert.deepEqual(
      requests.map((r) => r.state),
      ['failed', 'open'],
    );
  });
});
