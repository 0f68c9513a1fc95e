import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { DomainError } from '../../platform/errors.ts';
import { parseTypes } from './feed.ts';
import { decodeFeedCursor, encodeFeedCursor, FEED_START } from './feed-cursor.ts';

const refusal = (field: string, rule: string) => (error: unknown) =>
  error instanceof DomainError &&
  error.status === 400 &&
  error.code === 'invalid_parameter' &&
  error.fields.some((f) => f.field === field && f.rule === rule);

test('a cursor reads back as the position it was made from', () => {
  for (const at of [
    FEED_START,
    { xid: '741', seq: '12' },
    { xid: '18446744073709551615', seq: '9223372036854775807' },
  ]) {
    assert.deepEqual(decodeFeedCursor(encodeFeedCursor(at)), at);
  }
});

test('anything but a cursor this API wrote is refused with 400 naming `after`', () => {
  const good = encodeFeedCursor({ xid: '741', seq: '12' });
  const forged = (text: string) => Buffer.from(text).toString('base64url');
  const checked = (payload: string) =>
    forged(`${payload}.${createHash('sha256').update(payload).digest('hex').slice(0, 8)}`);
  const bad = [
    '',
    'tampered',
    `${good}x`,
    `${good}=`,
    good.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    forged('e1.741'),
    forged('e1.-1.12'),
    forged('e1.0741.12'),
    forged('e2.741.12'),
    forged('e1.741.12 '),
    forged('e1.741.12'),
    forged('e1.741.13.00000000'),
    checked('e1.18446744073709551616.1'),
    checked('e1.1.9223372036854775808'),
    checked('e1.0741.12'),
    forged('["2026-01-01T00:00:00Z","x"]'),
    'a'.repeat(500),
    '../../etc/passwd',
    'ZTEuNzQxLjEy\u0000',
  ];
  for (const text of bad) assert.throws(() => decodeFeedCursor(text), refusal('after', 'cursor'), text);
  // Every one-character edit of a real cursor is caught.
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < good.length; i++)
    for (const c of alphabet) {
      if (c === good[i]) continue;
      const edited = good.slice(0, i) + c + good.slice(i + 1);
      assert.throws(() => decodeFeedCursor(edited), refusal('after', 'cursor'), edited);
    }
  for (const c of alphabet) assert.throws(() => decodeFeedCursor(good + c), refusal('after', 'cursor'));
  // Not a secret: a position written with its check is one (the caller's scope decides what it reads).
  assert.deepEqual(decodeFeedCursor(checked('e1.5.6')), { xid: '5', seq: '6' });
});

test('types: known names filter, unknown ones are named, empty means every type', () => {
  assert.deepEqual(parseTypes('line.closed, order.created,line.closed'), ['line.closed', 'order.created']);
  assert.equal(parseTypes(undefined), null);
  assert.equal(parseTypes(' , '), null);
  assert.throws(
    () => parseTypes('order.created,order.nope'),
    (e: unknown) =>
      refusal('types', 'unknown_event_type')(e) &&
      (e as DomainError).fields.length === 1 &&
      (e as DomainError).fields[0]?.params?.value === 'order.nope',
  );
  // A flood of names is refused with a few of them, never echoed whole.
  const many = Array.from({ length: 200 }, (_, i) => `x.y${i}`).join(',');
  assert.throws(
    () => parseTypes(many),
    (e: unknown) => (e as DomainError).fields.length === 5,
  );
});
