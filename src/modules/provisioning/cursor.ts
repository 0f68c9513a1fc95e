import { validationFailed } from '../../platform/errors.ts';

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

/** A keyset position: newest first on (created_at, id). */
export interface Keyset {
  createdAt: Date;
  id: string;
}

// Rows are created "now": a date outside these bounds (or one PostgreSQL cannot hold) is forged.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export function encodeKeyset(at: Keyset): string {
  return Buffer.from(JSON.stringify([at.createdAt.toISOString(), at.id])).toString('base64url');
}

/** Reads a cursor back; anything tampered with is a 422 naming `cursor`. */
export function decodeKeyset(text: string, idPattern: RegExp): Keyset {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) throw new Error('bad cursor');
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !idPattern.test(id))
      throw new Error('bad cursor');
    const at = new Date(createdAt);
    const time = at.getTime();
    if (!(time >= EARLIEST && time <= LATEST)) throw new Error('bad cursor');
    return { createdAt: at, id };
  } catch {
    throw validationFailed([{ field: 'cursor', rule: 'cursor' }]);
  }
}
