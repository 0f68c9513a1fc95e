import type { Locale } from './i18n.ts';

/**
 * Countries and regions (ISO 3166-1 alpha-2, the 249 assigned codes) with names in the reader's
 * language from the runtime's ICU data (Intl.DisplayNames), and IANA time zones (Intl): no list of
 * names to translate or keep up to date by hand.
 */

const CODES =
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW';
export const COUNTRY_CODES: readonly string[] = CODES.split(' ');
const KNOWN_COUNTRIES = new Set(COUNTRY_CODES);

export function isCountryCode(value: string): boolean {
  return KNOWN_COUNTRIES.has(value);
}

const namers = new Map<Locale, Intl.DisplayNames>();

/** A country's name in the locale's language ("Німеччина" for DE in Ukrainian). */
export function countryName(locale: Locale, code: string): string {
  let namer = namers.get(locale);
  if (!namer) {
    namer = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
    namers.set(locale, namer);
  }
  return namer.of(code) ?? code;
}

const sortedOptions = new Map<Locale, { code: string; name: string }[]>();

/** Every country, sorted by its name in the locale's collation: what a country picker offers. */
export function countryOptions(locale: Locale): { code: string; name: string }[] {
  let options = sortedOptions.get(locale);
  if (!options) {
    const collator = new Intl.Collator(locale);
    options = COUNTRY_CODES.map((code) => ({ code, name: countryName(locale, code) })).sort((a, b) =>
      collator.compare(a.name, b.name),
    );
    sortedOptions.set(locale, options);
  }
  return options;
}

/** IANA zone names the runtime knows, plus UTC (Intl lists only geographic zones). */
export const TIME_ZONES: readonly string[] = ['UTC', ...Intl.supportedValuesOf('timeZone')];
const KNOWN_ZONES = new Set(TIME_ZONES);

const AREA_ZONE = /^[A-Z][A-Za-z]+(?:\/[A-Za-z0-9_+-]+){1,2}$/;

/**
 * A zone the runtime (and PostgreSQL, with the same tz database) can compute with: a listed name,
 * or an Area/Location alias ICU accepts (Intl lists Europe/Kiev, yet Europe/Kyiv is the current name).
 */
export function isTimeZone(value: string): boolean {
  if (KNOWN_ZONES.has(value)) return true;
  if (!AREA_ZONE.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
