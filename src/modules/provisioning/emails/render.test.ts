import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCALES, translator } from '../../../platform/i18n.ts';
import {
  type ProvisioningEmailInput,
  renderContactChangedNotice,
  renderProvisioningEmail,
} from './render.ts';

const SENDER = 'provisioning@vendor.example';

function input(overrides: Partial<ProvisioningEmailInput> = {}): ProvisioningEmailInput {
  return {
    locale: 'en',
    orderReference: 'PO-4711',
    orderNumber: '100045',
    partnerName: 'Northwind & Co',
    endCustomerName: 'Bella Napoli',
    contactEmail: 'it@bellanapoli.example',
    sender: SENDER,
    resend: false,
    lines: [
      {
        subscriptionId: 'SUB-1001',
        offerName: 'Collaboration suite',
        services: ['meetings', 'calling'],
        quantity: 1500,
        requestedStartDate: '2026-12-01',
        setupUrl: 'https://provisio.test/setup/tok-one?a=1&b=2',
      },
      {
        subscriptionId: 'SUB-1002',
        offerName: 'A-SPK',
        services: ['messaging'],
        quantity: 25,
        requestedStartDate: '2026-12-15',
        setupUrl: 'https://provisio.test/setup/tok-two',
      },
    ],
    ...overrides,
  };
}

describe('provisioning email', () => {
  for (const locale of LOCALES) {
    it(`${locale}: the subject, every setup link and the sender are in both parts`, () => {
      const email = renderProvisioningEmail(input({ locale }));
      assert.equal(email.subject, translator(locale)('email.provisioning.subject', { reference: 'PO-4711' }));
      assert.match(email.subject, /PO-4711/);
      for (const url of [
        'https://provisio.test/setup/tok-one?a=1&b=2',
        'https://provisio.test/setup/tok-two',
      ]) {
        assert.ok(email.text.includes(url), `text has ${url}`);
        assert.ok(email.html.includes(`href="${url.replaceAll('&', '&amp;')}"`), `html links ${url}`);
      }
      for (const part of [email.html, email.text]) {
        assert.ok(part.includes(SENDER));
        assert.ok(part.includes('SUB-1001') && part.includes('SUB-1002'));
        assert.ok(part.includes('100045'));
      }
      // One button per line.
      const button = translator(locale)('email.provisioning.set_up_now');
      assert.equal(email.html.split(`>${button}</a>`).length - 1, 2);
      assert.match(email.html, new RegExp(`<html lang="${locale}" dir="ltr">`));
      assert.doesNotMatch(email.html, /<script|<img|<link|\{\{/);
      assert.doesNotMatch(email.text, /\{\{|email\.provisioning/);
    });
  }

  it('writes dates and numbers as the recipient reads them', () => {
    assert.match(renderProvisioningEmail(input()).text, /December 1, 2026/);
    assert.match(renderProvisioningEmail(input({ locale: 'it' })).text, /1 dicembre 2026/);
    assert.match(renderProvisioningEmail(input({ locale: 'pt-BR' })).text, /1 de dezembro de 2026/);
    assert.match(renderProvisioningEmail(input({ locale: 'ru' })).text, /1 декабря 2026/);
    assert.match(renderProvisioningEmail(input({ locale: 'uk' })).text, /1 грудня 2026/);
    assert.match(renderProvisioningEmail(input()).text, /1,500/);
  });

  it('is in Cyrillic for Russian and Ukrainian, with the right plural forms', () => {
    const ru = renderProvisioningEmail(input({ locale: 'ru' }));
    assert.match(ru.subject, /Требуются данные/);
    assert.match(ru.text, /2 подписки/);
    assert.match(ru.html, /Настроить сейчас/);
    const five = input({ locale: 'ru' });
    const [line] = five.lines;
    assert.ok(line);
    five.lines = Array.from({ length: 5 }, (_, i) => ({ ...line, subscriptionId: `SUB-${i}` }));
    assert.match(renderProvisioningEmail(five).text, /5 подписок/);
    const uk = renderProvisioningEmail(input({ locale: 'uk' }));
    assert.match(uk.text, /2 підписки/);
    assert.match(uk.html, /Налаштувати зараз/);
  });

  it('escapes every value: markup in a name comes out as text', () => {
    const email = renderProvisioningEmail(
      input({
        endCustomerName: '<script>alert(1)</script>',
        partnerName: '"><img src=x onerror=alert(2)>',
        orderReference: 'PO-<b>',
      }),
    );
    assert.doesNotMatch(email.html, /<script>|<img|<b>/);
    assert.ok(email.html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(email.html.includes('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;'));
    // The text part is plain text: the value as given.
    assert.ok(email.text.includes('<script>alert(1)</script>'));
  });

  it('says when it is a new copy', () => {
    assert.doesNotMatch(renderProvisioningEmail(input()).text, /new copy/);
    assert.match(renderProvisioningEmail(input({ resend: true })).text, /new copy/);
  });

  it('renders thousands quickly', () => {
    const started = performance.now();
    for (let i = 0; i < 2000; i += 1) renderProvisioningEmail(input({ locale: LOCALES[i % LOCALES.length] }));
    assert.ok(performance.now() - started < 4000);
  });
});

describe('contact changed notice', () => {
  for (const locale of LOCALES) {
    it(`${locale}: names the new address and the subscriptions, without a link`, () => {
      const email = renderContactChangedNotice({
        locale,
        orderReference: 'PO-4711',
        subscriptionIds: ['SUB-1', 'SUB-2'],
        newContactEmail: 'new<x>@acme.example',
        partnerName: 'Northwind',
      });
      assert.match(email.subject, /PO-4711/);
      assert.ok(email.text.includes('new<x>@acme.example') && email.text.includes('SUB-2'));
      assert.ok(email.html.includes('new&lt;x&gt;@acme.example'));
      assert.doesNotMatch(email.html, /<a /);
      assert.doesNotMatch(email.text, /https?:/);
    });
  }

  it('ends with one period when the partner’s name ends with one (S.r.l.)', () => {
    const email = renderContactChangedNotice({
      locale: 'en',
      orderReference: 'PO-4711',
      subscriptionIds: ['SUB-1'],
      newContactEmail: 'new@acme.example',
      partnerName: 'Northwind Networks S.r.l.',
    });
    assert.match(email.text, /contact Northwind Networks S\.r\.l\.\n/);
    assert.doesNotMatch(email.text + email.html, /S\.r\.l\.\./);
  });
});
