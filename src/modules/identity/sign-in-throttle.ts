/**
 * Slows password guessing: after MAX_FAILURES wrong passwords for one address within WINDOW_MS,
 * that address is refused until the window has passed. Kept in the process's memory, keyed by the
 * address's normalized form; several processes each count on their own, which still bounds guessing.
 */
const MAX_FAILURES = 5;
const WINDOW_MS = 15 * 60_000;
const MAX_TRACKED = 50_000;

const failures = new Map<string, { count: number; since: number }>();

export function isThrottled(email: string, now: number): boolean {
  const entry = failures.get(email);
  if (!entry) return false;
  if (now - entry.since > WINDOW_MS) {
    failures.delete(email);
    return false;
  }
  return entry.count >= MAX_FAILURES;
}

export function recordFailure(email: string, now: number): void {
  const entry = failures.get(email);
  if (!entry || now - entry.since > WINDOW_MS) {
    if (failures.size >= MAX_TRACKED) failures.clear();
    failures.set(email, { count: 1, since: now });
  } else {
    entry.count += 1;
  }
}

export function recordSuccess(email: string): void {
  failures.delete(email);
}

export const THROTTLE_WINDOW_MINUTES = WINDOW_MS / 60_000;
