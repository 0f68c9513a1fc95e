const FALLBACK = '/orders';
const BASE = 'http://provisio.invalid';

function isUnsafeCharacter(char: string): boolean {
  const code = char.charCodeAt(0);
  return char === '\\' || code <= 0x1f || code === 0x7f;
}

/**
 * Where to send a user after signing in: only a path on this site. Browsers drop tabs and newlines
 * and treat backslashes as slashes, so "/\t/evil.example" would become "//evil.example": anything
 * with those characters, or resolving to another origin, goes to the order list instead.
 */
export function safeNext(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || [...value].some(isUnsafeCharacter))
    return FALLBACK;
  try {
    const url = new URL(value, BASE);
    return url.origin === BASE ? `${url.pathname}${url.search}${url.hash}` : FALLBACK;
  } catch {
    return FALLBACK;
  }
}
