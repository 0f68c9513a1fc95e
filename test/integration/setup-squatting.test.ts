import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { releaseAbandonedReservations } from '../../src/modules/service-setup/jobs.ts';
import { checkSiteNameAvailability } from '../../src/modules/service-setup/services.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { type Harness, orderBody, startHarness, testEngines } from '../support/harness.ts';
import { mappedSubscription } from '../support/mapped-subscription.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

/**
 * Name squatting (issue 14, fault 9): organizations created, names checked and names reserved are
 * rate-limited per organization and per setup link (429 + Retry-After, in the caller's language), a
 * setup holds at most MAX_SITES site names and one subdomain, and renewing never holds a name past
 * SETUP_RESERVATION_MAX_DAYS from its first reservation. Small limits here; the defaults are in config.ts.
 */
const LIMITS = {
  SETUP_ORGANIZATIONS_PER_HOUR: '3',
  SETUP_NAME_CHECKS_PER_HOUR: '5',
  SETUP_NAMES_RESERVED_PER_HOUR: '4',
  SETUP_RESERVATION_MAX_DAYS: '7',
};
const HOUR = 3_600_000;
const base = (id: string) => `/api/v1/subscriptions/${id}`;

interface Problem {
  code: string;
  status: number;
  detail: string;
  errors?: { field: string; code: string; message: string }[];
}

