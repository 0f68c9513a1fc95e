import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { displayEmail, isValidEmailAddress, normalizeEmail } from './email.ts';

describe('isValidEmailAddress', () => {
  it('accepts ordinary, aliased and team-mailbox addresses', () => {
    for (const address of [
      'it@acme.example',
      'first.last+provisioning@sub.acme.co.uk',
      "o'brien@example.ie",
      'team_mailbox-01@xn--80ak6aa92e.com',
      `${'a'.repeat(64)}@example.com`,
    ]) {
      assert.equal(isValidEmailAddress(address), true, address);
    }
  });

  it('refuses addresses that break RFC 5321 syntax or length limits', () => {
    for (const address of [
      '',
      'plain',
      '@acme.example',
      'it@',
      'it@acme',
      'it@@acme.example',
      'a..b@acme.example',
      '.a@acme.example',
      'a.@acme.example',
      'it @acme.example',
      'it@-acme.example',
      'it@acme-.example',
      'it@acme.example.',
      'it@acme.123',
      `${'a'.repeat(65)}@example.com`,
      `a@${'b'.repeat(64)}.com`,
      `a@${`${'b'.repeat(60)}.`.repeat(5)}com`,
      '"quoted"@acme.example',
      'it@[127.0.0.1]',
    ]) {
      assert.equal(isValidEmailAddress(address), false, address);
    }
  });

  it('keeps the total under 254 octets', () => {
    const domain = `${'d'.repeat(63)}.${'e'.repeat(63)}.${'f'.repeat(60)}.com`; // 192 octets
    assert.equal(isValidEmailAddress(`${'a'.repeat(61)}@${domain}`), true); // 254 octets
    assert.equal(isValidEmailAddress(`${'a'.repeat(62)}@${domain}`), false); // 255 octets
  });

  it('normalizes case and whitespace', () => {
    assert.equal(normalizeEmail('  IT@Acme.Example '), 'it@acme.example');
  });
});

describe('internationalized domains', () => {
  it('accepts Cyrillic domains and stores them as punycode, shown again in Unicode', () => {
    for (const [written, stored] of [
      ['Olena@Приклад.укр', 'olena@xn--80aikifvh.xn--j1amh'],
      ['ivan@mail.пример.рф', 'ivan@mail.xn--e1afmkfd.xn--p1ai'],
    ] as const) {
      assert.equal(isValidEmailAddress(written), true, written);
      assert.equal(normalizeEmail(written), stored);
      assert.equal(isValidEmailAddress(stored), true, stored);
      assert.equal(displayEmail(stored), written.toLowerCase());
    }
  });

  it('refuses a Unicode local part and a domain that has no punycode form', () => {
    assert.equal(isValidEmailAddress('олена@example.com'), false);
    assert.equal(isValidEmailAddress('a@exa mple.рф'), false);
  });
});
