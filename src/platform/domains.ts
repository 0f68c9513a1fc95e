import { createRequire } from 'node:module';
import { domainToASCII, domainToUnicode } from 'node:url';
import { getDomain, getPublicSuffix } from 'tldts';

/**
 * Domains as matching needs them (W3). "The domain" of an address is its registrable domain under
 * the Public Suffix List, private suffixes included (tldts): `mail.acme.co.uk` is `acme.co.uk`,
 * `team.github.io` stays itself. Free-mail providers (free-email-domains) and bare public suffixes
 * never match anyone. Internationalized names are kept as punycode and shown in Unicode.
 */

// The list ships as a JSON array; required rather than imported so no import attribute is needed.
const FREE_MAIL = new Set<string>(createRequire(import.meta.url)('free-email-domains') as string[]);

const ASCII = /^[\x20-\x7e]*$/;

/** A host name in its stored form: lower-case punycode. Null when it is not a valid name. */
export function toAsciiDomain(host: string): string | null {
  const trimmed = host.trim();
  if (trimmed === '') return null;
  if (ASCII.test(trimmed)) return trimmed.toLowerCase();
  const ascii = domainToASCII(trimmed);
  return ascii === '' ? null : ascii;
}

/** A stored (punycode) host name as people read it. */
export function toUnicodeDomain(host: string): string {
  if (!host.includes('xn--')) return host;
  return domainToUnicode(host) || host;
}

/** The registrable domain of a host, or null for a public suffix or something that is no host name. */
export function registrableDomain(host: string): string | null {
  const ascii = toAsciiDomain(host);
  if (!ascii) return null;
  return getDomain(ascii, { allowPrivateDomains: true, validateHostname: true });
}

/** A mailbox provider anyone can sign up with: its addresses say nothing about an organization. */
export function isFreeMailDomain(host: string): boolean {
  const ascii = toAsciiDomain(host);
  if (!ascii) return false;
  const registrable = getDomain(ascii, { allowPrivateDomains: true });
  return FREE_MAIL.has(ascii) || (registrable !== null && FREE_MAIL.has(registrable));
}

/** The host part of an address (after the last @), as written. */
export function emailHost(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** A public suffix itself (`co.uk`, `github.io`): no organization's domain, never matched. */
export function isPublicSuffix(host: string): boolean {
  const ascii = toAsciiDomain(host);
  if (!ascii) return false;
  return getPublicSuffix(ascii, { allowPrivateDomains: true }) === ascii.replace(/\.$/, '');
}