for (const engine of testEngines()) {
  describe(`name squatting limits on ${engine}`, () => {
    let h: Harness;
    const unique = (prefix: string) => `${prefix}-${engine.slice(0, 2)}-${randomBytes(3).toString('hex')}`;
    before(async () => {
      h = await startHarness(engine, LIMITS);
    });
    after(() => h?.close());

    async function refusedWith(res: Response, code: string): Promise<Problem> {
      assert.equal(res.status, 429, await res.clone().text());
      const problem = (await res.json()) as Problem;
      assert.equal(problem.code, code);
      const retryAfter = Number(res.headers.get('retry-after'));
      assert.ok(
        Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 3600,
        `Retry-After ${retryAfter}`,
      );
      return problem;
    }

    it('refuses the organization beyond the hourly limit of one partner, creating nothing, until the hour has passed', async () => {
      const partner = await h.tenant('partner');
      const start = h.clock.now().toISOString().slice(0, 10);
      const orders: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const res = await h.api(
          partner,
          'POST',
          '/api/v1/orders',
          orderBody(
            {},
            { requestedStartDate: start, provisioningContactEmail: `it@${unique('org')}.example` },
          ),
        );
        assert.equal(res.status, 201, await res.clone().text());
        orders.push(
          ((await res.json()) as { lines: { subscriptionId: string }[] }).lines[0]?.subscriptionId ?? '',
        );
      }
      await dispatchAt(h, h.clock.now());
      const map = (subscriptionId: string) =>
        h.api(
          partner,
          'POST',
          `${base(subscriptionId)}/setup/mapping`,
          {
            role: 'my_company',
            setupBy: 'self',
            customer: {
              create: { name: `Squat ${unique('n')}`, businessVertical: 'technology', country: 'IT' },
            },
          },
          { 'Accept-Language': 'it' },
        );
      const organizations = async () =>
        Number(
          (
            await h.db
              .selectFrom('organizations')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      for (const id of orders.slice(0, 3)) assert.equal((await map(id ?? '')).status, 200);
      const before = await organizations();
      const problem = await refusedWith(await map(orders[3] ?? ''), 'setup_organizations_rate_limited');
      assert.match(problem.detail, /al massimo 3 organizzazioni all’ora.*riprova tra \d+ minut/);
      assert.equal(await organizations(), before, 'nothing created');
      const other = await h.tenant('partner');
      assert.notEqual(other.orgId, partner.orgId);
      h.clock.set(new Date(h.clock.now().getTime() + HOUR + 1000));
      assert.equal((await map(orders[3] ?? '')).status, 200, 'a new hour, a new allowance');
    });

    it('limits availability checks per organization and per setup link, each its own budget', async () => {
      const a = await h.tenant('partner');
      const b = await h.tenant('partner');
      const check = (tenant: typeof a, lang = 'en') =>
        h.api(tenant, 'GET', `/api/v1/meeting-sites/availability?name=${unique('chk')}`, undefined, {
          'Accept-Language': lang,
        });
      for (let i = 0; i < 5; i += 1) assert.equal((await check(a)).status, 200);
      const ru = await refusedWith(await check(a, 'ru'), 'setup_name_checks_rate_limited');
      assert.match(ru.detail, /не более 5 имён.*через \d+ минут/);
      assert.equal((await check(b)).status, 200, 'another partner is not held back');
      // At once, as a script would: exactly the allowance passes, on any number of connections.
      const c = await h.tenant('partner');
      const burst = await Promise.all(Array.from({ length: 9 }, () => check(c)));
      assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 429, 429, 429, 429]);
      const sub = await h.api(
        a,
        'GET',
        `/api/v1/enterprise-subdomains/availability?subdomain=${unique('s')}`,
      );
      await refusedWith(sub, 'setup_name_checks_rate_limited');

      const link: Ctx = {
        ...h.ctx,
        actor: {
          type: 'setup_link',
          linkId: randomBytes(8).toString('hex'),
          lineId: '',
          subscriptionId: '',
          email: 'x@y.example',
        },
      };
      for (let i = 0; i < 5; i += 1) await checkSiteNameAvailability(link, unique('lnk'));
      await assert.rejects(checkSiteNameAvailability(link, unique('lnk')), (e: unknown) => {
        assert.ok(e instanceof DomainError);
        assert.equal(e.code, 'setup_name_checks_rate_limited');
        assert.equal(e.status, 429);
        return true;
      });
    });

    it('limits names newly reserved per hour (renewals are free), and a setup holds at most 10 sites and one subdomain', async () => {
      const m = await mappedSubscription(h, { quantity: 30 });
      const [n1, n2, n3, n4] = [unique('r1'), unique('r2'), unique('r3'), unique('r4')];
      const sites = (names: string[]) => ({
        sites: names.map((name) => ({ name, timeZone: 'UTC', licenses: 30 / names.length })),
      });
      const put = (names: string[]) =>
        h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/meeting-sites`, sites(names));
      assert.equal((await put([n1, n2, n3])).status, 200);
      assert.equal((await put([n1, n2, n3])).status, 200, 'saving the same names again reserves nothing new');
      const sd = unique('sd');
      let res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/enterprise-subdomain`, {
        subdomain: sd,
      });
      assert.equal(res.status, 200);
      await refusedWith(await put([n1, n2, n4]), 'setup_reservations_rate_limited');
      const held = await h.db
        .selectFrom('meeting_sites')
        .select('name')
        .where('subscription_id', '=', m.subscriptionId)
        .orderBy('position')
        .execute();
      assert.deepEqual(
        held.map((s) => s.name),
        [n1, n2, n3],
        'the refused save changed nothing',
      );

      h.clock.set(new Date(h.clock.now().getTime() + HOUR + 1000));
      assert.equal((await put([n1, n2, n4])).status, 200);
      // The cap: a save replaces the setup's sites, so the names it drops are free again at once.
      const free = await h.api(m.partner, 'GET', `/api/v1/meeting-sites/availability?name=${n3}`);
      assert.deepEqual(await free.json(), { available: true, reason: null });
      res = await put(Array.from({ length: 11 }, (_, i) => `${n1}-${i}`));
      assert.equal(res.status, 422);
      const sd2 = unique('sd');
      res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/enterprise-subdomain`, {
        subdomain: sd2,
      });
      assert.equal(res.status, 200);
      const subdomains = await h.db
        .selectFrom('enterprise_subdomains')
        .select('subdomain')
        .where('subscription_id', '=', m.subscriptionId)
        .execute();
      assert.deepEqual(
        subdomains.map((s) => s.subdomain),
        [sd2],
        'one subdomain per setup: the new one replaced the old',
      );
    });

    it('never renews a name past its maximum lifetime: refused after 7 days, released by the job, free for others', async () => {
      const m = await mappedSubscription(h);
      const site = unique('life');
      const sd = unique('lifesd');
      const put = () =>
        h.api(
          m.partner,
          'PUT',
          `${base(m.subscriptionId)}/setup/meeting-sites`,
          { sites: [{ name: site, timeZone: 'UTC' }] },
          { 'Accept-Language': 'uk' },
        );
      const putSubdomain = () =>
        h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/enterprise-subdomain`, { subdomain: sd });
      const first = h.clock.now();
      assert.equal((await put()).status, 200);
      assert.equal((await putSubdomain()).status, 200);
      // Renewed every 47 hours (a reservation lasts 48): held, but never past 7 days from the first.
      for (let i = 1; i <= 3; i += 1) {
        h.clock.set(new Date(first.getTime() + i * 47 * HOUR));
        assert.equal((await put()).status, 200, `renewal ${i}`);
        assert.equal((await putSubdomain()).status, 200, `subdomain renewal ${i}`);
      }
      const row = await h.db
        .selectFrom('meeting_sites')
        .select('reserved_until')
        .where('name', '=', site)
        .executeTakeFirstOrThrow();
      assert.equal(row.reserved_until?.getTime(), first.getTime() + 7 * 24 * HOUR);

      h.clock.set(new Date(first.getTime() + 7 * 24 * HOUR + 60_000));
      let res = await put();
      assert.equal(res.status, 422);
      const problem = (await res.json()) as Problem;
      assert.deepEqual(
        problem.errors?.map((e) => [e.field, e.code]),
        [['sites[0].name', 'services_reservation_lifetime_over']],
      );
      assert.match(problem.errors?.[0]?.message ?? '', /7 днів/);
      res = await putSubdomain();
      assert.equal(res.status, 422);
      assert.equal(((await res.json()) as Problem).errors?.[0]?.field, 'subdomain');

      const released = await releaseAbandonedReservations(h.ctx);
      assert.ok(released.sites >= 1 && released.subdomains >= 1);
      assert.equal(
        await h.db.selectFrom('meeting_sites').select('id').where('name', '=', site).executeTakeFirst(),
        undefined,
      );
      assert.equal((await put()).status, 422, 'letting the name lapse does not start its lifetime again');
      const other = await mappedSubscription(h);
      res = await h.api(other.partner, 'PUT', `${base(other.subscriptionId)}/setup/meeting-sites`, {
        sites: [{ name: site, timeZone: 'UTC' }],
      });
      assert.equal(res.status, 200, 'the released name is free for another setup');
    });
  });
}
