import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COUNTRY_CODES, countryName, countryOptions, isCountryCode, isTimeZone } from './regions.ts';

describe('regions', () => {
  it('knows the 249 assigned ISO 3166-1 codes and nothing reserved', () => {
    assert.equal(COUNTRY_CODES.length, 249);
    assert.equal(isCountryCode('UA'), true);
    for (const code of ['EU', 'UK', 'XK', 'ZZ', 'ua']) assert.equal(isCountryCode(code), false, code);
  });

  it('names countries in each language', () => {
    assert.equal(countryName('uk', 'DE'), 'Німеччина');
    assert.equal(countryName('it', 'DE'), 'Germania');
    assert.equal(countryName('pt-BR', 'US'), 'Estados Unidos');
    assert.equal(countryName('ru', 'IT'), 'Италия');
  });

  it('sorts the picker by the localized name', () => {
    const names = countryOptions('ru').map((o) => o.name);
    assert.deepEqual(names, [...names].sort(new Intl.Collator('ru').compare));
  });

  it('accepts IANA zones only', () => {
    for (const zone of ['UTC', 'Europe/Kyiv', 'America/Sao_Paulo', 'Pacific/Auckland'])
      assert.equal(isTimeZone(zone), true, zone);
    for (const zone of ['', 'Mars/Base', 'utc+2', 'Europe/Kyiv '])
      assert.equal(isTimeZone(zone), false, zone);
  });
});
