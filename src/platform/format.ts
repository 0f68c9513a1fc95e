import type { Locale } from './i18n.ts';

/**
 * Every date, time and number a reader sees (pages, emails, PDF, CSV, date inputs) is written here,
 * in the reader's language and time zone. A calendar date (a Requested Start Date, `YYYY-MM-DD`) is
 * a day, not an instant: it is written as it is, never moved by a time zone.
 */
export interface Reader {
  locale: Locale;
  /** IANA zone of the reader (their organization's); UTC when unknown. */
  timeZone?: string | undefined;
}

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dateTimeFormat(
  key: string,
  locale: Locale,
  options: Intl.DateTimeFormatOptions,
): Intl.DateTimeFormat {
  const cacheKey = `d|${locale}|${key}|${options.timeZone ?? ''}`;
  let format = cache.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    cache.set(cacheKey, format);
  }
  return format as Intl.DateTimeFormat;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar day as `Date` at UTC midnight, from `YYYY-MM-DD` or a `Date` already at midnight. */
function asDay(value: Date | string): Date {
  if (value instanceof Date) return value;
  const m = DAY.exec(value);
  if (!m) throw new RangeError(`not a calendar date: ${value}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** "5 dic 2026" / "Dec 5, 2026": a calendar day (start dates, billing dates). */
export function formatDay(reader: Reader, day: Date | string, style: 'medium' | 'long' = 'medium'): string {
  return dateTimeFormat(`day-${style}`, reader.locale, { dateStyle: style, timeZone: 'UTC' }).format(
    asDay(day),
  );
}

/** An instant as a day in the reader's zone ("the case was opened on …"). */
export function formatDate(reader: Reader, at: Date, style: 'medium' | 'long' = 'medium'): string {
  const timeZone = reader.timeZone ?? 'UTC';
  return dateTimeFormat(`date-${style}`, reader.locale, { dateStyle: style, timeZone }).format(at);
}

/** An instant with its time and zone, in the reader's zone and clock ("5 dic 2026, 14:05 CET"). */
export function formatDateTime(reader: Reader, at: Date): string {
  const timeZone = reader.timeZone ?? 'UTC';
  return dateTimeFormat('datetime', reader.locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone,
  }).format(at);
}

export function formatNumber(reader: Reader, value: number): string {
  const cacheKey = `n|${reader.locale}`;
  let format = cache.get(cacheKey);
  if (!format) {
    format = new Intl.NumberFormat(reader.locale);
    cache.set(cacheKey, format);
  }
  return (format as Intl.NumberFormat).format(value);
}

/** The order of day, month and year in the reader's language, for a date field's hint ("gg/mm/aaaa" is not ours to translate: we show an example date). */
export function dayInputExample(reader: Reader): string {
  return dateTimeFormat('day-short', reader.locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(2026, 11, 31)));
}
