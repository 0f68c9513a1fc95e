import type { Locale } from './i18n.ts';
import { countryName } from './regions.ts';

/**
 * A postal address written the way its country's post reads it (after Google's libaddressinput
 * formats): the order of street, postal code, city and region differs ("Springfield, IL 62701",
 * "20121 Milano (MI)", "São Paulo-SP" then "01310-100", the postal code last in Russia and
 * Ukraine). The country's name, in the reader's language, is always the last line.
 */
export interface PostalAddress {
  addressLine1: string;
  addressLine2?: string | null | undefined;
  postalCode?: string | null | undefined;
  city: string;
  stateRegion?: string | null | undefined;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

interface Parts {
  city: string;
  region: string;
  postal: string;
}

type Layout = (p: Parts) => string[];

const words = (...parts: string[]) => parts.filter(Boolean).join(' ');

/** Postal code before the city, region left out (most of continental Europe). */
const postalCity: Layout = (p) => [words(p.postal, p.city)];
/** City, region and postal code on one line (North America, Australia). */
const cityRegionPostal: Layout = (p) => [words(p.city, p.region, p.postal)];
/** City, region and postal code on lines of their own, the postal code last (Russia, Ukraine, the UK). */
const linesPostalLast: Layout = (p) => [p.city, p.region, p.postal];

const LAYOUTS: Record<string, Layout> = {
  US: (p) => [words(p.city && (p.region || p.postal) ? `${p.city},` : p.city, p.region, p.postal)],
  CA: cityRegionPostal,
  AU: cityRegionPostal,
  GB: (p) => [p.city, p.postal],
  IE: linesPostalLast,
  IT: (p) => [words(p.postal, p.city, p.region ? `(${p.region})` : '')],
  BR: (p) => [p.city && p.region ? `${p.city}-${p.region}` : p.city || p.region, p.postal],
  RU: linesPostalLast,
  UA: linesPostalLast,
  BY: linesPostalLast,
  KZ: linesPostalLast,
  ES: (p) => [words(p.postal, p.city), p.region],
  MX: (p) => [words(p.postal, p.city), p.region],
  PT: postalCity,
  DE: postalCity,
  AT: postalCity,
  CH: postalCity,
  FR: postalCity,
  BE: postalCity,
  NL: postalCity,
  PL: postalCity,
  SE: postalCity,
  DK: postalCity,
  NO: postalCity,
  FI: postalCity,
};

/** Postal code before the city, the region on its own line when there is one. */
const DEFAULT_LAYOUT: Layout = (p) => [words(p.postal, p.city), p.region];

/** The address's lines, empty ones left out, the country's name last. */
export function addressLines(locale: Locale, a: PostalAddress): string[] {
  const country = a.country.toUpperCase();
  const layout = LAYOUTS[country] ?? DEFAULT_LAYOUT;
  const parts: Parts = {
    city: a.city.trim(),
    region: a.stateRegion?.trim() ?? '',
    postal: a.postalCode?.trim() ?? '',
  };
  return [
    a.addressLine1.trim(),
    a.addressLine2?.trim() ?? '',
    ...layout(parts),
    countryName(locale, country),
  ].filter((line) => line.length > 0);
}
