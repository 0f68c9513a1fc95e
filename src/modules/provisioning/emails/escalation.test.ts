import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LOCALES } from '../../../platform/i18n.ts';
import { type EscalatedLine, renderEscalationDigest } from './escalation.ts';

const line = (i: number): EscalatedLine => ({
  orderReference: `PO-${4700 + i}`,
  orderNumber: `1000${i}`,
  partnerName: 'Northwind & Co',
  subscriptionId: `SUB-${1000 + i}`,
  contactEmail: `it${i}@acme.example`,
  requestedStartDate: '2026-12-01',
  orderUrl: `https://provisio.test/orders/o${i}`,
});
const lines = (n: number) => Array.from({ length: n }, (_, i) => line(i));
const LIST = 'https://provisio.test/backoffice/escalations';

describe('escalation digest', () => {
  for (const locale of LOCALES) {
    it(`${locale}: lists every line with its order link, and links the whole list`, () => {
      const email = renderEscalationDigest({ locale, lines: lines(3), total: 3, listUrl: LIST });
      for (const part of [email.html, email.text]) {
        for (const l of lines(3)) {
          assert.ok(part.includes(l.subscriptionId) && part.includes(l.contactEmail), l.subscriptionId);
          assert.ok(part.includes(l.orderUrl));
        }
        assert.ok(part.includes(LIST));
      }
      assert.ok(email.html.includes('Northwind &amp; Co'), 'escaped');
      assert.match(email.subject, /3/);
    });
  }

  it('counts the lines it does not list, with the right plural form', () => {
    const en = renderEscalationDigest({ locale: 'en', lines: lines(2), total: 1502, listUrl: LIST });
    assert.equal(en.subject, 'Provisioning not started: 1,502 subscriptions');
    assert.match(en.text, /…and 1,500 more subscriptions, not listed here\./);
    const one = renderEscalationDigest({ locale: 'en', lines: lines(1), total: 1, listUrl: LIST });
    assert.equal(one.subject, 'Provisioning not started: 1 subscription');
    assert.doesNotMatch(one.text, /more subscription/);
    const ru = (total: number, shown: number) =>
      renderEscalationDigest({ locale: 'ru', lines: lines(shown), total, listUrl: LIST });
    assert.match(ru(21, 21).subject, /21 подписка$/);
    assert.match(ru(3, 3).subject, /3 подписки$/);
    assert.match(ru(11, 11).subject, /11 подписок$/);
    assert.match(ru(7, 2).text, /и ещё 5 подписок, не указанных здесь/);
    assert.match(ru(4, 2).text, /и ещё 2 подписки, не указанные здесь/);
    const uk = renderEscalationDigest({ locale: 'uk', lines: lines(2), total: 3, listUrl: LIST });
    assert.match(uk.subject, /3 підписки$/);
    assert.match(uk.text, /і ще 1 підписка, не наведена тут/);
  });
});
