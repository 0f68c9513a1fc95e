import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import * as identity from '../../src/modules/identity/service.ts';
import { relayDueWebhooks } from '../../src/modules/webhooks/relay.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, startHarness, type Tenant } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';
import { answer, type Receiver, startReceiver } from '../support/webhook-receiver.ts';

const SHOTS = path.join(ROOT, 'test-results');
const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;
const OPERATOR = { email: 'ops@hooks-vendor.example', password: 'correct horse battery' };

async function assertAccessible(page: Page, what: string): Promise<void> {
  assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
}

/** The page at both sizes, in the language of the context (screenshots in test-results/). */
async function shoot(page: Page, name: string): Promise<void> {
  for (const size of SIZES) {
    await page.setViewportSize({ width: size.width, height: size.height });
    await page.screenshot({ path: path.join(SHOTS, `webhooks-${name}-${size.name}.png`), fullPage: true });
  }
}

describe('webhooks in Chromium: add an endpoint, see the secret once, follow and retry a delivery', {
  skip: chromiumSkip,
}, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let base: string;
  let partner: Tenant;
  let receiver: Receiver;

  async function signIn(context: BrowserContext, email: string, password: string): Promise<Page> {
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.locator('#email').fill(email);
    await page.locator('#password').fill(password);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    return page;
  }

  before(async () => {
    h = await startHarness('pglite', { PORT: '0', HOST: '127.0.0.1', WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
    partner = await h.tenant('partner', 'Northwind');
    const vendor = await identity.createOrganization(h.ctx, {
      kind: 'vendor',
      name: 'Provisio Ops',
      country: 'IT',
    });
    await identity.createUser(h.ctx, {
      organizationId: vendor.id,
      role: 'operator',
      locale: 'en',
      ...OPERATOR,
    });
    receiver = await startReceiver();
    web = await serveWeb(h.rt);
    base = `http://localhost:${web.port}`;
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await web?.close();
    await receiver?.close();
    await h?.close();
  });

  for (const locale of ['en', 'it'] as const) {
    it(`a partner admin manages an endpoint and its delivery log (${locale})`, async () => {
      const context = await browser.newContext({
        locale,
        viewport: { width: 1280, height: 800 },
        bypassCSP: true,
      });
      await context.addCookies([{ name: 'provisio_lang', value: locale, url: base }]);
      try {
        const page = await signIn(context, partner.email, partner.password);
        await page.goto(`${base}/settings/webhooks`);
        await assertAccessible(page, `the webhooks page (${locale})`);
        await shoot(page, `list-empty-${locale}`);

        await page.locator('#url').fill(`${receiver.url}?lang=${locale}`);
        await page.locator('#description').fill(locale === 'it' ? 'Fatturazione ERP' : 'ERP billing feed');
        await page.locator('input[value="subscription.billing_started"]').check();
        await page.locator('input[value="line.closed"]').check();
        await page.locator('form.endpoint-form button[type="submit"]').click();
        const secret = await page.locator('input.secret').inputValue();
        assert.match(secret, /^whsec_/);
        receiver.secrets.push(secret);
        await assertAccessible(page, `the secret page (${locale})`);
        await shoot(page, `secret-${locale}`);

        // The receiver fails the first attempt, with a message in its answer.
        receiver.respond(
          answer(500, '{"error":"ledger locked, try later"}', { 'content-type': 'application/json' }),
        );
        await page.locator('a[href^="/settings/webhooks/"]').first().click();
        await page.locator('form[action$="/test"] button').click();
        await page.waitForURL(/notice=test/);
        await relayDueWebhooks(h.ctx);
        await page.reload();
        await page.locator('.deliveries summary').first().click();
        await page.locator('pre.excerpt').first().waitFor();
        assert.match((await page.locator('pre.excerpt').first().textContent()) ?? '', /ledger locked/);

        // Retry: this time it goes through.
        receiver.respond(answer(200, 'thanks'));
        await page.locator('.deliveries form button').first().click();
        await page.waitForURL(/notice=retry/);
        await relayDueWebhooks(h.ctx);
        await page.reload();
        await page.locator('.deliveries summary').first().click();
        assert.equal(await page.locator('.deliveries details[open] tbody tr').count(), 2);
        assert.equal(await page.locator('.deliveries .badge-success').count(), 1);
        await assertAccessible(page, `the delivery log (${locale})`);
        await shoot(page, `log-${locale}`);
        const last = receiver.received.at(-1);
        assert.equal(last?.verifiedBy.length, 1, 'the receiver verified the signature');

        await page.locator('a[href$="/rotate"]').click();
        await assertAccessible(page, `the rotate page (${locale})`);
        await shoot(page, `rotate-${locale}`);
        await page.goBack();
        await page.locator('a[href$="/edit"]').click();
        await assertAccessible(page, `the edit page (${locale})`);
        await shoot(page, `edit-${locale}`);
        await page.goBack();
        await page.locator('a[href$="/delete"]').click();
        await shoot(page, `delete-${locale}`);
        await page.locator('button.danger').click();
        await page.waitForURL(/notice=deleted/);
      } finally {
        await context.close();
      }
    });
  }

  it('an operator manages the vendor endpoints in the back office', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    try {
      const page = await signIn(context, OPERATOR.email, OPERATOR.password);
      await page.goto(`${base}/backoffice/webhooks`);
      await page.locator('#url').fill(receiver.url);
      await page.locator('form.endpoint-form button[type="submit"]').click();
      await page.locator('input.secret').waitFor();
      await page.goto(`${base}/backoffice/webhooks`);
      assert.equal(await page.locator('.endpoints li').count(), 1);
      await assertAccessible(page, 'the back office webhooks page');
      await shoot(page, 'backoffice-en');
    } finally {
      await context.close();
    }
  });
});
