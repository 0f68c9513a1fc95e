import { type RawBuilder, sql } from 'kysely';
import { validationFailed } from './errors.ts';

/**
 * A position in a newest-first list, keyset-paged on (created_at, id). The time is kept as PostgreSQL
 * holds it, to the microsecond: a JavaScript Date would drop the microseconds of rows written with
 * `now()`, and the next page would then skip or repeat the rows between the two.
 */
export interface Keyset {
  /** 'YYYY-MM-DDTHH:MM:SS.ffffffZ', read with `exactTime`. */
  createdAt: string;
  id: string;
}

/** A timestamptz column as the text a cursor holds. */
export function exactTime(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Strictly after the position in newest-first order; a row comparison, so the index reads one range. */
export function afterKeyset(after: Keyset, createdAt: string, id: string): RawBuilder<boolean> {
  return sql<boolean>`(${sql.ref(createdAt)}, ${sql.ref(id)}) < (${after.createdAt}::timestamptz, ${after.id})`;
}

// Rows are created "now": a date outside these bounds (or one PostgreSQL cannot hold) is forged.
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
// Milliseconds are accepted too: cursors handed out before they held microseconds.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

export function encodeKeyset(at: Keyset): string {
  return Buffer.from(JSON.stringify([at.createdAt, at.id])).toString('base64url');
}

/** Reads a cursor back; anything tampered with is a 422 naming `cursor`. */
export function decodeKeyset(text: string, idPattern: RegExp): Keyset {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) throw new Error('bad cursor');
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string' || !idPattern.test(id))
      throw new Error('bad cursor');
    const time = new Date(createdAt).getTime();
    if (!TIMESTAMP.test(createdAt) || !(time >= EARLIEST && time <= LATEST)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw validationFailed([{ field: 'cursor', rule: 'cursor' }]);
  }
}
