import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkSiteNameAvailability } from '../../src/modules/service-setup/services.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import type { Actor, Ctx } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';

/**
 * Edges of the setup's rate limits (docs/adr/0026): a new link for the same setup (a resend ends the
 * old one) does not start a new budget, and a request whose clock reading is a moment older than the
 * one that opened the window (it was read first, or on another process) is counted in that window
 * instead of starting it again.
 */
const LIMITS = { SETUP_NAME_CHECKS_PER_HOUR: '5' };

const rateLimited = (e: unknown) => {
  assert.ok(e instanceof DomainError, String(e));
  assert.equal(e.code, 'setup_name_checks_rate_limited');
  assert.equal(e.status, 429);
  return true;
};

for (const engine of testEngines()) {
  describe(`setup rate limit edges on ${engine}`, () => {
    let h: Harness;
    const unique = (prefix: string) => `${prefix}-${engine.slice(0, 2)}-${randomBytes(3).toString('hex')}`;
    before(async () => {
      h = await startHarness(engine, LIMITS);
    });
    after(() => h?.close());

    const linkActor = (subscriptionId: string): Actor => ({
      type: 'setup_link',
      linkId: randomBytes(8).toString('hex'),
      lineId: randomBytes(8).toString('hex'),
      subscriptionId,
      email: 'x@y.example',
    });

    it('a new link for the same setup keeps the spent budget', async () => {
      const subscriptionId = unique('sub');
      const first: Ctx = { ...h.ctx, actor: linkActor(subscriptionId) };
      for (let i = 0; i < 5; i += 1) await checkSiteNameAvailability(first, unique('a'));
      await assert.rejects(checkSiteNameAvailability(first, unique('a')), rateLimited);
      // The partner resends the email: a new link, the same subscription.
      const resent: Ctx = { ...h.ctx, actor: linkActor(subscriptionId) };
      await assert.rejects(checkSiteNameAvailability(resent, unique('b')), rateLimited);
    });

    it('a request read a second before the window opened is counted in it, not a new window', async () => {
      const actor = linkActor(unique('sub'));
      const at = (ms: number): Ctx => ({
        ...h.ctx,
        actor,
        clock: new ManualClock(new Date(h.clock.now().getTime() + ms)),
      });
      for (let i = 0; i < 5; i += 1) await checkSiteNameAvailability(at(1000), unique('c'));
      await assert.rejects(checkSiteNameAvailability(at(0), unique('c')), rateLimited);
      await assert.rejects(checkSiteNameAvailability(at(2000), unique('c')), rateLimited);
    });
  });
}
