// Throwaway: screenshots of the pages helper's pages (not committed).
import { mkdirSync } from 'node:fs';
import { launchChromium } from '../support/browser.ts';
import { cleanEnv, startServer, tempDataDir } from '../support/process.ts';

const PW = 'shots-demo-password';
const OUT = '/tmp/shots-pages';
mkdirSync(OUT, { recursive: true });
const server = await startServer(cleanEnv({ DATA_DIR: tempDataDir(), DEMO_PASSWORD: PW, LOG_LEVEL: 'warn' }));
const base = server.url.replace('127.0.0.1', 'localhost');
const browser = await launchChromium();
const report: string[] = [];
async function session(email: string, lang: string) {
  const context = await browser.newContext();
  await context.addCookies([{ name: 'provisio_lang', value: lang, url: base }]);
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(PW);
  await page.keyboard.press('Enter');
  await page.waitForLoadState('networkidle');
  return page;
}
async function shoot(page: import('playwright-core').Page, name: string, path: string) {
  for (const [w, h] of [
    [390, 844],
    [1280, 800],
  ] as const) {
    await page.setViewportSize({ width: w, height: h });
    await page.goto(`${base}${path}`);
    const sw = await page.evaluate(() => document.documentElement.scrollWidth);
    report.push(`${name} ${w}: scrollWidth=${sw}${sw > w ? ' OVERFLOW' : ''}`);
    await page.screenshot({ path: `${OUT}/${name}-${w}.png`, fullPage: true });
  }
}
try {
  for (const lang of ['en', 'it']) {
    const anon = await (await browser.newContext()).newPage();
    await anon.context().addCookies([{ name: 'provisio_lang', value: lang, url: base }]);
    await shoot(anon, `${lang}-login`, '/login');
    const p = await session('giulia.rossi@northwind.example', lang);
    await shoot(p, `${lang}-orders`, '/orders');
    await shoot(p, `${lang}-orders-none`, '/orders?q=zzzzzzzz');
    await shoot(p, `${lang}-orders-bad`, '/orders?startFrom=2026-12-10&startTo=2026-12-01');
    await p.goto(`${base}/orders?q=NW-2026-0419`);
    const href = await p.locator('#results a[href^="/orders/"]').first().getAttribute('href');
    await shoot(p, `${lang}-order`, href ?? '/orders');
    await p.goto(`${base}${href}`);
    const hist = await p.locator('details.line-history a').first().getAttribute('href');
    if (hist) await shoot(p, `${lang}-history`, hist);
    await p.goto(`${base}/subscriptions`);
    const edit = await p.locator('a[href*="/contact?"]').first().getAttribute('href');
    if (edit) await shoot(p, `${lang}-contact`, edit);
    await p.goto(`${base}/subscriptions`);
    const resend = await p
      .locator('a[href*="/resend?"]')
      .first()
      .getAttribute('href', { timeout: 3000 })
      .catch(() => null);
    if (resend) await shoot(p, `${lang}-resend`, resend);
    await shoot(p, `${lang}-subscriptions`, '/subscriptions');
    await shoot(p, `${lang}-transactions`, '/transactions');
    await shoot(p, `${lang}-apikeys`, '/settings/api-keys');
    await shoot(p, `${lang}-webhooks`, '/settings/webhooks');
    await shoot(p, `${lang}-password`, '/account/password');
    const o = await session('nora.walsh@provisio.example', lang);
    await shoot(o, `${lang}-requests`, '/backoffice/provision-requests');
    await shoot(o, `${lang}-bo-webhooks`, '/backoffice/webhooks');
  }
} finally {
  console.log(report.join('\n'));
  await browser.close();
  await server.stop();
}
