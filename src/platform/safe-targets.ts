import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { WEBHOOK_URL_MAX_LENGTH } from './limits.ts';

/**
 * Where Provisio may send a request a tenant chose the address of (webhooks, docs/adr/0031): never to
 * itself, its network, or a cloud's metadata service (server-side request forgery). A URL is checked
 * when it is registered and again before each connection, and the connection goes to the address that
 * was checked, so a name that resolves elsewhere a second later (DNS rebinding) gains nothing.
 */

/** Why a target is refused: each is a message-catalog key under `validation.`. */
export type TargetRule =
  | 'webhook_url_invalid'
  | 'webhook_url_https'
  | 'webhook_url_credentials'
  | 'webhook_url_private_target'
  | 'webhook_url_unresolvable';

/**
 * IPv4 ranges that are not the public internet: "this network", private (RFC 1918), carrier-grade NAT
 * (RFC 6598, which also holds Alibaba's metadata address), loopback, link-local (AWS, GCP and Azure
 * metadata at 169.254.169.254), IETF protocol assignments, documentation, the 6to4 relay, benchmarking,
 * multicast, reserved and broadcast.
 */
const IPV4_REFUSED: readonly [string, number][] = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];

/**
 * IPv6: only global unicast (2000::/3) may be reached, which leaves out the unspecified address,
 * loopback, IPv4-mapped and IPv4-compatible addresses, NAT64, unique-local (AWS's fd00:ec2::254
 * metadata), link-local, site-local and multicast; inside it, the IETF protocol assignments (Teredo
 * among them), documentation and 6to4, which can carry an IPv4 address that would otherwise be refused.
 */
const IPV6_GLOBAL: readonly [string, number] = ['2000::', 3];
const IPV6_REFUSED: readonly [string, number][] = [
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
];

function blockList(ranges: readonly (readonly [string, number])[], type: 'ipv4' | 'ipv6'): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of ranges) list.addSubnet(network, prefix, type);
  return list;
}

// Fixed rules, built once: constants, not state.
const refusedV4 = blockList(IPV4_REFUSED, 'ipv4');
const globalV6 = blockList([IPV6_GLOBAL], 'ipv6');
const refusedV6 = blockList(IPV6_REFUSED, 'ipv6');

/** True for an address a request may not go to (any address that is not a public one). */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return refusedV4.check(address, 'ipv4');
  if (family === 6) return !globalV6.check(address, 'ipv6') || refusedV6.check(address, 'ipv6');
  return true;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Name to addresses: `dns.lookup` (the system's resolver, /etc/hosts included); replaceable in tests. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

/** The host of a URL as a resolver or an address check takes it ("[::1]" → "::1"). */
export function hostOf(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

/**
 * What is wrong with a URL's form, if anything: absolute http(s) (https only in production), no
 * user name or password (they would sit in every log and screen that shows the URL), a host.
 */
export function urlShapeProblem(text: string, production: boolean): TargetRule | undefined {
  const parsed = parseTargetUrl(text, production);
  return parsed instanceof URL ? undefined : parsed;
}

function parseTargetUrl(text: string, production: boolean): URL | TargetRule {
  if (text.length > WEBHOOK_URL_MAX_LENGTH) return 'webhook_url_invalid';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'webhook_url_invalid';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'webhook_url_invalid';
  if (!url.hostname) return 'webhook_url_invalid';
  if (production && url.protocol !== 'https:') return 'webhook_url_https';
  if (url.username || url.password) return 'webhook_url_credentials';
  return url;
}

export interface TargetPolicy {
  production: boolean;
  /** WEBHOOK_ALLOW_PRIVATE_TARGETS: any address may be reached (development and tests). */
  allowPrivate: boolean;
  resolve: Resolver;
}

export type TargetCheck = { ok: true; url: URL; address: ResolvedAddress } | { ok: false; rule: TargetRule };

/**
 * Where a request to `text` may connect: the first address its host resolves to, when every address
 * it resolves to may be reached (a name with one private address among public ones is refused whole).
 */
export async function resolveTarget(text: string, policy: TargetPolicy): Promise<TargetCheck> {
  const url = parseTargetUrl(text, policy.production);
  if (!(url instanceof URL)) return { ok: false, rule: url };
  const host = hostOf(url);
  const literal = isIP(host);
  let addresses: ResolvedAddress[];
  if (literal) addresses = [{ address: host, family: literal === 6 ? 6 : 4 }];
  else {
    try {
      addresses = await policy.resolve(host);
    } catch {
      return { ok: false, rule: 'webhook_url_unresolvable' };
    }
  }
  const [first] = addresses;
  if (!first) return { ok: false, rule: 'webhook_url_unresolvable' };
  if (!policy.allowPrivate && addresses.some((a) => isRefusedAddress(a.address)))
    return { ok: false, rule: 'webhook_url_private_target' };
  return { ok: true, url, address: first };
}
