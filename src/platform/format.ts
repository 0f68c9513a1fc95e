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
    try {
      format = new Intl.DateTimeFormat(locale, options);
    } catch (error) {
      // A zone this runtime does not know (an old row, a newer tz database elsewhere): UTC, which the
      // text names, rather than a page that fails.
      if (!(error instanceof RangeError) || options.timeZone === 'UTC') throw error;
      return dateTimeFormat(key, locale, { ...options, timeZone: 'UTC' });
    }
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

/** An instant: a `Date`, or an ISO 8601 timestamp as the API and the views carry them. */
function asInstant(at: Date | string): Date {
  const instant = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(instant.getTime())) throw new RangeError(`not an instant: ${String(at)}`);
  return instant;
}

/** An instant as a day in the reader's zone ("the case was opened on …"). */
export function formatDate(reader: Reader, at: Date | string, style: 'medium' | 'long' = 'medium'): string {
  const timeZone = reader.timeZone ?? 'UTC';
  return dateTimeFormat(`date-${style}`, reader.locale, { dateStyle: style, timeZone }).format(asInstant(at));
}

/**
 * An instant with its time and zone, in the reader's zone and clock ("5 dic 2026, 14:05 CET"); with
 * seconds where they tell events apart (the development mailbox).
 */
export function formatDateTime(
  reader: Reader,
  at: Date | string,
  precision: 'minute' | 'second' = 'minute',
): string {
  const timeZone = reader.timeZone ?? 'UTC';
  return dateTimeFormat(`datetime-${precision}`, reader.locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    ...(precision === 'second' ? { second: '2-digit' } : {}),
    timeZoneName: 'short',
    timeZone,
  }).format(asInstant(at));
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

function dayShort(locale: Locale): Intl.DateTimeFormat {
  return dateTimeFormat('day-short', locale, {
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

/** The order of day, month and year in the reader's language, for a date field's hint ("gg/mm/aaaa" is not ours to translate: we show an example date). */
export function dayInputExample(reader: Reader): string {
  return dayShort(reader.locale).format(new Date(Date.UTC(2026, 11, 31)));
}

/** A calendar day (`YYYY-MM-DD`) as the reader types one ("31/12/2026", "12/31/2026", "31.12.2026"). */
export function formatDayInput(reader: Reader, day: string): string {
  return dayShort(reader.locale).format(asDay(day));
}

type DayPart = 'day' | 'month' | 'year';
const dayOrders = new Map<Locale, DayPart[]>();

/** Day, month and year in the order the reader's language writes them, as Intl says (not a table of ours). */
function dayOrder(locale: Locale): DayPart[] {
  let order = dayOrders.get(locale);
  if (!order) {
    order = dayShort(locale)
      .formatToParts(new Date(Date.UTC(2026, 11, 31)))
      .flatMap((p) => (p.type === 'day' || p.type === 'month' || p.type === 'year' ? [p.type] : []));
    dayOrders.set(locale, order);
  }
  return order;
}

/** `YYYY-MM-DD` when the numbers name a day of the calendar (no 31 February), else null. */
function isoDay(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1) return null;
  const at = new Date(Date.UTC(year, month - 1, day));
  if (at.getUTCMonth() !== month - 1 || at.getUTCDate() !== day) return null;
  return at.toISOString().slice(0, 10);
}

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** Three runs of digits separated by one of the separators people type in a date. */
const TYPED_DAY = /^(\d{1,4})\s*[./-]\s*(\d{1,4})\s*[./-]\s*(\d{1,4})\.?$/;

/**
 * What a reader typed in a date field, as a calendar day `YYYY-MM-DD`, or null when it cannot be read:
 * either in their language's order (dd/mm/yyyy in Italian, mm/dd/yyyy in English, dd.mm.yyyy in
 * Russian) or ISO 8601, which every language accepts (links and the API write it). A four-digit year
 * only: "01/02/03" is a guess we do not make.
 */
export function parseDayInput(reader: Reader, text: string): string | null {
  const value = text.trim();
  if (value.length > 32) return null;
  const iso = ISO_DAY.exec(value);
  if (iso) return isoDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  const typed = TYPED_DAY.exec(value);
  if (!typed) return null;
  const parts: Partial<Record<DayPart, string>> = {};
  dayOrder(reader.locale).forEach((part, i) => {
    parts[part] = typed[i + 1];
  });
  const { day = '', month = '', year = '' } = parts;
  if (year.length !== 4 || day.length > 2 || month.length > 2) return null;
  return isoDay(Number(year), Number(month), Number(day));
}

/** The wall clock in `timeZone` at an instant: year, month, day, hour, minute. */
function wallClock(timeZone: string, at: number): number[] {
  const parts = dateTimeFormat('wall', 'en', {
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    hourCycle: 'h23',
    timeZone,
  }).formatToParts(new Date(at));
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  return [part('year'), part('month'), part('day'), part('hour'), part('minute')];
}

/** How far `timeZone`'s clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(timeZone: string, at: number): number {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0] = wallClock(timeZone, at);
  return Date.UTC(y, mo - 1, d, h, mi) - Math.floor(at / 60_000) * 60_000;
}

const TYPED_TIME = /^(.+?)(?:\s*[T,]\s*|\s+)(\d{1,2})[:.](\d{2})\s*([AaPp])?\.?\s*(?:[Mm]\.?)?$/;

/**
 * A day and a time as the reader types them ("31/12/2026 14:30", "12/31/2026 2:30 PM", ISO
 * "2026-12-31T14:30"), read on the reader's clock (their zone), as an instant; null when it cannot be
 * read. The day is read as `parseDayInput` reads it.
 */
export function parseDateTimeInput(reader: Reader, text: string): Date | null {
  const value = text.trim();
  if (value.length > 40) return null;
  const m = TYPED_TIME.exec(value);
  if (!m) return null;
  const day = parseDayInput(reader, m[1] ?? '');
  let hour = Number(m[2]);
  const minute = Number(m[3]);
  if (m[4]) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (m[4].toLowerCase() === 'p' ? 12 : 0);
  }
  if (!day || hour > 23 || minute > 59) return null;
  const [y, mo, d] = day.split('-').map(Number);
  const wall = Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 1, hour, minute);
  const timeZone = reader.timeZone ?? 'UTC';
  // The zone's offset at the guess, then again at the result: right on both sides of a DST change.
  const guess = wall - zoneOffset(timeZone, wall);
  return new Date(wall - zoneOffset(timeZone, guess));
}

/** An instant as the reader types one, on their clock: "31/12/2026 14:30" (a 24-hour time everywhere). */
export function formatDateTimeInput(reader: Reader, at: Date): string {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0] = wallClock(reader.timeZone ?? 'UTC', at.getTime());
  const day = `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return `${formatDayInput(reader, day)} ${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}`;
}

/** The reader's zone as they know it ("Europe/Rome"), for a note beside times: UTC when unknown. */
export function readerTimeZone(reader: Reader): string {
  return reader.timeZone ?? 'UTC';
}

/** The reader of a page: the language it is shown in and the signed-in user's organization's zone. */
export function readerOf(locale: Locale, who?: { timeZone?: string | null | undefined } | null): Reader {
  return { locale, timeZone: who?.timeZone ?? undefined };
}
