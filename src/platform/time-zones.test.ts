import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countryTimeZones, currentTimeZoneName, suggestedTimeZone, timeZoneChoices } from './time-zones.ts';

const AT = new Date('2026-12-05T12:00:00Z');
const DEPRECATED = ['Europe/Kiev', 'Asia/Calcutta', 'Asia/Saigon', 'America/Godthab', 'America/Buenos_Aires'];

describe('time zones as people choose them', () => {
  it('gives a US organization New York first among a short list of its zones', () => {
    const { suggested } = timeZoneChoices('en', 'US', AT);
    assert.equal(suggestedTimeZone('US', AT), 'America/New_York');
    assert.equal(suggested[0]?.id, 'America/New_York');
    assert.match(suggested[0]?.label ?? '', /Eastern Time — New York/);
    assert.ok(suggested.length >= 6 && suggested.length <= 10, `${suggested.length} US zones`);
    const ids = suggested.map((z) => z.id);
    for (const zone of ['America/Chicago', 'America/Denver', 'America/Los_Angeles', 'Pacific/Honolulu'])
      assert.ok(ids.includes(zone), zone);
  });

  it('gives Ukraine Europe/Kyiv, never Europe/Kiev', () => {
    assert.equal(suggestedTimeZone('UA', AT), 'Europe/Kyiv');
    assert.ok(countryTimeZones('UA', AT).includes('Europe/Kyiv'));
    assert.equal(currentTimeZoneName('Europe/Kiev'), 'Europe/Kyiv');
  });

  it('lists no deprecated id and no zone twice, for any country or none', () => {
    for (const country of ['UA', 'IN', null]) {
      const { suggested, others } = timeZoneChoices('en', country, AT);
      const ids = [...suggested, ...others].map((z) => z.id);
      for (const old of DEPRECATED) assert.ok(!ids.includes(old), `${country}: ${old}`);
      assert.equal(new Set(ids).size, ids.length, `${country}: no duplicates`);
    }
    assert.deepEqual(timeZoneChoices('en', null, AT).suggested, []);
    assert.equal(suggestedTimeZone('ZZ', AT), null);
  });

  it('names zones in the reader’s language', () => {
    const it = timeZoneChoices('it', 'US', AT).suggested[0]?.label ?? '';
    const en = timeZoneChoices('en', 'US', AT).suggested[0]?.label ?? '';
    assert.notEqual(it, en);
    assert.match(it, /New York/);
    assert.match(it, /orientale|Ora/i);
    const uk = timeZoneChoices('uk', 'UA', AT).suggested[0]?.label ?? '';
    assert.match(uk, /[а-яіїє]/i);
  });

  it('keeps a single-zone country to its one zone', () => {
    assert.deepEqual(countryTimeZones('IT', AT), ['Europe/Rome']);
    assert.equal(suggestedTimeZone('IT', AT), 'Europe/Rome');
  });
});
