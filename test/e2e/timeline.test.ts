import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../support/browser.ts';
import { cleanEnv, type RunningServer, startServer, tempDataDir } from '../support/process.ts';

const DEMO_PASSWORD = 'e2e-demo-password';

describe('line timeline in Chromium', { skip: chromiumSkip }, () => {
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

  it('opens a line’s history on the order page: the events and what happens next', async () => {
    const base = server.url.replace('127.0.0.1', 'localhost');
    const page = await browser.newPage();
    await page.goto(`${base}/login?next=${encodeURIComponent('/orders?q=NW-2026-0419')}`);
    await page.getByLabel('Email address').fill('marco.bianchi@northwind.example');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/orders\?q=NW-2026-0419$/);
    await page.getByRole('link', { name: 'NW-2026-0419' }).click();
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);

    // Marco works in Italian: the first line (A-WX) starts in ten days.
    const history = page.locator('#line-1 details.line-history');
    const list = history.locator('.timeline');
    assert.equal(await list.isVisible(), false);
    await history.locator('summary', { hasText: 'Cronologia' }).click();
    await list.waitFor({ state: 'visible' });
    const text = (await list.textContent()) ?? '';
    assert.match(text, /Ordinato/);
    assert.match(text, /da marco\.bianchi@northwind\.example/);
    assert.match(text, /Cosa succede ora: L’e-mail di provisioning va a it@acme\.example il \d+ \S+ \d{4}\./);
    // The menu that switches between the three views of the same orders.
    await page.locator('details.change-view summary').click();
    assert.equal(await page.getByRole('link', { name: 'Gestione transazioni' }).isVisible(), true);
  });
});
