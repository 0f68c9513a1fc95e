import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { releaseAbandonedReservations } from '../../src/modules/service-setup/jobs.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { inRetriedTransaction } from '../../src/platform/transaction-retry.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';
import { type MappedSubscription, mappedSubscription } from '../support/mapped-subscription.ts';

/**
 * Issue 14, fault 5: saving a step raced Provision on PostgreSQL, and a provisioned, billing
 * subscription kept 48-hour reservations that the release job later deleted; deadlocks answered 500.
 * A race needs two connections, so this runs on PostgreSQL only (TEST_DATABASE_URL).
 */
const ROUNDS = 20;
const HOUR = 3_600_000;
const base = (id: string) => `/api/v1/subscriptions/${id}`;
const LOCATION = {
  name: 'Sede',
  country: 'IT',
  addressLine1: 'Via Roma 1',
  city: 'Milano',
  timeZone: 'Europe/Rome',
  language: 'it',
};

const engines = testEngines().filter((e) => e === 'postgres');

describe('saving setup steps while Provision runs', {
  skip: engines.length === 0 && 'needs TEST_DATABASE_URL',
}, () => {
  let h: Harness;
  let other: Awaited<ReturnType<Harness['sibling']>>;
  before(async () => {
    h = await startHarness('postgres');
    other = await h.sibling();
  });
  after(async () => {
    await other?.close();
    await h?.close();
  });

  const request = (m: MappedSubscription, method: string, path: string, body?: unknown) =>
    other.app.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${m.partner.apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  it(`${ROUNDS} rounds: a save lands before Provision and is permanent, or is refused with 409; never a 500; the job deletes nothing`, async () => {
    const provisioned: { m: MappedSubscription; sites: string[]; subdomain: string }[] = [];
    const outcomes = { saved: 0, refused: 0 };
    for (let round = 0; round < ROUNDS; round += 1) {
      const m = await mappedSubscription(h);
      const id = m.subscriptionId;
      const res = await h.api(m.partner, 'PUT', `${base(id)}/setup/meeting-sites`, {
        sites: [{ name: `first-${round}-${id.toLowerCase()}`, timeZone: 'UTC' }],
      });
      assert.equal(res.status, 200, await res.clone().text());
      assert.equal(
        (await h.api(m.partner, 'PUT', `${base(id)}/setup/calling-location`, LOCATION)).status,
        200,
      );
      assert.equal(
        (
          await h.api(m.partner, 'PUT', `${base(id)}/setup/enterprise-subdomain`, {
            subdomain: `sd-${id.toLowerCase()}`,
          })
        ).status,
        200,
      );
      const second = [`second-${round}-a-${id.toLowerCase()}`, `second-${round}-b-${id.toLowerCase()}`];
      const [save, location, subdomain, provision] = await Promise.all([
        h.api(m.partner, 'PUT', `${base(id)}/setup/meeting-sites`, {
          sites: second.map((name) => ({ name, timeZone: 'UTC', licenses: 25 })),
        }),
        h.api(m.partner, 'PUT', `${base(id)}/setup/calling-location`, { ...LOCATION, city: 'Roma' }),
        h.api(m.partner, 'PUT', `${base(id)}/setup/enterprise-subdomain`, {
          subdomain: `sd2-${id.toLowerCase()}`,
        }),
        request(m, 'POST', `${base(id)}/provision`),
      ]);
      assert.equal(provision.status, 200, await provision.clone().text());
      for (const r of [save, location, subdomain]) {
        assert.ok([200, 409].includes(r.status), `${r.status}: ${await r.clone().text()}`);
        if (r.status === 409)
          assert.equal(((await r.json()) as { code: string }).code, 'already_provisioned');
      }
      outcomes[save.status === 200 ? 'saved' : 'refused'] += 1;
      const sites = await h.db
        .selectFrom('meeting_sites')
        .select(['name', 'reserved_until'])
        .where('subscription_id', '=', id)
        .orderBy('position')
        .execute();
      assert.deepEqual(
        sites.map((s) => s.name),
        save.status === 200 ? second : [`first-${round}-${id.toLowerCase()}`],
        'a saved change happened before Provision',
      );
      assert.ok(
        sites.every((s) => s.reserved_until === null),
        'a provisioned setup holds its names for good',
      );
      const sd = await h.db
        .selectFrom('enterprise_subdomains')
        .select(['subdomain', 'reserved_until'])
        .where('subscription_id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(sd.reserved_until, null);
      assert.equal(
        sd.subdomain,
        subdomain.status === 200 ? `sd2-${id.toLowerCase()}` : `sd-${id.toLowerCase()}`,
      );
      provisioned.push({ m, sites: sites.map((s) => s.name), subdomain: sd.subdomain });
    }
    // Long after, the release job leaves every provisioned setup's names where they are.
    h.clock.set(new Date(h.clock.now().getTime() + 100 * HOUR));
    await releaseAbandonedReservations(h.ctx);
    for (const p of provisioned) {
      const names = await h.db
        .selectFrom('meeting_sites')
        .select('name')
        .where('subscription_id', '=', p.m.subscriptionId)
        .orderBy('position')
        .execute();
      assert.deepEqual(
        names.map((n) => n.name),
        p.sites,
      );
      const sd = await h.db
        .selectFrom('enterprise_subdomains')
        .select('subdomain')
        .where('subscription_id', '=', p.m.subscriptionId)
        .executeTakeFirst();
      assert.equal(sd?.subdomain, p.subdomain);
    }
    assert.equal(outcomes.saved + outcomes.refused, ROUNDS);
  });

  it('runs a transaction that lost a deadlock again, and answers 503 after the last attempt', async () => {
    const [a, b] = [await mappedSubscription(h), await mappedSubscription(h)];
    let bothHoldOne: () => void = () => undefined;
    const barrier = new Promise<void>((resolve) => {
      let waiting = 2;
      bothHoldOne = () => {
        waiting -= 1;
        if (waiting === 0) resolve();
      };
    });
    const attempts = { first: 0, second: 0 };
    // Each locks one subscription, waits until the other holds its own, then wants the other's: a
    // deadlock PostgreSQL breaks by rolling one back. That one runs again and then succeeds.
    const crossing = (ctx: Ctx, mine: string, theirs: string, counter: 'first' | 'second') =>
      inRetriedTransaction(ctx, async (tx) => {
        attempts[counter] += 1;
        await sql`select id from subscriptions where id = ${mine} for update`.execute(tx.db);
        if (attempts[counter] === 1) bothHoldOne();
        await barrier;
        await sql`select id from subscriptions where id = ${theirs} for update`.execute(tx.db);
      });
    await Promise.all([
      crossing(h.ctx, a.subscriptionId, b.subscriptionId, 'first'),
      crossing(other.rt.systemContext('test'), b.subscriptionId, a.subscriptionId, 'second'),
    ]);
    assert.equal(attempts.first + attempts.second, 3, 'one of the two ran again');

    const conflict = Object.assign(new Error('deadlock detected'), { code: '40P01' });
    let runs = 0;
    await assert.rejects(
      inRetriedTransaction(h.ctx, async () => {
        runs += 1;
        throw conflict;
      }),
      (e: unknown) => e instanceof DomainError && e.status === 503 && e.code === 'transaction_conflict',
    );
    assert.equal(runs, 3);
  });
});

// On PGlite (one session) there is no race to settle; the same saves still refuse after Provision.
for (const engine of testEngines().filter((e) => e === 'pglite')) {
  describe(`saves after Provision on ${engine}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h?.close());
    it('refuses each step with 409 already_provisioned', async () => {
      const m = await mappedSubscription(h);
      const id = m.subscriptionId;
      await h.api(m.partner, 'PUT', `${base(id)}/setup/meeting-sites`, {
        sites: [{ name: `p-${id.toLowerCase()}`, timeZone: 'UTC' }],
      });
      await h.api(m.partner, 'PUT', `${base(id)}/setup/calling-location`, LOCATION);
      await h.api(m.partner, 'PUT', `${base(id)}/setup/enterprise-subdomain`, {
        subdomain: `q-${id.toLowerCase()}`,
      });
      assert.equal((await h.api(m.partner, 'POST', `${base(id)}/provision`)).status, 200);
      for (const [path, body] of [
        ['meeting-sites', { sites: [{ name: `z-${id.toLowerCase()}`, timeZone: 'UTC' }] }],
        ['calling-location', LOCATION],
        ['enterprise-subdomain', { subdomain: `z-${id.toLowerCase()}` }],
      ] as const) {
        const res = await h.api(m.partner, 'PUT', `${base(id)}/setup/${path}`, body);
        assert.equal(res.status, 409);
        assert.equal(((await res.json()) as { code: string }).code, 'already_provisioned');
      }
    });
  });
}
