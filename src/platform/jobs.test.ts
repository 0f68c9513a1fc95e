import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { DEFAULT_EXPIRE_IN_SECONDS, DEFAULT_RETRY, defineJob } from './jobs.ts';

const payload = z.object({ id: z.string() });
const handler = async () => undefined;

describe('defineJob', () => {
  it('fills in the default policy, which keeps the 2-minute promise for a killed worker', () => {
    const job = defineJob({ name: 'orders.example', payload, handler });
    assert.deepEqual(job.retry, DEFAULT_RETRY);
    assert.equal(job.expireInSeconds, DEFAULT_EXPIRE_IN_SECONDS);
    // expiry + two maintenance intervals + the longest first retry delay + one poll (ADR 0008)
    assert.ok(job.expireInSeconds + 2 * 10 + 2 * job.retry.delaySeconds + 2 <= 120);
    const custom = defineJob({
      name: 'orders.other',
      payload,
      retry: { limit: 1 },
      expireInSeconds: 30,
      handler,
    });
    assert.deepEqual(custom.retry, { ...DEFAULT_RETRY, limit: 1 });
  });

  it('refuses names and policies pg-boss would not honour', () => {
    for (const name of ['purge', 'Identity.purge', 'identity purge', 'identity.', '.purge']) {
      assert.throws(() => defineJob({ name, payload, handler }), /job name/, name);
    }
    assert.throws(() => defineJob({ name: 'a.b', payload, expireInSeconds: 1, handler }), /expireInSeconds/);
    assert.throws(
      () => defineJob({ name: 'a.b', payload, expireInSeconds: 86_400, handler }),
      /expireInSeconds/,
    );
    assert.throws(() => defineJob({ name: 'a.b', payload, retry: { limit: -1 }, handler }), /retry.limit/);
    assert.throws(
      () => defineJob({ name: 'a.b', payload, retry: { delaySeconds: 0 }, handler }),
      /delaySeconds/,
    );
  });
});
