import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { queueEmail, relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, startHarness } from '../support/harness.ts';

const pageWidth = (page: Page) =>
  page.evaluate(
    () =>
      (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document
        .documentElement.scrollWidth,
  );

const SHOTS = process.env.SHOTS_DIR ?? '/tmp/shots-cli';

describe('the development mailbox in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let base: string;

  before(async () => {
    h = await startHarness('pglite', { PORT: '0', HOST: '127.0.0.1' });
    web = await serveWeb(h.rt);
    base = `http://localhost:${web.port}`;
    // The provisioning email's button has target="_blank"; the second link has no target at all.
    await queueEmail(h.ctx, {
      kind: 'test.message',
      to: 'hans@xn--mller-kva.example',
      locale: 'en',
      subject: 'Provisioning information required for order PO-1',
      html: `<!doctype html><html><head><title>x</title></head><body><a href="${base}/login" target="_blank">Set up now</a> <a href="${base}/login?from=mail">Sign in</a></body></html>`,
      text: `Set up now: ${base}/login`,
    });
    await relayDueEmails(h.ctx);
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await h?.close();
  });

  it("opens the preview's buttons and links in a new tab, where the page works", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/dev/mailbox?to=m%C3%BCller`);
    await page.getByRole('link', { name: /PO-1/ }).click();
    const preview = page.frameLocator('iframe.mail-preview');
    for (const [name, url] of [
      ['Set up now', `${base}/login`],
      ['Sign in', `${base}/login?from=mail`],
    ] as const) {
      const [opened] = await Promise.all([
        context.waitForEvent('page'),
        preview.getByRole('link', { name }).click(),
      ]);
      await opened.waitForLoadState();
      assert.equal(opened.url(), url, name);
      // Outside the sandbox: the page runs as it would when opened from a mail client.
      assert.ok(await opened.locator('input[name="email"]').isVisible(), name);
      await opened.close();
    }
    await context.close();
  });

  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    for (const lang of ['en', 'it']) {
      it(`fits a ${width}px screen in ${lang}, with no axe violation`, async () => {
        const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
        await context.addCookies([{ name: 'provisio_lang', value: lang, url: base }]);
        const page = await context.newPage();
        await page.goto(`${base}/dev/mailbox`);
        await page.screenshot({ path: `${SHOTS}/mailbox-${lang}-${width}.png`, fullPage: true });
        assert.ok((await pageWidth(page)) <= width);
        assert.deepEqual(await axeViolations(page), []);
        await page.getByRole('link', { name: /PO-1/ }).click();
        await page.frameLocator('iframe.mail-preview').getByRole('link', { name: 'Set up now' }).waitFor();
        await page.screenshot({ path: `${SHOTS}/mailbox-message-${lang}-${width}.png`, fullPage: true });
        assert.ok((await pageWidth(page)) <= width);
        await context.close();
      });
    }
  }
});
