import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { releaseAbandonedReservations } from '../../src/modules/service-setup/jobs.ts';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { type MappedSubscription, mappedSubscription } from '../support/mapped-subscription.ts';

const HOUR = 3_600_000;
const base = (id: string) => `/api/v1/subscriptions/${id}`;
const LOCATION = {
  name: 'Sede di Milano',
  country: 'IT',
  addressLine1: 'Via Roma 1',
  city: 'Milano',
  postalCode: '20121',
  timeZone: 'Europe/Rome',
  language: 'it',
};

async function body<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Problem {
  code: string;
  errors?: { field: string; code: string; message: string }[];
}

for (const engine of testEngines()) {
  describe(`service setup (S1–S7) on ${engine}`, () => {
    let h: Harness;
    let n = 0;
    const unique = (prefix: string) => `${prefix}-${engine}-${++n}`;

    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    async function setUpEverything(
      m: MappedSubscription,
      sites = [{ name: unique('site'), timeZone: 'Europe/Rome' }],
    ) {
      const partner = m.partner;
      let res = await h.api(partner, 'PUT', `${base(m.subscriptionId)}/setup/meeting-sites`, { sites });
      assert.equal(res.status, 200, await res.clone().text());
      res = await h.api(partner, 'PUT', `${base(m.subscriptionId)}/setup/calling-location`, LOCATION);
      assert.equal(res.status, 200, await res.clone().text());
      res = await h.api(partner, 'PUT', `${base(m.subscriptionId)}/setup/enterprise-subdomain`, {
        subdomain: unique('sub'),
      });
      assert.equal(res.status, 200, await res.clone().text());
    }

    async function outbox(subscriptionId: string) {
      return h.db
        .selectFrom('outbox_emails')
        .select(['to_address', 'locale', 'subject'])
        .where('subject_ref', '=', subscriptionId)
        .where('kind', '=', 'setup.provisioned')
        .execute();
    }

    async function audits(subscriptionId: string, action: string) {
      const rows = await h.db
        .selectFrom('audit_events')
        .select('action')
        .where('entity_id', '=', subscriptionId)
        .where('action', '=', action)
        .execute();
      return rows.length;
    }

    it('lists only the steps of the ordered services and resumes at the first incomplete one', async () => {
      const m = await mappedSubscription(h, { quantity: 40 });
      let res = await h.api(m.partner, 'GET', `${base(m.subscriptionId)}/setup/services`);
      assert.equal(res.status, 200);
      let setup = await body<{ steps: string[]; next: string }>(res);
      assert.deepEqual(setup.steps, ['meetings', 'calling', 'enterprise']);
      assert.equal(setup.next, 'meetings');
      res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/meeting-sites`, {
        sites: [{ name: unique('one'), timeZone: 'Europe/Rome', earlyRelease: true }],
      });
      const saved = await body<{ next: string; sites: { licenses: number; earlyRelease: boolean }[] }>(res);
      assert.equal(saved.next, 'calling');
      assert.equal(saved.sites[0]?.licenses, 40, 'one site gets the whole quantity');
      assert.equal(saved.sites[0]?.earlyRelease, true);

      const meetingsOnly = await mappedSubscription(h, { offer: 'A-SPK', partner: m.partner });
      setup = await body(
        await h.api(m.partner, 'GET', `${base(meetingsOnly.subscriptionId)}/setup/services`),
      );
      assert.deepEqual(setup.steps, ['meetings', 'enterprise']);
    });

    it('refuses setup before mapping, hides other tenants’ subscriptions, forbids a partner the customer keeps out', async () => {
      const unmapped = await mappedSubscription(h, { map: false });
      let res = await h.api(unmapped.partner, 'GET', `${base(unmapped.subscriptionId)}/setup/services`);
      assert.equal(res.status, 409);
      assert.equal((await body<Problem>(res)).code, 'setup_not_mapped');

      const m = await mappedSubscription(h);
      const stranger: Tenant = await h.tenant('partner');
      for (const [method, path, payload] of [
        ['GET', `${base(m.subscriptionId)}/setup/services`, undefined],
        [
          'PUT',
          `${base(m.subscriptionId)}/setup/meeting-sites`,
          { sites: [{ name: 'stranger-site', timeZone: 'UTC' }] },
        ],
        ['PUT', `${base(m.subscriptionId)}/setup/calling-location`, LOCATION],
        ['PUT', `${base(m.subscriptionId)}/setup/enterprise-subdomain`, { subdomain: 'stranger' }],
        ['POST', `${base(m.subscriptionId)}/provision`, undefined],
        ['GET', `${base(m.subscriptionId)}/summary.pdf`, undefined],
      ] as const) {
        res = await h.api(stranger, method, path, payload);
        assert.equal(res.status, 404, `${method} ${path}`);
      }
      assert.equal(
        await h.db
          .selectFrom('meeting_sites')
          .select('name')
          .where('name', '=', 'stranger-site')
          .executeTakeFirst(),
        undefined,
      );

      const customerSetsUp = await mappedSubscription(h, { managed: false });
      res = await h.api(
        customerSetsUp.partner,
        'PUT',
        `${base(customerSetsUp.subscriptionId)}/setup/meeting-sites`,
        {
          sites: [{ name: unique('kept-out'), timeZone: 'UTC' }],
        },
      );
      assert.equal(res.status, 403);
    });

    it('checks site names and subdomains: DNS labels, unique across organizations, expired reservations free', async () => {
      const m = await mappedSubscription(h);
      const name = unique('taken');
      const check = async (n: string) =>
        body<{ available: boolean; reason: string | null }>(
          await h.api(m.partner, 'GET', `/api/v1/meeting-sites/availability?name=${encodeURIComponent(n)}`),
        );
      assert.deepEqual(await check('ab'), { available: false, reason: 'invalid' });
      assert.deepEqual(await check('-abc'), { available: false, reason: 'invalid' });
      assert.deepEqual(await check('Abc'), { available: false, reason: 'invalid' });
      assert.deepEqual(await check(name), { available: true, reason: null });
      await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/meeting-sites`, {
        sites: [{ name, timeZone: 'UTC' }],
      });
      assert.deepEqual(await check(name), { available: false, reason: 'taken' });

      const other = await mappedSubscription(h);
      let res = await h.api(other.partner, 'PUT', `${base(other.subscriptionId)}/setup/meeting-sites`, {
        sites: [{ name, timeZone: 'UTC' }],
      });
      assert.equal(res.status, 422);
      assert.deepEqual(
        (await body<Problem>(res)).errors?.map((e) => [e.field, e.code]),
        [['sites[0].name', 'services_site_name_taken']],
      );

      // 48 hours later the first reservation ran out: the name is free again, and the second setup takes it.
      h.clock.set(new Date(h.clock.now().getTime() + 49 * HOUR));
      assert.deepEqual(await check(name), { available: true, reason: null });
      res = await h.api(other.partner, 'PUT', `${base(other.subscriptionId)}/setup/meeting-sites`, {
        sites: [{ name, timeZone: 'UTC' }],
      });
      assert.equal(res.status, 200, await res.clone().text());

      const sub = unique('sd');
      res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/enterprise-subdomain`, {
        subdomain: sub,
      });
      assert.equal(res.status, 200);
      const subCheck = await body(
        await h.api(other.partner, 'GET', `/api/v1/enterprise-subdomains/availability?subdomain=${sub}`),
      );
      assert.deepEqual(subCheck, { available: false, reason: 'taken' });
      res = await h.api(other.partner, 'PUT', `${base(other.subscriptionId)}/setup/enterprise-subdomain`, {
        subdomain: sub,
      });
      assert.equal(res.status, 422);
      assert.equal((await body<Problem>(res)).errors?.[0]?.field, 'subdomain');
    });

    it('refuses bad sites and locations, naming the field, and writes nothing', async () => {
      const m = await mappedSubscription(h, { quantity: 30 });
      const put = (sites: unknown[]) =>
        h.api(
          m.partner,
          'PUT',
          `${base(m.subscriptionId)}/setup/meeting-sites`,
          { sites },
          { 'Accept-Language': 'it' },
        );
      let res = await put([
        { name: unique('a'), timeZone: 'Europe/Rome', licenses: 10 },
        { name: unique('b'), timeZone: 'Europe/Rome', licenses: 10 },
      ]);
      assert.equal(res.status, 422);
      let problem = await body<Problem>(res);
      assert.equal(problem.errors?.[0]?.field, 'sites');
      assert.equal(problem.errors?.[0]?.code, 'services_licences_sum');
      assert.match(problem.errors?.[0]?.message ?? '', /20.*30/);
      res = await put([
        { name: unique('c'), timeZone: 'Mars/Olympus', licenses: 15 },
        { name: 'bad_name', timeZone: 'UTC', licenses: 15 },
      ]);
      problem = await body<Problem>(res);
      assert.deepEqual(problem.errors?.map((e) => e.field).sort(), ['sites[0].timeZone', 'sites[1].name']);
      res = await put([
        { name: unique('d'), timeZone: 'Europe/Rome', licenses: 12 },
        { name: unique('e'), timeZone: 'America/Sao_Paulo', licenses: 18 },
      ]);
      assert.equal(res.status, 200);
      const sites = await h.db
        .selectFrom('meeting_sites')
        .select(['licenses'])
        .where('subscription_id', '=', m.subscriptionId)
        .orderBy('position')
        .execute();
      assert.deepEqual(
        sites.map((s) => s.licenses),
        [12, 18],
      );

      res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/calling-location`, {
        ...LOCATION,
        country: 'XX',
        language: 'tlh',
        city: ' ',
      });
      assert.equal(res.status, 422);
      problem = await body<Problem>(res);
      assert.deepEqual(problem.errors?.map((e) => e.field).sort(), ['city', 'country', 'language']);
      assert.equal(
        await h.db
          .selectFrom('calling_locations')
          .select('id')
          .where('subscription_id', '=', m.subscriptionId)
          .executeTakeFirst(),
        undefined,
      );
    });

    it('refuses NUL, half surrogate pairs, control characters and invisible-only text in every calling location field', async () => {
      const m = await mappedSubscription(h);
      const textFields = [
        'name',
        'addressLine1',
        'addressLine2',
        'city',
        'stateRegion',
        'postalCode',
      ] as const;
      const bad = [
        ['Mi\u0000lano', 'control_characters'],
        ['Mi\ud800lano', 'unpaired_surrogate'],
        ['Mi\u001blano', 'control_characters'],
        ['Mi\nlano', 'control_characters'],
        ['\u200b\u2060', 'invisible_only'],
      ] as const;
      for (const field of textFields) {
        for (const [value, rule] of bad) {
          const res = await h.api(
            m.partner,
            'PUT',
            `${base(m.subscriptionId)}/setup/calling-location`,
            { ...LOCATION, [field]: value },
            { 'Accept-Language': 'it' },
          );
          assert.equal(res.status, 422, `${field} ${JSON.stringify(value)}: ${await res.clone().text()}`);
          const problem = await body<Problem>(res);
          assert.deepEqual(
            problem.errors?.map((e) => [e.field, e.code]),
            [[field, rule]],
          );
          assert.ok(problem.errors?.[0]?.message.includes(field));
        }
      }
      for (const field of ['country', 'timeZone', 'language'] as const) {
        const res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/calling-location`, {
          ...LOCATION,
          [field]: 'I\u0000T\ud800',
        });
        assert.equal(res.status, 422, field);
        assert.equal((await body<Problem>(res)).errors?.[0]?.field, field);
      }
      assert.equal(
        await h.db
          .selectFrom('calling_locations')
          .select('id')
          .where('subscription_id', '=', m.subscriptionId)
          .executeTakeFirst(),
        undefined,
        'nothing written',
      );
    });

    it('provisions once: complete steps required, billing and emails once, reservations permanent, no changes after', async () => {
      const m = await mappedSubscription(h);
      let res = await h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`);
      assert.equal(res.status, 409);
      const problem = await body<Problem>(res);
      assert.equal(problem.code, 'services_setup_incomplete');
      assert.deepEqual(
        problem.errors?.map((e) => e.field),
        ['meetings', 'calling', 'enterprise'],
      );

      await setUpEverything(m);
      res = await h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`);
      assert.equal(res.status, 200, await res.clone().text());
      const first = await body<{
        billingStartedAt: string;
        billingStartReason: string;
        provisionedAt: string;
      }>(res);
      assert.equal(first.billingStartReason, 'provisioned');
      assert.equal(first.billingStartedAt, h.clock.now().toISOString());

      h.clock.set(new Date(h.clock.now().getTime() + HOUR));
      res = await h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`);
      assert.equal(res.status, 200);
      assert.deepEqual(await body(res), { subscriptionId: m.subscriptionId, ...first });

      const line = await h.db
        .selectFrom('order_lines')
        .select('status')
        .where('id', '=', m.lineId)
        .executeTakeFirstOrThrow();
      assert.equal(line.status, 'provisioned');
      assert.equal(await audits(m.subscriptionId, 'subscription.provisioned'), 1);
      assert.equal(await audits(m.subscriptionId, 'subscription.billing_started'), 1);
      const emails = await outbox(m.subscriptionId);
      assert.deepEqual(
        emails.map((e) => e.to_address).sort(),
        [m.customerAdmin.email, m.partner.email].sort(),
      );
      const held = await h.db
        .selectFrom('meeting_sites')
        .select('reserved_until')
        .where('subscription_id', '=', m.subscriptionId)
        .execute();
      assert.ok(held.every((s) => s.reserved_until === null));

      res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/calling-location`, LOCATION);
      assert.equal(res.status, 409);
      assert.equal((await body<Problem>(res)).code, 'already_provisioned');
      // Long after, the job leaves a provisioned setup's names alone.
      h.clock.set(new Date(h.clock.now().getTime() + 100 * HOUR));
      await releaseAbandonedReservations(h.ctx);
      assert.equal(
        (
          await h.db
            .selectFrom('meeting_sites')
            .select('name')
            .where('subscription_id', '=', m.subscriptionId)
            .execute()
        ).length,
        1,
      );
    });

    it('keeps the billing start of a line the policy window already closed', async () => {
      const m = await mappedSubscription(h, { closedByPolicy: true });
      const before = await h.db
        .selectFrom('subscriptions')
        .select(['billing_started_at', 'billing_start_reason'])
        .where('id', '=', m.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.equal(before.billing_start_reason, 'policy');
      await setUpEverything(m);
      h.clock.set(new Date(h.clock.now().getTime() + 5 * 24 * HOUR));
      const res = await h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`);
      assert.equal(res.status, 200, await res.clone().text());
      const result = await body<{ billingStartedAt: string; billingStartReason: string }>(res);
      assert.equal(result.billingStartReason, 'policy');
      assert.equal(result.billingStartedAt, before.billing_started_at?.toISOString());
      assert.equal(
        await audits(m.subscriptionId, 'subscription.billing_started'),
        1,
        'only the policy window’s',
      );
      const line = await h.db
        .selectFrom('order_lines')
        .select('status')
        .where('id', '=', m.lineId)
        .executeTakeFirstOrThrow();
      assert.equal(line.status, 'provisioned');
    });

    it('settles races: two presses bill and email once, two saves of one name leave one winner', async () => {
      const m = await mappedSubscription(h);
      await setUpEverything(m);
      const other = await h.sibling();
      try {
        const responses = await Promise.all([
          h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`),
          other.app.request(`${base(m.subscriptionId)}/provision`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${m.partner.apiKey}` },
          }),
        ]);
        assert.deepEqual(
          responses.map((r) => r.status),
          [200, 200],
        );
        const [a, b] = await Promise.all(responses.map((r) => r.json()));
        assert.deepEqual(a, b);
        assert.equal(await audits(m.subscriptionId, 'subscription.billing_started'), 1);
        assert.equal((await outbox(m.subscriptionId)).length, 2);

        const one = await mappedSubscription(h);
        const two = await mappedSubscription(h);
        const name = unique('race');
        const saves = await Promise.all([
          h.api(one.partner, 'PUT', `${base(one.subscriptionId)}/setup/meeting-sites`, {
            sites: [{ name, timeZone: 'UTC' }],
          }),
          other.app.request(`${base(two.subscriptionId)}/setup/meeting-sites`, {
            method: 'PUT',
            headers: { Authorization: `Bearer ${two.partner.apiKey}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ sites: [{ name, timeZone: 'UTC' }] }),
          }),
        ]);
        assert.deepEqual(saves.map((r) => r.status).sort(), [200, 422]);
        const loser = saves.find((r) => r.status === 422);
        assert.equal((await body<Problem>(loser as Response)).errors?.[0]?.field, 'sites[0].name');
        assert.equal(
          (await h.db.selectFrom('meeting_sites').select('id').where('name', '=', name).execute()).length,
          1,
        );
      } finally {
        await other.close();
      }
    });

    it('releases abandoned reservations when they run out', async () => {
      const m = await mappedSubscription(h);
      await setUpEverything(m);
      h.clock.set(new Date(h.clock.now().getTime() + 47 * HOUR));
      await releaseAbandonedReservations(h.ctx);
      assert.equal(
        (
          await h.db
            .selectFrom('meeting_sites')
            .select('id')
            .where('subscription_id', '=', m.subscriptionId)
            .execute()
        ).length,
        1,
      );
      h.clock.set(new Date(h.clock.now().getTime() + 2 * HOUR));
      const released = await releaseAbandonedReservations(h.ctx);
      assert.ok(released.sites >= 1 && released.subdomains >= 1);
      assert.equal(
        (
          await h.db
            .selectFrom('meeting_sites')
            .select('id')
            .where('subscription_id', '=', m.subscriptionId)
            .execute()
        ).length,
        0,
      );
      assert.equal(
        await h.db
          .selectFrom('enterprise_subdomains')
          .select('subdomain')
          .where('subscription_id', '=', m.subscriptionId)
          .executeTakeFirst(),
        undefined,
      );
      const setup = await body<{ next: string }>(
        await h.api(m.partner, 'GET', `${base(m.subscriptionId)}/setup/services`),
      );
      assert.equal(setup.next, 'meetings', 'the setup resumes where its reservations were lost');
      assert.equal(await audits(m.subscriptionId, 'setup.reservations_released'), 1);
    });

    it('serves the setup pages to who may set up: sign-in first, 404 for another tenant, field errors on 422', async () => {
      const m = await mappedSubscription(h, { quantity: 20 });
      const url = `/hub/setups/${m.subscriptionId}`;
      let res = await h.app.request(url);
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /^\/login\?next=/);
      const stranger = await h.tenant('partner');
      res = await h.app.request(url, { headers: { Cookie: await h.signIn(stranger) } });
      assert.equal(res.status, 404);
      const cookie = await h.signIn(m.partner);
      res = await h.app.request(url, { headers: { Cookie: cookie } });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /href="\/hub"/, 'Set up later goes back to the hub');
      assert.match(html, new RegExp(`href="${url}\\?step=meetings"`));
      res = await h.app.request(`${url}/site-name-check?name_0=ab`, { headers: { Cookie: cookie } });
      assert.match(await res.text(), /3 to 63 lowercase letters/);
      res = await h.app.request(`${url}/meetings`, {
        ...formPost({
          count: '2',
          name_0: 'pages-one',
          tz_0: 'UTC',
          licences_0: '5',
          name_1: 'pages-two',
          tz_1: 'UTC',
          licences_1: '5',
          action: 'next',
        }),
        headers: { ...formPost({}).headers, Cookie: cookie },
      });
      assert.equal(res.status, 422);
      assert.match(await res.text(), /the licences add up to 10, but 20 were ordered/);
      res = await h.app.request(`${url}/meetings`, {
        ...formPost({ count: '1', name_0: 'pages-one', tz_0: 'UTC', action: 'next' }),
        headers: { ...formPost({}).headers, Cookie: cookie },
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${url}?step=calling`);
    });

    it('writes the order summary PDF in the reader’s language, Cyrillic included', async () => {
      const m = await mappedSubscription(h, { customerName: 'ТОВ «Ромашка»' });
      await setUpEverything(m, [{ name: unique('kyiv'), timeZone: 'Europe/Kyiv' }]);
      assert.equal((await h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`)).status, 200);
      for (const [lang, labels] of [
        ['uk', ['Підсумок замовлення', 'Організація клієнта', 'Піддомен підприємства']],
        ['it', ['Riepilogo ordine', 'Organizzazione cliente', 'Sottodominio aziendale']],
      ] as const) {
        const res = await h.api(m.partner, 'GET', `${base(m.subscriptionId)}/summary.pdf`, undefined, {
          'Accept-Language': lang,
        });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), 'application/pdf');
        const pdf = Buffer.from(await res.arrayBuffer());
        assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
        const text = execFileSync('pdftotext', ['-', '-'], { input: pdf }).toString('utf8');
        for (const label of labels) assert.ok(text.includes(label), `${lang}: ${label} in\n${text}`);
        assert.ok(text.includes('ТОВ «Ромашка»'));
        assert.ok(text.includes(m.subscriptionId));
      }
    });
  });
}
