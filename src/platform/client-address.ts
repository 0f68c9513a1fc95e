import { isIPv4, isIPv6 } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';

/** The client of a request that came without a socket (`app.request()` in tests). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * Who is calling, as the sign-in limits count it (docs/adr/0007): the peer address of the socket.
 * With `trustProxy`, Provisio sits behind exactly one reverse proxy that appends the address it saw
 * to `X-Forwarded-For`: the last entry is that address (earlier ones are the caller's own claims
 * and are ignored). An IPv6 client is its /64 network, since one subscriber usually holds a whole
 * /64; an IPv4-mapped IPv6 address is the IPv4 address.
 */
export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',').pop()?.trim();
    const client = forwarded ? clientKey(forwarded) : undefined;
    if (client) return client;
  }
  // Requests served by @hono/node-server carry the socket in their bindings; app.request() has none.
  const bindings: unknown = c.env;
  const served =
    typeof bindings === 'object' && bindings !== null && ('incoming' in bindings || 'server' in bindings);
  if (!served) return UNKNOWN_CLIENT;
  const peer = getConnInfo(c).remote.address;
  return (peer && clientKey(peer)) || UNKNOWN_CLIENT;
}

/** The counted form of an IP address (see clientAddress), or undefined when it is not one. */
export function clientKey(address: string): string | undefined {
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return undefined;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  const groups = ipv6Groups(address);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : undefined;
}

/** The eight 16-bit groups of a valid IPv6 address, without leading zeros. */
function ipv6Groups(address: string): string[] | undefined {
  let text = address.split('%')[0] ?? '';
  // A trailing dotted quad (e.g. 64:ff9b::192.0.2.1) is two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    const hex = (hi = 0, lo = 0) => ((hi << 8) | lo).toString(16);
    text = `${text.slice(0, quad.index)}${hex(a, b)}:${hex(c, d)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.map((g) => Number.parseInt(g, 16).toString(16));
}
