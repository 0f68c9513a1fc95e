import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from '../support/browser.ts';
import { cleanEnv, ROOT, type RunningServer, startServer, tempDataDir } from '../support/process.ts';

const DEMO_PASSWORD = 'e2e-demo-password';

describe('commerce workspace in Chromium', { skip: chromiumSkip }, () => {
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

  it('a partner logs in, finds an order by its provisioning contact email and opens it, all from the keyboard', async () => {
    const base = server.url.replace('127.0.0.1', 'localhost');
    const page = await browser.newPage();
    await page.goto(`${base}/orders`);
    assert.match(page.url(), /\/login\?next=%2Forders$/);

    await page.getByLabel('Email address').fill('giulia.rossi@northwind.example');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/orders$/);
    // Giulia works in Italian: the workspace follows her language.
    assert.equal(await page.getAttribute('html', 'lang'), 'it');

    const search = page.getByLabel('Cerca');
    await search.fill('amministrazione@bellanapoli.example');
    await search.press('Enter');
    await page.waitForURL(/q=amministrazione%40bellanapoli\.example/);
    const rows = page.locator('#results tbody tr');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    assert.match((await rows.first().textContent()) ?? '', /NW-2026-0412/);

    const link = page.getByRole('link', { name: 'NW-2026-0412' });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/orders\/[0-9a-f-]{36}$/);
    const lines = page.locator('tbody tr');
    assert.equal(await lines.count(), 2);
    const first = (await lines.first().textContent()) ?? '';
    assert.match(first, /A-SPK/);
    assert.match(first, /amministrazione@bellanapoli\.example/);
    assert.match(first, /In attesa dei dettagli di provisioning/);
    assert.match(first, /SUB-\d+/);

    const shots = path.join(ROOT, 'test-results');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'order-page.png'), fullPage: true });
  });
});
