/**
 * When a delivery is attempted again (docs/adr/0031): about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h and
 * 10 h after each failure (a day and a half of attempts), each ±10 % so that deliveries that failed
 * together do not come back together, and never sooner than the receiver's Retry-After. After the
 * ninth attempt the delivery has failed.
 */
export const RETRY_DELAYS_SECONDS = [5, 300, 1800, 7200, 18_000, 36_000, 36_000, 36_000] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
const JITTER = 0.1;

/** An endpoint whose every attempt has failed this long is disabled. */
export const FAILING_DAYS_BEFORE_DISABLED = 5;
/** How long one attempt may take, connection to the last byte of the answer. */
export const ATTEMPT_TIMEOUT_MS = 15_000;

export type AttemptVerdict =
  | { kind: 'delivered' }
  /** 410 Gone: the receiver says the endpoint is no more; it is disabled at once. */
  | { kind: 'gone' }
  | { kind: 'retry'; at: Date }
  | { kind: 'failed' };

/**
 * What an attempt's answer means for its delivery: only 2xx delivers (a redirect is a failure: it is
 * never followed); `attempts` counts this round's attempts, this one included.
 */
export function verdict(
  answer: { statusCode: number | null; retryAfterSeconds?: number | undefined },
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): AttemptVerdict {
  const status = answer.statusCode;
  if (status !== null && status >= 200 && status < 300) return { kind: 'delivered' };
  if (status === 410) return { kind: 'gone' };
  const delay = RETRY_DELAYS_SECONDS[attempts - 1];
  if (delay === undefined) return { kind: 'failed' };
  const jittered = delay * (1 - JITTER + 2 * JITTER * random());
  const seconds = Math.max(jittered, answer.retryAfterSeconds ?? 0);
  return { kind: 'retry', at: new Date(now.getTime() + Math.round(seconds * 1000)) };
}
