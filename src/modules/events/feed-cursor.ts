import { createHash } from 'node:crypto';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import { CURSOR_MAX_LENGTH } from '../../platform/limits.ts';
import type { FeedPosition } from './feed-repository.ts';

/**
 * The feed's cursor: opaque to callers, a version, a feed position and a check inside. Anything that
 * does not decode to exactly what `encodeFeedCursor` writes is refused with 400 naming the parameter.
 * The check (32 bits of a SHA-256 of the rest) makes a cursor cut short, mistyped or edited fail
 * instead of reading from somewhere else; it is not a secret and need not be: a position grants
 * nothing, the caller's scope decides what it reads.
 */

const VERSION = 'e1';
const XID8_MAX = 2n ** 64n - 1n;
const BIGINT_MAX = 2n ** 63n - 1n;
const SHAPE = /^(e1\.(0|[1-9]\d{0,19})\.(0|[1-9]\d{0,18}))\.([0-9a-f]{8})$/;

function checkOf(payload: string): string {
  return createHash('sha256').update(payload).digest('hex').slice(0, 8);
}

/** Before the first event: where a reader without a cursor starts. */
export const FEED_START: FeedPosition = { xid: '0', seq: '0' };

export function encodeFeedCursor(at: FeedPosition): string {
  const payload = `${VERSION}.${at.xid}.${at.seq}`;
  return Buffer.from(`${payload}.${checkOf(payload)}`).toString('base64url');
}

/** A refusal of the feed's query string: 400, each parameter at fault named. */
export function invalidParameters(fields: FieldError[]): DomainError {
  return new DomainError('invalid_parameter', 400, {}, fields);
}

export function decodeFeedCursor(text: string, field = 'after'): FeedPosition {
  const refused = () => invalidParameters([{ field, rule: 'cursor' }]);
  if (text.length === 0 || text.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]+$/.test(text)) throw refused();
  const decoded = Buffer.from(text, 'base64url');
  // Base64url decoding forgives stray bits; only the exact encoding of what was decoded is ours.
  if (decoded.toString('base64url') !== text) throw refused();
  const match = SHAPE.exec(decoded.toString('latin1'));
  const [payload, xid, seq, check] = [match?.[1], match?.[2], match?.[3], match?.[4]];
  if (!payload || !xid || !seq || check !== checkOf(payload)) throw refused();
  if (BigInt(xid) > XID8_MAX || BigInt(seq) > BIGINT_MAX) throw refused();
  return { xid, seq };
}
