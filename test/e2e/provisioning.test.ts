import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, orderBody, startHarness, type Tenant } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';

const START = '2026-12-01';

interface Order {
  id: string;
  lines: { id: string }[];
}

// In-process server over the test harness: the clock can be moved to the start date so the lines await provisioning.
describe('provisioning contact actions in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let partner: Tenant;
  let base: string;

  async function placeOrder(lines: number, start = START): Promise<Order> {
    const res = await h.api(partner, 'POST', '/api/v1/orders', {
      ...orderBody(),
      lines: Array.from({ length: lines }, (_, i) => ({
        offer: 'A-WX',
        quantity: 5,
        requestedStartDate: start,
        provisioningContactEmail: `it${i}@acme.example`,
      })),
    });
    assert.equal(res.status, 201);
    return (await res.json()) as Order;
  }

  /**
   * Signed in with a session cookie without an expiry: the session's own expiry follows the harness
   * clock (a fixed day), which the browser compares with the real one, so a cookie the form sets may
   * arrive already expired.
   */
  async function signedIn(lang?: string): Promise<Page> {
    const context = await browser.newContext();
    const [name = '', value = ''] = (await h.signIn(partner)).split('=');
    await context.addCookies([{ name, value, url: base }]);
    if (lang) await context.addCookies([{ name: 'provisio_lang', value: lang, url: base }]);
    const page = await context.newPage();
    await page.goto(`${base}/orders`);
    assert.match(page.url(), /\/orders$/);
    return page;
  }

  before(async () => {
    h = await startHarness('pglite', { PORT: '0', HOST: '127.0.0.1' });
    partner = await h.tenant('partner', 'Northwind');
    web = await serveWeb(h.rt);
    base = `http://localhost:${web.port}`;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await h?.close();
  });

  it('resends from the confirmation dialog, from the keyboard', async () => {
    const order = await placeOrder(2);
    h.clock.set(new Date(`${START}T09:00:00Z`));
    await dispatchDueLines(h.ctx);
    const page = await signedIn();
    await page.goto(`${base}/orders/${order.id}`);
    const resend = page.locator(`#line-1 a[data-dialog]`);
    await resend.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Resend confirmation' });
    await dialog.waitFor();
    assert.match((await dialog.textContent()) ?? '', /resend the provisioning email to it0@acme\.example\?/);
    const shots = path.join(ROOT, 'test-results');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'resend-dialog.png'), fullPage: true });
    // Cancel closes it and nothing is sent.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.match(page.url(), new RegExp(`/orders/${order.id}$`));

    // On a phone the dialog fits the screen, its buttons too.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    for (const part of [dialog.locator('article'), dialog.getByRole('button', { name: 'Yes' })]) {
      const box = await part.boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, `${JSON.stringify(box)} fits 390 px`);
    }
    await page.screenshot({ path: path.join(shots, 'resend-dialog-phone.png') });
    await page.keyboard.press('Enter');
    await page.waitForURL(/done=resent/);
    assert.equal(
      (await page.getByRole('status').textContent())?.trim(),
      'The provisioning email was resent to it0@acme.example.',
    );
  });

  it('edits the contact of all lines at once, in Russian', async () => {
    const order = await placeOrder(3);
    const page = await signedIn('ru');
    await page.goto(`${base}/orders/${order.id}`);
    assert.equal(await page.getAttribute('html', 'lang'), 'ru');
    await page.locator('#line-2').getByRole('link', { name: 'Изменить' }).click();
    await page.getByLabel('Новый адрес контакта по подготовке').fill('ops@acme.example');
    await page.getByLabel('Применить ко всем строкам').check();
    await page.getByRole('button', { name: 'Сохранить' }).click();
    await page.waitForURL(new RegExp(`/orders/${order.id}\\?done=contact_changed`));
    assert.match((await page.getByRole('status').textContent()) ?? '', /Контакт по подготовке обновлён/);
    const shown = await page.locator('.contact-email').allTextContents();
    assert.deepEqual(shown, ['ops@acme.example', 'ops@acme.example', 'ops@acme.example']);
    await page.screenshot({
      path: path.join(ROOT, 'test-results', 'contact-changed-ru.png'),
      fullPage: true,
    });
  });

  it('starts a future line now from its confirmation dialog; the line then shows it started', async () => {
    const order = await placeOrder(1, '2027-02-15');
    const shots = path.join(ROOT, 'test-results');
    mkdirSync(shots, { recursive: true });
    // How it looks, in English and Italian, on a phone and on a laptop (not asserted: looked at).
    for (const [lang, title] of [
      ['en', 'Start provisioning now?'],
      ['it', 'Avviare ora il provisioning?'],
    ] as const) {
      const page = await signedIn(lang);
      for (const [width, height] of [
        [390, 844],
        [1280, 800],
      ] as const) {
        await page.setViewportSize({ width, height });
        await page.goto(`${base}/orders/${order.id}`);
        await page.screenshot({ path: path.join(shots, `start-now-${lang}-${width}.png`), fullPage: true });
        await page.locator('#line-1 a[data-dialog^="start-now-"]').click();
        await page.getByRole('dialog', { name: title }).waitFor();
        await page.screenshot({ path: path.join(shots, `start-now-dialog-${lang}-${width}.png`) });
      }
      await page.context().close();
    }

    const page = await signedIn();
    await page.goto(`${base}/orders/${order.id}`);
    const dialog = page.getByRole('dialog', { name: 'Start provisioning now?' });
    await page.locator('#line-1').getByRole('link', { name: 'Start now' }).click();
    await dialog.waitFor();
    assert.match(
      (await dialog.textContent()) ?? '',
      /The start date becomes today and the provisioning email goes to it0@acme\.example now/,
    );
    // Cancel changes nothing.
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.locator('#line-1 .badge').first().textContent(), 'Scheduled');

    await page.locator('#line-1').getByRole('link', { name: 'Start now' }).click();
    await dialog.getByRole('button', { name: 'Yes' }).click();
    await page.waitForURL(/done=started_now/);
    assert.equal(
      (await page.getByRole('status').textContent())?.trim(),
      'Provisioning started: the email is on its way to it0@acme.example.',
    );
    assert.equal(await page.locator('#line-1').getByRole('link', { name: 'Start now' }).count(), 0);
    assert.equal(await page.locator('#line-1 .badge').first().textContent(), 'Awaiting Provisioning Details');
    assert.equal(await page.locator('#line-1 td').nth(4).textContent(), 'Dec 1, 2026');
  });
});
