import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { cleanEnv, type RunningServer, startServer, tempDataDir } from '../support/process.ts';

const DEMO_PASSWORD = 'e2e-demo-password';

/** A real 1×1 PNG, as a partner's screenshot tool would save it. */
const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

interface LoadedImage {
  complete: boolean;
  naturalWidth: number;
}

/** The page's width as the phone lays it out: nothing may be wider than the screen. */
function pageWidth(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );
}

describe('support cases in Chromium', { skip: chromiumSkip }, () => {
  let server: RunningServer;
  let browser: Browser;

  before(async () => {
    server = await startServer(cleanEnv({ DATA_DIR: tempDataDir(), DEMO_PASSWORD, LOG_LEVEL: 'warn' }));
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('a partner opens a case with a screenshot, sees it listed and its image shown', async () => {
    const base = server.url.replace('127.0.0.1', 'localhost');
    const page = await browser.newPage();
    await page.goto(
      `${base}/support/cases/new?requestType=resend_provisioning_email&description=Resend%20failed`,
    );
    await page.locator('#email').fill('sarah.jones@eurochannel.example');
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/support\/cases\/new\?/);

    assert.equal(await page.locator('#requestType').inputValue(), 'resend_provisioning_email');
    assert.equal(await page.locator('#description').inputValue(), 'Resend failed');
    await page.locator('#description').fill('Resend failed.\nThe contact never got the email.');
    await page
      .locator('#screenshots')
      .setInputFiles({ name: 'error.png', mimeType: 'image/png', buffer: TINY_PNG });
    await page.locator('form[action="/support/cases"] button[type="submit"]').click();
    await page.waitForURL(/\/support\/cases\/[0-9a-f-]{36}$/);

    const image = page.locator('.screenshots img');
    await image.waitFor();
    // The test's types have no DOM: the image is described by the two properties read here.
    await page.waitForFunction(() => {
      const img = (
        globalThis as unknown as { document: { querySelector(s: string): LoadedImage | null } }
      ).document.querySelector('.screenshots img');
      return img?.complete === true;
    });
    const width = await image.evaluate((img) => (img as unknown as LoadedImage).naturalWidth);
    assert.equal(width, 1, 'the screenshot loads as an image');
    assert.match((await page.locator('.prewrap').first().textContent()) ?? '', /never got the email/);

    await page.getByRole('link', { name: 'All support cases' }).click();
    await page.waitForURL(/\/support\/cases$/);
    const rows = page.locator('#cases tbody tr');
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', /CASE-\d+.*Resend provisioning email.*Open/s);
  });

  it('an operator lands on the back office, filters the queue by partner and closes the case after confirming', async () => {
    const base = server.url.replace('127.0.0.1', 'localhost');
    // axe-core is injected as a script: the page's CSP would refuse it.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator('#email').fill('nora.walsh@provisio.example');
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/backoffice\/orders$/);
    assert.ok((await pageWidth(page)) <= 390, 'the orders fit the phone');

    await page.goto(`${base}/support/cases`);
    await page.waitForURL(/\/backoffice\/support$/);
    await page.getByLabel('Partner').selectOption({ label: 'EuroChannel Distribution Ltd' });
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\/backoffice\/support\?partner=[0-9a-f-]{36}&status=waiting/);
    const rows = page.locator('#queue tbody tr');
    assert.equal(await rows.count(), 1);
    assert.ok((await pageWidth(page)) <= 390, 'the queue fits the phone');
    assert.deepEqual(await axeViolations(page), []);

    await rows.first().getByRole('link').click();
    await page.waitForURL(/\/backoffice\/support\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: 'Close case' }).click();
    await page.waitForURL(/\/close$/);
    assert.match((await page.locator('h1').textContent()) ?? '', /Close case CASE-\d+\?/);
    assert.deepEqual(await axeViolations(page), []);
    await page.getByRole('button', { name: 'Close case' }).click();
    await page.waitForURL(/\/backoffice\/support\/[0-9a-f-]{36}$/);
    assert.match((await page.locator('.facts').textContent()) ?? '', /Closed/);
    await context.close();
  });

  it('an operator marks an escalation contacted with a note and finds it under the contacted filter', async () => {
    const base = server.url.replace('127.0.0.1', 'localhost');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    await page.goto(`${base}/backoffice/escalations?contacted=no`);
    await page.locator('#email').fill('nora.walsh@provisio.example');
    await page.locator('#password').fill(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/backoffice\/escalations\?contacted=no$/);
    const first = page.locator('#escalations tbody tr').first();
    const subscription = ((await first.locator('td').nth(2).textContent()) ?? '').trim();
    assert.match(subscription, /^SUB-\d+$/);
    await first.getByRole('link', { name: /Mark contacted/ }).click();
    await page.getByRole('button', { name: 'Mark contacted' }).click();
    assert.match((await page.locator('.error-summary').textContent()) ?? '', /Note is required/);
    await page.getByLabel('Note').fill('Called the partner: they will chase the customer.');
    await page.getByRole('button', { name: 'Mark contacted' }).click();
    await page.waitForURL(/\/backoffice\/escalations\?contacted=no$/);
    assert.doesNotMatch((await page.locator('main').textContent()) ?? '', new RegExp(`${subscription}\\b`));
    await page.getByLabel('Partner contacted').selectOption('yes');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/contacted=yes/);
    const row = page.locator('#escalations tbody tr', { hasText: subscription });
    assert.match(
      (await row.textContent()) ?? '',
      /Contacted.*nora\.walsh@provisio\.example.*chase the customer/s,
    );
    assert.deepEqual(await axeViolations(page), []);
  });
});
