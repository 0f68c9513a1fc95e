import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dayInputExample,
  formatDate,
  formatDateTime,
  formatDateTimeInput,
  formatDay,
  formatDayInput,
  formatNumber,
  parseDateTimeInput,
  parseDayInput,
  type Reader,
} from './format.ts';
import { LOCALES } from './i18n.ts';

/** No-break and narrow no-break spaces read as spaces, so expectations stay legible. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('format: dates, times and numbers in the reader’s language and zone', () => {
  const at = new Date('2026-12-05T13:05:00Z');

  it('writes an instant in each language, 24h where the language uses it, with the zone named', () => {
    const rome = (locale: Reader['locale']) => plain(formatDateTime({ locale, timeZone: 'Europe/Rome' }, at));
    assert.equal(rome('it'), '5 dic 2026, 14:05 CET');
    assert.equal(rome('en'), 'Dec 5, 2026, 2:05 PM GMT+1');
    assert.equal(rome('pt-BR'), '5 de dez. de 2026, 14:05 GMT+1');
    assert.equal(rome('ru'), '5 дек. 2026 г., 14:05 GMT+1');
    assert.equal(rome('uk'), '5 груд. 2026 р., 14:05 GMT+1');
    assert.equal(
      plain(formatDateTime({ locale: 'it', timeZone: 'Europe/Rome' }, new Date('2026-07-05T13:05:00Z'))),
      '5 lug 2026, 15:05 CEST',
    );
  });

  it('is UTC, and says so, when the reader has no zone or one this runtime does not know', () => {
    assert.equal(plain(formatDateTime({ locale: 'en' }, at)), 'Dec 5, 2026, 1:05 PM UTC');
    assert.equal(
      plain(formatDateTime({ locale: 'it', timeZone: 'Mars/Olympus' }, at)),
      '5 dic 2026, 13:05 UTC',
    );
  });

  it('moves an instant across midnight into the reader’s day', () => {
    const late = new Date('2026-12-31T23:30:00Z');
    assert.equal(formatDate({ locale: 'en', timeZone: 'UTC' }, late), 'Dec 31, 2026');
    assert.equal(formatDate({ locale: 'en', timeZone: 'Europe/Rome' }, late), 'Jan 1, 2027');
    assert.equal(
      formatDate({ locale: 'it', timeZone: 'America/Los_Angeles' }, new Date('2027-01-01T05:00:00Z')),
      '31 dic 2026',
    );
    assert.equal(
      plain(formatDateTime({ locale: 'it', timeZone: 'Europe/Rome' }, late)),
      '1 gen 2027, 00:30 CET',
    );
  });

  it('never moves a calendar day, whatever the reader’s zone', () => {
    for (const timeZone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'UTC', undefined]) {
      assert.equal(formatDay({ locale: 'en', timeZone }, '2026-12-31'), 'Dec 31, 2026');
      assert.equal(formatDay({ locale: 'it', timeZone }, '2027-01-01'), '1 gen 2027');
    }
    assert.equal(formatDay({ locale: 'ru' }, '2026-12-31', 'long'), '31 декабря 2026 г.');
    assert.throws(() => formatDay({ locale: 'en' }, '2026-12-31T10:00:00Z'), RangeError);
  });

  it('writes numbers with the language’s separators', () => {
    assert.equal(formatNumber({ locale: 'en' }, 12345.5), '12,345.5');
    assert.equal(formatNumber({ locale: 'it' }, 12345.5), '12.345,5');
    assert.equal(plain(formatNumber({ locale: 'ru' }, 12345.5)), '12 345,5');
  });
});

describe('format: date inputs read the reader’s own way of writing a day', () => {
  it('shows an example in the language’s order', () => {
    assert.equal(dayInputExample({ locale: 'en' }), '12/31/2026');
    assert.equal(dayInputExample({ locale: 'it' }), '31/12/2026');
    assert.equal(dayInputExample({ locale: 'pt-BR' }), '31/12/2026');
    assert.equal(dayInputExample({ locale: 'ru' }), '31.12.2026');
    assert.equal(dayInputExample({ locale: 'uk' }), '31.12.2026');
  });

  it('round-trips every day it writes, in every language', () => {
    for (const locale of LOCALES) {
      for (const day of ['2026-01-02', '2026-12-31', '2028-02-29', '1999-07-04']) {
        const typed = formatDayInput({ locale }, day);
        assert.equal(parseDayInput({ locale }, typed), day, `${locale}: ${typed}`);
      }
    }
  });

  it('reads the language’s order, single digits and ISO 8601', () => {
    assert.equal(parseDayInput({ locale: 'it' }, '3/2/2026'), '2026-02-03');
    assert.equal(parseDayInput({ locale: 'en' }, '3/2/2026'), '2026-03-02');
    assert.equal(parseDayInput({ locale: 'ru' }, ' 03.02.2026 '), '2026-02-03');
    assert.equal(parseDayInput({ locale: 'uk' }, '3.2.2026'), '2026-02-03');
    assert.equal(parseDayInput({ locale: 'pt-BR' }, '03/02/2026'), '2026-02-03');
    for (const locale of LOCALES) assert.equal(parseDayInput({ locale }, '2026-02-03'), '2026-02-03');
  });

  it('refuses what is not a day of the calendar', () => {
    for (const text of [
      '31/02/2026',
      '2026-02-30',
      '29/02/2027',
      '00/01/2026',
      '13/13/2026',
      '01/02/26',
      'tomorrow',
      '',
      '2026-1-2x',
      '01/02/2026\u0000',
      '\u000001/02/2026',
      '1/2/3/2026',
      '12345/1/2026',
      '2026-13-01',
      `${'1'.repeat(40)}`,
    ]) {
      assert.equal(parseDayInput({ locale: 'it' }, text), null, JSON.stringify(text));
    }
    assert.equal(parseDayInput({ locale: 'en' }, '31/12/2026'), null);
  });
});

describe('format: a day and a time typed on the reader’s clock', () => {
  const iso = (d: Date | null) => d?.toISOString() ?? null;

  it('reads the time in the reader’s zone, winter and summer', () => {
    const rome = { locale: 'it', timeZone: 'Europe/Rome' } as const;
    assert.equal(iso(parseDateTimeInput(rome, '31/12/2026 14:30')), '2026-12-31T13:30:00.000Z');
    assert.equal(iso(parseDateTimeInput(rome, '5/7/2026 14.30')), '2026-07-05T12:30:00.000Z');
    assert.equal(iso(parseDateTimeInput(rome, '2026-12-31T00:15')), '2026-12-30T23:15:00.000Z');
    assert.equal(iso(parseDateTimeInput({ locale: 'en' }, '12/31/2026 2:30 PM')), '2026-12-31T14:30:00.000Z');
    assert.equal(
      iso(parseDateTimeInput({ locale: 'en' }, '12/31/2026 12:05 am')),
      '2026-12-31T00:05:00.000Z',
    );
    assert.equal(
      iso(parseDateTimeInput({ locale: 'en', timeZone: 'America/New_York' }, '3/8/2026 03:30')),
      '2026-03-08T07:30:00.000Z',
      'after the clocks went forward',
    );
  });

  it('round-trips what it writes, in every language and zone', () => {
    const at = new Date('2026-12-31T23:45:00Z');
    for (const locale of LOCALES) {
      for (const timeZone of ['UTC', 'Europe/Rome', 'America/Los_Angeles', 'Asia/Kolkata']) {
        const typed = formatDateTimeInput({ locale, timeZone }, at);
        assert.equal(
          iso(parseDateTimeInput({ locale, timeZone }, typed)),
          at.toISOString(),
          `${locale} ${timeZone}: ${typed}`,
        );
      }
    }
    assert.equal(formatDateTimeInput({ locale: 'it', timeZone: 'Europe/Rome' }, at), '01/01/2027 00:45');
  });

  it('refuses what is not a day and a time', () => {
    for (const text of [
      '31/12/2026',
      '31/02/2026 10:00',
      '31/12/2026 24:00',
      '31/12/2026 10:60',
      '31/12/2026 13:00 PM',
      'soon',
      '31/12/2026 10:00\u0000',
    ]) {
      assert.equal(parseDateTimeInput({ locale: 'it' }, text), null, JSON.stringify(text));
    }
  });
});
