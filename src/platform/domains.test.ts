import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isFreeMailDomain, registrableDomain, toAsciiDomain, toUnicodeDomain } from './domains.ts';

describe('registrableDomain', () => {
  it('follows the Public Suffix List, private suffixes included', () => {
    assert.equal(registrableDomain('mail.eu.acme.com'), 'acme.com');
    assert.equal(registrableDomain('it.acme.co.uk'), 'acme.co.uk');
    assert.equal(registrableDomain('team.github.io'), 'team.github.io');
    assert.equal(registrableDomain('x.team.github.io'), 'team.github.io');
  });

  it('has none for a bare public suffix or a non-name', () => {
    for (const host of ['co.uk', 'github.io', 'com', '', 'a b.com'])
      assert.equal(registrableDomain(host), null, host);
  });

  it('works on internationalized names, in punycode', () => {
    assert.equal(registrableDomain('пошта.приклад.укр'), 'xn--80aikifvh.xn--j1amh');
    assert.equal(toAsciiDomain('Пример.РФ'), 'xn--e1afmkfd.xn--p1ai');
    assert.equal(toUnicodeDomain('xn--e1afmkfd.xn--p1ai'), 'пример.рф');
  });
});

describe('isFreeMailDomain', () => {
  it('knows the big free-mail providers and their subdomains', () => {
    for (const host of ['gmail.com', 'yandex.ru', 'ukr.net', 'outlook.com', 'mail.yahoo.com'])
      assert.equal(isFreeMailDomain(host), true, host);
  });

  it('does not flag company domains', () => {
    for (const host of ['acme.com', 'acme.co.uk', 'xn--80aikifvh.xn--j1amh'])
      assert.equal(isFreeMailDomain(host), false, host);
  });
});
