/**
 * A message that ends with a value ending in a period ("… contact ACME S.r.l.") would otherwise
 * read "S.r.l.."; the message's own period is dropped there. An ellipsis ("…" or "...") is kept.
 */
export function oneFinalPeriod(text: string): string {
  return text.replace(/(?<!\.)\.\.(?!\.)/g, '.');
}
