/** Subscription ids as Provisio hands them out (`SUB-10000001`). */
export const SUBSCRIPTION_ID = /^SUB-\d{1,18}$/;

/**
 * The subscription id a search text names, typed in any case and with spaces around; null when it
 * cannot be one (ids are matched whole, on their b-tree index, never by part).
 */
export function subscriptionIdOf(text: string): string | null {
  const id = text.trim().toUpperCase();
  return SUBSCRIPTION_ID.test(id) ? id : null;
}
