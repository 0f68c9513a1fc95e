import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFullAdminRequestEmail } from './email.tsx';

describe('full admin request email', () => {
  it('ends with one period after a customer name that ends in one', () => {
    for (const requester of ['marco@northwind.example', null]) {
      const mail = renderFullAdminRequestEmail('en', {
        partner: 'Northwind Networks',
        customer: 'Studio Legale Ferri S.r.l.',
        requester,
        link: 'https://provisio.example/hub',
      });
      assert.match(mail.text, /Studio Legale Ferri S\.r\.l\.\n/);
      assert.doesNotMatch(mail.text, /S\.r\.l\.\./);
      assert.doesNotMatch(mail.html, /S\.r\.l\.\./);
    }
  });
});
