import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../support/browser.ts';
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
});
