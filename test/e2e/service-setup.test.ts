import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, startHarness, type Tenant } from '../support/harness.ts';
import { mappedSubscription } from '../support/mapped-subscription.ts';

// In-process server over the harness: the subscription is ordered, dispatched and mapped by the helper.
describe('service setup in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let base: string;

  async function signedIn(tenant: Tenant, lang?: string): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true, bypassCSP: true });
    if (lang) await context.addCookies([{ name: 'provisio_lang', value: lang, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator('input[name="email"]').fill(tenant.email);
    await page.locator('input[name="password"]').fill(tenant.password);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/orders$/);
    return page;
  }

  /** The id of the focused element, read in the page (the test's own types have no DOM). */
  function focusedId(page: Page): Promise<string | undefined> {
    return page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
          .activeElement?.id,
    );
  }

  async function noAxe(page: Page, screen: string) {
    assert.deepEqual(await axeViolations(page), [], `axe on ${screen}`);
  }

  before(async () => {
    h = await startHarness('pglite', { PORT: '0', HOST: '127.0.0.1' });
    web = await serveWeb(h.rt);
    base = `http://localhost:${web.port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await h?.close();
  });

  it('sets up Meetings with two sites, Calling and a subdomain, provisions and downloads the summary', async () => {
    const m = await mappedSubscription(h, { quantity: 50, customerName: 'Acme S.p.A.' });
    await mappedSubscription(h, { partner: m.partner }).then((other) =>
      h.api(other.partner, 'PUT', `/api/v1/subscriptions/${other.subscriptionId}/setup/meeting-sites`, {
        sites: [{ name: 'acme-taken', timeZone: 'UTC' }],
      }),
    );
    const page = await signedIn(m.partner);
    await page.goto(`${base}/hub/setups/${m.subscriptionId}`);
    await page.getByRole('heading', { name: 'Review the subscription' }).waitFor();
    await noAxe(page, 'review');
    await page.getByRole('link', { name: 'Set up now' }).click();
    await page.waitForURL(/step=meetings/);

    // The name's availability is announced as it is typed.
    await page.getByLabel('Site URL name').fill('acme-taken');
    await page.getByText('acme-taken is already taken.').waitFor();
    await page.getByLabel('Site URL name').fill('acme-main');
    await page.getByText('acme-main is available.').waitFor();
    // The full site address, as it is typed.
    assert.match(await page.locator('#name_0-url').innerText(), /https:\/\/acme-main\.meet\.provisio\.test/);
    await page.getByLabel('Time zone').selectOption('Europe/Rome');
    await noAxe(page, 'meetings');
    await page.getByRole('button', { name: 'I need additional URLs' }).click();
    await page.locator('#name_1').fill('acme-training');
    await page.locator('#tz_1').selectOption('America/New_York');
    await page.locator('#early_1_yes').check();
    await page.locator('#licences_0').fill('30');
    await page.locator('#licences_1').fill('10');
    await page.getByRole('button', { name: 'Next' }).click();
    // 30 + 10 is not the 50 ordered: refused, naming the field, nothing saved.
    await page
      .locator('p.field-error', { hasText: 'the licences add up to 40, but 50 were ordered' })
      .waitFor();
    // The summary at the top names it too, linking to it.
    await page.locator('.error-summary a[href="#sites"]').waitFor();
    await noAxe(page, 'meetings refused');
    await page.locator('#licences_1').fill('20');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/step=calling/);

    await page.getByLabel('Location name').fill('Milano HQ');
    await page.getByLabel('Country or region where most users are').selectOption('IT');
    await page.getByLabel('Address line 1').fill('Via Roma 1');
    await page.getByLabel('City', { exact: true }).fill('Milano');
    await page.getByLabel('Time zone').selectOption('Europe/Rome');
    await page.locator('#language').selectOption('it');
    await noAxe(page, 'calling');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.waitForURL(/step=enterprise/);

    await page.getByLabel('Subdomain').fill('acme');
    await page.getByRole('button', { name: 'Check availability' }).click();
    await page.getByText('acme is available.').waitFor();
    await noAxe(page, 'enterprise');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/step=provision/);
    await noAxe(page, 'provision');
    assert.match(await page.locator('main').innerText(), /When billing starts\s+Today, /);
    await page.getByRole('link', { name: 'Provision', exact: true }).click();
    // Provision starts billing: a confirmation page says what and when, and only its button provisions.
    await page.waitForURL(/step=confirm/);
    await page.getByRole('heading', { name: `Provision ${m.subscriptionId}?` }).waitFor();
    await noAxe(page, 'provision confirmation');
    await page.getByRole('button', { name: 'Provision and start billing' }).click();
    await page.waitForURL(/step=done/);
    await noAxe(page, 'review after Provision');
    // The order summary is offered beside Close, not only after it.
    await page.getByRole('link', { name: 'Download order summary (PDF)' }).waitFor();
    await page.getByRole('link', { name: 'Close' }).click();
    await page.waitForURL(/step=summary/);
    await noAxe(page, 'summary');
    const facts = (await page.locator('dl.facts').textContent()) ?? '';
    assert.match(facts, /acme-main · Europe\/Rome · Licences: 30/);
    assert.match(facts, /acme-training · America\/New_York · Licences: 20/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download order summary (PDF)' }).click(),
    ]);
    const pdf = readFileSync((await download.path()) ?? '');
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    const text = execFileSync('pdftotext', ['-', '-'], { input: pdf }).toString('utf8');
    assert.match(text, /acme-training/);
    const sub = await h.db
      .selectFrom('subscriptions')
      .select('provisioned_at')
      .where('id', '=', m.subscriptionId)
      .executeTakeFirstOrThrow();
    assert.ok(sub.provisioned_at);
  });

  it('in Italian, from the keyboard: Set up later changes nothing, Meetings saves on Avanti and setup resumes', async () => {
    const m = await mappedSubscription(h, { offer: 'A-SPK', quantity: 10 });
    const page = await signedIn(m.partner, 'it');
    await page.goto(`${base}/hub/setups/${m.subscriptionId}`);
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    await page.getByRole('heading', { name: "Esamina l'abbonamento" }).waitFor();
    assert.equal(
      await page.getByRole('link', { name: 'Imposta successivamente' }).getAttribute('href'),
      '/hub',
    );
    await noAxe(page, 'review (it)');

    await page.getByRole('link', { name: 'Imposta ora' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/step=meetings/);
    await page.getByLabel('Nome URL del sito').focus();
    await page.keyboard.type('negozio-roma');
    await page.getByText('negozio-roma è disponibile.').waitFor();
    // Tab goes from the name straight to its time zone (the hint and the announcement are text).
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'tz_0');
    await page.getByLabel('Fuso orario').selectOption('Europe/Rome');
    await page.keyboard.press('Tab');
    assert.equal(await focusedId(page), 'early_0_no');
    await page.getByRole('button', { name: 'Avanti' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/step=enterprise/);
    await noAxe(page, 'enterprise (it)');

    // Leaving and coming back resumes at the first incomplete step.
    await page.goto(`${base}/hub/setups/${m.subscriptionId}`);
    assert.equal(
      await page.getByRole('link', { name: 'Imposta ora' }).getAttribute('href'),
      `/hub/setups/${m.subscriptionId}?step=enterprise`,
    );
    const sites = await h.db
      .selectFrom('meeting_sites')
      .select(['name', 'licenses'])
      .where('subscription_id', '=', m.subscriptionId)
      .execute();
    assert.deepEqual(sites, [{ name: 'negozio-roma', licenses: 10 }]);
    const sub = await h.db
      .selectFrom('subscriptions')
      .select('provisioned_at')
      .where('id', '=', m.subscriptionId)
      .executeTakeFirstOrThrow();
    assert.equal(sub.provisioned_at, null);
  });
});
