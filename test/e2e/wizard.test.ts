import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import * as identity from '../../src/modules/identity/service.ts';
import { BUSINESS_VERTICALS } from '../../src/modules/onboarding/mapping-input.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { countryOptions } from '../../src/platform/regions.ts';
import { type RunningWeb, serveWeb } from '../../src/server.ts';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import { type Harness, orderBody, PUBLIC_URL, startHarness, type Tenant } from '../support/harness.ts';

const LINK = /http:\/\/provisio\.test\/setup\/[A-Za-z0-9_-]{43}/;

// The wizard in Chromium, one test per path (W1–W8), over an in-process server and a movable clock.
describe('the setup wizard in Chromium', { skip: chromiumSkip }, () => {
  let h: Harness;
  let web: RunningWeb;
  let browser: Browser;
  let partner: Tenant;
  let base: string;
  let day = 0;

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

  const unique = () => randomBytes(3).toString('hex');
  const mailTo = (to: string) =>
    h.db
      .selectFrom('outbox_emails')
      .select(['kind', 'subject', 'text_body', 'locale'])
      .where('to_address', '=', to)
      .orderBy('created_at')
      .execute();
  const local = (url: string) => url.replace(PUBLIC_URL, base);

  /** Books an order for `contact`, moves to its start date and returns the emailed setup link. */
  async function setupLink(contact: string, locale = 'en'): Promise<string> {
    day += 1;
    const start = `2026-12-${String(day).padStart(2, '0')}`;
    const res = await h.api(
      partner,
      'POST',
      '/api/v1/orders',
      orderBody({ locale }, { provisioningContactEmail: contact, requestedStartDate: start }),
    );
    assert.equal(res.status, 201);
    h.clock.set(new Date(`${start}T09:00:00Z`));
    await dispatchDueLines(h.ctx);
    // The newest email that carries a link (an approval notice may be stamped later by the clock).
    const mail = (await mailTo(contact)).reverse().find((m) => LINK.test(m.text_body));
    const link = mail?.text_body.match(LINK)?.[0];
    assert.ok(link, 'the provisioning email carries a setup link');
    return local(link);
  }

  async function open(url: string): Promise<Page> {
    // axe-core is injected as an inline script, which the pages' CSP (rightly) forbids.
    const page = await (await browser.newContext({ bypassCSP: true })).newPage();
    await page.goto(url);
    return page;
  }

  async function axe(page: Page) {
    assert.deepEqual(await axeViolations(page), [], `axe on ${await page.title()}`);
  }

  async function next(page: Page, label: string) {
    if (process.env.DEBUG_WIZARD) console.log('DEBUG', page.url(), await page.locator('body').innerText());
    await axe(page);
    await page.getByRole('button', { name: label, exact: true }).last().click();
    await page.waitForLoadState();
  }

  /** Presses Tab until the element is focused (keyboard-only use). */
  async function tabTo(page: Page, selector: string) {
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      if (await page.locator(`${selector}:focus`).count()) return;
    }
    assert.fail(`Tab never reached ${selector}`);
  }

  /** Picks the n-th option of the focused select with the arrow keys. */
  async function arrowTo(page: Page, n: number) {
    for (let i = 0; i < n; i++) await page.keyboard.press('ArrowDown');
  }

  it('a partner picks a customer found by domain, in Italian: its admin approves in the hub, then it is mapped', async () => {
    const u = unique();
    const customer = await identity.createOrganization(h.ctx, {
      kind: 'customer',
      name: `Globex ${u}`,
      country: 'IT',
      domains: [{ domain: `globex-${u}.example`, status: 'verified' }],
    });
    await identity.createUser(h.ctx, {
      organizationId: customer.id,
      email: `someone@globex-${u}.example`,
      role: 'customer_user',
    });
    const owner = `owner@globex-${u}.example`;
    await identity.createUser(h.ctx, {
      organizationId: customer.id,
      email: owner,
      role: 'customer_admin',
      password: 'a long owner password',
      locale: 'it',
    });
    const page = await open(await setupLink(partner.email, 'it'));
    assert.equal(await page.getAttribute('html', 'lang'), 'it');
    await page.getByRole('heading', { name: 'Imposta il tuo abbonamento' }).waitFor();
    await next(page, 'Avanti');
    await page.getByLabel('Questo ordine è per un cliente').check();
    await next(page, 'Avanti');
    await page.getByLabel('Sì, imposterò io').check();
    await next(page, 'Avanti');
    // The contact is a user of the partner: the exact match.
    assert.match(await page.locator('main').innerText(), /associato a questa organizzazione/);
    // A match is a choice that needs care: a caution, with the safety stop beside it.
    assert.equal(await page.locator('.callout-warning').count(), 2);
    assert.match(await page.locator('main').innerText(), /Northwind/);
    await next(page, 'Avanti');
    await page
      .getByLabel("Indirizzo e-mail dell'amministratore del cliente")
      .fill(`boss@globex-${u}.example`);
    await next(page, 'Avanti');
    assert.match(await page.locator('main').innerText(), /Trovate organizzazioni corrispondenti/);
    // Until an organization is picked the create form is offered; picking one hides it (htmx, no script of ours).
    assert.ok(await page.locator('#create-customer').isVisible());
    await page.getByLabel(`Globex ${u}`).check();
    await page.locator('#create-customer').waitFor({ state: 'hidden' });
    await page.getByRole('radio', { name: 'Crea una nuova organizzazione' }).check();
    await page.locator('#create-customer').waitFor({ state: 'visible' });
    await page.getByLabel(`Globex ${u}`).check();
    await page.locator('#create-customer').waitFor({ state: 'hidden' });
    await next(page, 'Avanti');
    const review = await page.locator('main').innerText();
    assert.match(review, /Amministratore del provisioning/);
    assert.match(review, new RegExp(`Globex ${u}`));
    await axe(page);
    await page.getByRole('button', { name: 'Conferma' }).last().click();
    // Found by domain only proposes: Globex's admins decide; nothing is granted meanwhile.
    await page.getByRole('heading', { name: 'In attesa dell’approvazione dell’organizzazione' }).waitFor();
    assert.match(await page.locator('main').innerText(), /non continuare/);
    await axe(page);
    const pending = await h.db
      .selectFrom('managed_customers')
      .selectAll()
      .where('customer_org_id', '=', customer.id)
      .execute();
    assert.deepEqual(pending, []);

    const adminContext = await browser.newContext({ bypassCSP: true });
    await adminContext.addCookies([{ name: 'provisio_lang', value: 'it', url: base }]);
    const admin = await adminContext.newPage();
    await admin.goto(`${base}/login?next=/hub`);
    await admin.locator('input[name="email"]').fill(owner);
    await admin.locator('input[name="password"]').fill('a long owner password');
    // The session cookie expires by the harness clock: keep it in the browser's present meanwhile.
    const then = h.clock.now();
    h.clock.set(new Date());
    await admin.getByRole('button', { name: 'Accedi', exact: true }).click();
    await admin.waitForURL(/\/hub$/);
    await admin.getByRole('heading', { name: 'Richieste di accesso alla tua organizzazione' }).waitFor();
    await axe(admin);
    await admin.getByRole('button', { name: 'Approva' }).click();
    await admin.locator('.notice', { hasText: 'Approvata' }).waitFor();
    const managed = await h.db
      .selectFrom('managed_customers')
      .select('access')
      .where('customer_org_id', '=', customer.id)
      .executeTakeFirstOrThrow();
    assert.equal(managed.access, 'provisioning_admin');
    const told = (await mailTo(partner.email)).map((m) => m.kind);
    assert.ok(told.includes('consent.approved'), told.join());
    h.clock.set(then);
  });

  it('a first-time partner creates both organizations from the keyboard, in Ukrainian, and sets a password', async () => {
    const u = unique();
    const contact = `it@fresh-${u}.example`;
    const page = await open(await setupLink(contact, 'uk'));
    assert.equal(await page.getAttribute('html', 'lang'), 'uk');
    await axe(page);
    await tabTo(page, 'button[value="next"]:not(.default-submit)');
    await page.keyboard.press('Enter');
    await page.waitForLoadState();
    await page.getByRole('heading', { name: 'Для кого це замовлення?' }).waitFor();
    await axe(page);
    await tabTo(page, '#role-customer');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Хто налаштує сервіси?' }).waitFor();
    await axe(page);
    await tabTo(page, '#setupBy-self');
    await page.keyboard.press('Space');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Ваша партнерська організація' }).waitFor();
    assert.match(await page.locator('main').innerText(), /не знайдено відповідної організації/);
    await axe(page);
    await tabTo(page, '#partnerName');
    await page.keyboard.type(`Свіжий партнер ${u}`);
    await tabTo(page, '#partnerVertical');
    await arrowTo(page, BUSINESS_VERTICALS.indexOf('technology') + 1);
    await tabTo(page, '#partnerCountry');
    await arrowTo(page, countryOptions('uk').findIndex((c) => c.code === 'UA') + 1);
    await tabTo(page, 'button[value="next"]:not(.default-submit)');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Адміністратор клієнта' }).waitFor();
    await axe(page);
    await tabTo(page, '#adminEmail');
    await page.keyboard.type(`boss@client-${u}.example`);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Організація клієнта' }).waitFor();
    await axe(page);
    await tabTo(page, '#customerName');
    await page.keyboard.type(`Клієнт ${u}`);
    await tabTo(page, '#customerVertical');
    await arrowTo(page, BUSINESS_VERTICALS.indexOf('education') + 1);
    await tabTo(page, '#customerCountry');
    await arrowTo(page, countryOptions('uk').findIndex((c) => c.code === 'PL') + 1);
    await tabTo(page, 'button[value="next"]:not(.default-submit)');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Перевірка та підтвердження' }).waitFor();
    const review = await page.locator('main').innerText();
    assert.match(review, new RegExp(`Свіжий партнер ${u}`));
    assert.match(review, /Повний адміністратор/);
    assert.match(review, /Польща/);
    await axe(page);
    await tabTo(page, 'button[value="confirm"]:not(.default-submit)');
    await page.keyboard.press('Enter');
    // After the Point of No Return: what is now set up, for whom, what comes next, and the action.
    await page.getByRole('heading', { name: 'Підписку налаштовано' }).waitFor();
    const done = await page.locator('main').innerText();
    assert.match(done, /Підписку SUB-\d+ тепер налаштовано для/);
    assert.match(done, /Що далі/);
    await axe(page);
    // The set-password link is built from the public URL (another host here): read the button.
    const href = await page.getByRole('link', { name: 'Задати пароль' }).getAttribute('href');
    assert.match(href ?? '', /^http:\/\/provisio\.test\/hub\/invitations\/[A-Za-z0-9_-]{43}$/);
    // W4: the new partner organization's admin sets a password and lands on the service setup.
    const hub = await page.context().newPage();
    await hub.goto(local(href ?? ''));
    assert.equal(await hub.getAttribute('html', 'lang'), 'uk');
    await hub.locator('input[name="password"]').fill('a long new password');
    await hub.locator('input[name="confirmation"]').fill('a long new password');
    await hub.locator('input[name="confirmation"]').press('Enter');
    await hub.waitForURL(/\/hub\/setups\/SUB-\d+/);
  });

  it('someone else completes this order: the link moves to them and the old one says why', async () => {
    const u = unique();
    const link = await setupLink(`first-${u}@acme.example`, 'pt-BR');
    const page = await open(link);
    assert.equal(await page.getAttribute('html', 'lang'), 'pt-BR');
    // The language switch works on the wizard too (W1).
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('button', { name: 'Alterar' }).click();
    await page.getByRole('heading', { name: 'Set up your subscription' }).waitFor();
    await next(page, 'Next');
    await page.getByLabel('I want someone else to complete this order').check();
    await page
      .getByLabel('Email address of the person who will complete the order')
      .fill(`second-${u}@acme.example`);
    await next(page, 'Next');
    await page.getByRole('heading', { name: 'Sent to someone else' }).waitFor();
    await axe(page);
    const mail = await mailTo(`second-${u}@acme.example`);
    assert.equal(mail.length, 1);
    assert.match(mail[0]?.text_body ?? '', LINK);
    const old = await page.goto(link);
    assert.equal(old?.status(), 410);
    await page.getByRole('heading', { name: 'Setup handed to another contact' }).waitFor();
    await axe(page);
  });

  it('the customer will set up: the customer admin gets the invitation, the partner no access', async () => {
    const u = unique();
    const page = await open(await setupLink(partner.email));
    await next(page, 'Next');
    await page.getByLabel('This order is for a customer').check();
    await next(page, 'Next');
    await page.getByLabel('The customer will set up').check();
    await next(page, 'Next');
    await next(page, 'Next');
    // An empty address is refused, naming the field.
    await page.getByRole('button', { name: 'Next', exact: true }).last().click();
    assert.match(
      await page.locator('.field-error').innerText(),
      /Enter the customer admin’s email address|Enter the customer admin's email address/,
    );
    // The summary at the top links to the field.
    await page.locator('.error-summary a[href="#adminEmail"]').click();
    const focused = await page.evaluate(
      () =>
        (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document
          .activeElement?.id,
    );
    assert.equal(focused, 'adminEmail');
    await axe(page);
    await page.getByLabel('Customer admin email address').fill(`admin@initech-${u}.example`);
    await next(page, 'Next');
    // Prefilled from the order: its end customer's name.
    assert.equal(await page.getByLabel('Company name').inputValue(), 'Acme');
    await page.getByLabel('Company name').fill(`Initech ${u}`);
    await page.getByLabel('Business vertical').selectOption('finance');
    await page.getByLabel('Country or region').selectOption('DE');
    await next(page, 'Next');
    assert.match(await page.locator('main').innerText(), /The customer admin will get an email/);
    await next(page, 'Confirm');
    await page.getByRole('heading', { name: 'Subscription set up' }).waitFor();
    const done = await page.locator('main').innerText();
    assert.match(done, new RegExp(`Subscription SUB-\\d+ is now set up for Initech ${u}\\.`));
    assert.match(done, new RegExp(`The customer admin \\(admin@initech-${u}\\.example\\) got an email`));
    await axe(page);
    const [mail] = await mailTo(`admin@initech-${u}.example`);
    assert.equal(mail?.kind, 'setup.set_up_services');
    assert.match(mail?.text_body ?? '', /\/hub\/invitations\/[A-Za-z0-9_-]{43}/);
  });
});
