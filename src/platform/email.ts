/**
 * Email address syntax as RFC 5321 allows it for a mailbox we will send to: a dot-atom local part
 * of at most 64 octets, a host name of LDH labels (each 1-63 octets, at least two labels, an
 * alphabetic or punycode top-level label) of at most 255 octets, and at most 254 octets in all
 * (the 256-octet path limit less its angle brackets). Quoted local parts and address literals are
 * legal but refused here: no provisioning mailbox needs them and many mail systems reject them.
 */
import { toAsciiDomain, toUnicodeDomain } from './domains.ts';
import { EMAIL_MAX_LENGTH } from './limits.ts';

const ATEXT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+$/;
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const TOP_LABEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

export function isValidEmailAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return false;
  const local = address.slice(0, at);
  // An internationalized domain (пример.рф) is checked, stored and sent as its punycode.
  const domain = toAsciiDomain(address.slice(at + 1)) ?? '';
  if (domain === '' || domain !== domain.trim()) return false;
  if (Buffer.byteLength(`${local}@${domain}`, 'utf8') > EMAIL_MAX_LENGTH) return false;
  if (Buffer.byteLength(local, 'utf8') > 64 || domain.length > 255) return false;
  if (!local.split('.').every((atom) => ATEXT.test(atom))) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  const top = labels[labels.length - 1] ?? '';
  return labels.every((label) => LABEL.test(label)) && TOP_LABEL.test(top);
}

/** The canonical form we store and compare: trimmed, lower-cased (domains are case-insensitive and
 * no mail system we deliver to treats local parts case-sensitively), the domain in punycode. */
export function normalizeEmail(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0) return trimmed;
  const domain = toAsciiDomain(trimmed.slice(at + 1));
  return domain === null ? trimmed : `${trimmed.slice(0, at)}@${domain}`;
}

/** A stored address as people read it: an internationalized domain in Unicode. */
export function displayEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return address;
  return `${address.slice(0, at)}@${toUnicodeDomain(address.slice(at + 1))}`;
}
