import type { Locale } from './i18n.ts';
import { TIME_ZONES } from './regions.ts';

/**
 * Time zones as people choose them: the few their country uses, named in their language ("Ora
 * orientale USA — New York"), before every other zone; never a deprecated id. The country's zones
 * come from the runtime's ICU data (Intl.Locale#timeZones); ICU still lists some old names, which
 * are mapped to the current ones here.
 */

/** Old IANA names ICU still returns, and their current names. */
const CURRENT_NAME: Record<string, string> = {
  'Europe/Kiev': 'Europe/Kyiv',
  'Europe/Uzhgorod': 'Europe/Kyiv',
  'Europe/Zaporozhye': 'Europe/Kyiv',
  'Asia/Calcutta': 'Asia/Kolkata',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'Asia/Rangoon': 'Asia/Yangon',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Godthab': 'America/Nuuk',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Enderbury': 'Pacific/Kanton',
};

/** Where a country has several zones of one name, the one most of its people live in. */
const PREFERRED = new Set([
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'America/Phoenix',
  'Pacific/Honolulu',
  'America/Toronto',
  'America/Vancouver',
  'America/Sao_Paulo',
  'America/Manaus',
  'America/Mexico_City',
  'America/Argentina/Buenos_Aires',
  'Europe/Moscow',
  'Asia/Yekaterinburg',
  'Asia/Novosibirsk',
  'Asia/Vladivostok',
  'Europe/Kyiv',
  'Europe/Madrid',
  'Australia/Sydney',
  'Australia/Perth',
  'Asia/Jakarta',
]);

export function currentTimeZoneName(id: string): string {
  return CURRENT_NAME[id] ?? id;
}

export interface TimeZoneChoice {
  id: string;
  label: string;
}

function part(locale: Locale, timeZone: string, at: Date, style: 'longGeneric' | 'shortOffset'): string {
  return (
    new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: style })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value ?? timeZone
  );
}

function city(id: string): string {
  return (id.split('/').pop() ?? id).replaceAll('_', ' ');
}

function label(locale: Locale, id: string, at: Date): string {
  if (id === 'UTC') return 'UTC';
  return `(${part(locale, id, at, 'shortOffset')}) ${part(locale, id, at, 'longGeneric')} — ${city(id)}`;
}

function offsetMinutes(id: string, at: Date): number {
  const text = part('en', id, at, 'shortOffset'); // "GMT", "GMT-5", "GMT+5:30"
  const m = /GMT([+-])(\d{1,2})(?::(\d{2}))?/.exec(text);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

/** The country's zones, one per name (Eastern, Central, …), the most-lived-in first of each name. */
export function countryTimeZones(country: string | null | undefined, at: Date): string[] {
  if (!country) return [];
  let zones: string[];
  try {
    zones = (new Intl.Locale(`und-${country}`) as Intl.Locale & { timeZones?: string[] }).timeZones ?? [];
  } catch {
    return [];
  }
  const byName = new Map<string, string>();
  for (const zone of zones.map(currentTimeZoneName)) {
    const name = part('en', zone, at, 'longGeneric');
    const held = byName.get(name);
    if (!held || (PREFERRED.has(zone) && !PREFERRED.has(held))) byName.set(name, zone);
  }
  return [...byName.values()].sort((a, b) => offsetMinutes(b, at) - offsetMinutes(a, at));
}

/** What a country's organization most likely uses: its only zone, or its most-lived-in one. */
export function suggestedTimeZone(country: string | null | undefined, at: Date): string | null {
  const zones = countryTimeZones(country, at);
  return zones.find((z) => PREFERRED.has(z)) ?? zones[0] ?? null;
}

/** A time-zone picker's choices: the country's zones, then every other current zone by offset. */
export function timeZoneChoices(
  locale: Locale,
  country: string | null | undefined,
  at: Date,
): { suggested: TimeZoneChoice[]; others: TimeZoneChoice[] } {
  const suggestedIds = countryTimeZones(country, at);
  const taken = new Set(suggestedIds);
  const others = [...new Set(TIME_ZONES.map(currentTimeZoneName))]
    .filter((id) => !taken.has(id))
    .sort((a, b) => offsetMinutes(a, at) - offsetMinutes(b, at) || a.localeCompare(b));
  return {
    suggested: suggestedIds.map((id) => ({ id, label: label(locale, id, at) })),
    others: others.map((id) => ({ id, label: label(locale, id, at) })),
  };
}
