import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS, verdict } from './schedule.ts';

const now = new Date('2026-12-01T00:00:00Z');
const after = (v: ReturnType<typeof verdict>) =>
  v.kind === 'retry' ? (v.at.getTime() - now.getTime()) / 1000 : NaN;

describe('the retry schedule', () => {
  it('delivers on 2xx only; a redirect, a 4xx, a 5xx and no answer are retried', () => {
    assert.equal(verdict({ statusCode: 200 }, 1, now).kind, 'delivered');
    assert.equal(verdict({ statusCode: 204 }, 1, now).kind, 'delivered');
    for (const statusCode of [301, 302, 400, 404, 429, 500, 503, null])
      assert.equal(verdict({ statusCode }, 1, now).kind, 'retry', String(statusCode));
    assert.equal(verdict({ statusCode: 410 }, 1, now).kind, 'gone');
  });

  it('waits about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, 10 h, then fails', () => {
    assert.deepEqual(RETRY_DELAYS_SECONDS, [5, 300, 1800, 7200, 18000, 36000, 36000, 36000]);
    RETRY_DELAYS_SECONDS.forEach((delay, i) => {
      assert.equal(after(verdict({ statusCode: 500 }, i + 1, now, () => 0.5)), delay);
      const low = after(verdict({ statusCode: 500 }, i + 1, now, () => 0));
      const high = after(verdict({ statusCode: 500 }, i + 1, now, () => 0.999999));
      assert.ok(low >= delay * 0.9 - 0.001 && high <= delay * 1.1 + 0.001, `jitter of retry ${i + 1}`);
    });
    assert.equal(MAX_ATTEMPTS, 9);
    assert.equal(verdict({ statusCode: 500 }, MAX_ATTEMPTS, now).kind, 'failed');
  });

  it('never comes back sooner than Retry-After', () => {
    assert.equal(after(verdict({ statusCode: 429, retryAfterSeconds: 120 }, 1, now, () => 0.5)), 120);
    assert.equal(after(verdict({ statusCode: 503, retryAfterSeconds: 1 }, 2, now, () => 0.5)), 300);
  });
});
