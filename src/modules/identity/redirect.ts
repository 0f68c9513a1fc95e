const FALLBACK = '/orders';
const BASE = 'http://provisio.invalid';

function isUnsafeCharacter(char: string): boolean {
  const code = char.charCodeAt(0);
  return char === '\\' || code <= 0x1f || code === 0x7f;
}

/** A path a browser reads as a path on this site, not as "//host" (protocol-relative) or "/\host". */
function isSiteLocalPath(target: string): boolean {
  return target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\');
}

/**
 * Where to send a user after signing in or changing language: only a path on this site. Browsers
 * drop tabs and newlines and treat backslashes as slashes, so "/\t/evil.example" would become
 * "//evil.example": anything with those characters goes to the order list.
 * So does anything whose resolved path starts with "//": "/.//evil.example", "/a/..//evil.example"
 * and "/%2e//evil.example" all resolve to "//evil.example", which a browser reads as another host.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !isSiteLocalPath(value) || [...value].some(isUnsafeCharacter))
    return FALLBACK;
  try {
    const url = new URL(value, BASE);
    if (url.origin !== BASE) return FALLBACK;
    const target = `${url.pathname}${url.search}${url.hash}`;
    // The target is sent as a Location header, where the browser resolves it once more.
    return isSiteLocalPath(target) && new URL(target, BASE).origin === BASE ? target : FALLBACK;
  } catch {
    return FALLBACK;
  }
}
