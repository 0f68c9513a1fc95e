import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { getHub } from '../../src/modules/hub/service.ts';
import { createInvitation } from '../../src/modules/identity/invitations.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { formPost, type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import {
  addSiteAndLocation,
  addUser,
  customerOrganization,
  mappedSubscription,
  markProvisioned,
} from '../support/hub-state.ts';

const PASSWORD = 'correct horse battery';

async function signIn(h: Harness, email: string, password = PASSWORD, next?: string) {
  const res = await h.app.request('/login', formPost({ email, password, ...(next ? { next } : {}) }));
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('provisio_session='));
  return { res, cookie: cookie?.split(';')[0] ?? '' };
}

const get = (h: Harness, path: string, cookie: string) =>
  h.app.request(path, { headers: { Cookie: cookie } });

for (const engine of testEngines()) {
  describe(`the admin hub (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let other: Tenant;
    let acme: Awaited<ReturnType<typeof customerOrganization>>;
    let globex: Awaited<ReturnType<typeof customerOrganization>>;
    let acmeSub: string;
    let acmeProvisioned: string;
    let globexSub: string;
    let ownSub: string;

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Northwind Partners');
      other = await h.tenant('partner', 'Southwind Partners');
      acme = await customerOrganization(h, 'Acme Kyiv', {
        email: 'boss@acme-kyiv.example',
        password: PASSWORD,
      });
      globex = await customerOrganization(h, 'Globex', { email: 'admin@globex.example', password: PASSWORD });
      await addUser(h, acme.orgId, 'staff@acme-kyiv.example', 'customer_user', PASSWORD);
      acmeSub = await mappedSubscription(h, partner, acme.orgId);
      await addSiteAndLocation(h, acmeSub, acme.orgId, 'acme-kyiv');
      acmeProvisioned = await mappedSubscription(h, partner, acme.orgId);
      await markProvisioned(h, acmeProvisioned);
      // The customer sets up alone: the other partner gets no access to Globex (W2).
      globexSub = await mappedSubscription(h, other, globex.orgId, {
        access: null,
        setupAssignee: 'customer',
      });
      ownSub = await mappedSubscription(h, partner, partner.orgId);
    });
    after(() => h.close());

    it('signs customer users in to the hub and keeps them out of the workspace', async () => {
      const customer = await signIn(h, 'boss@acme-kyiv.example');
      assert.equal(customer.res.status, 303);
      assert.equal(customer.res.headers.get('location'), '/hub');
      const asked = await signIn(h, 'boss@acme-kyiv.example', PASSWORD, '/orders');
      assert.equal(asked.res.headers.get('location'), '/hub');
      const toSetup = await signIn(h, 'boss@acme-kyiv.example', PASSWORD, `/hub/setups/${acmeSub}`);
      assert.equal(toSetup.res.headers.get('location'), `/hub/setups/${acmeSub}`);
      for (const path of [
        '/orders',
        '/subscriptions',
        '/transactions',
        '/support/cases',
        '/settings/api-keys',
      ]) {
        const res = await get(h, path, customer.cookie);
        assert.equal(res.status, 303, path);
        assert.equal(res.headers.get('location'), '/hub', path);
      }
      const hub = await (await get(h, '/hub', customer.cookie)).text();
      assert.match(hub, /<a href="\/hub" aria-current="page">Admin hub<\/a>/);
      assert.doesNotMatch(hub, /href="\/orders"/);
      const partnerSession = await signIn(h, partner.email, partner.password);
      assert.equal(partnerSession.res.headers.get('location'), '/orders');
      assert.match(await (await get(h, '/orders', partnerSession.cookie)).text(), /href="\/hub"/);
    });

    it("shows a customer admin its organization, users, subscriptions, sites and pending setups, and no one else's", async () => {
      const { cookie } = await signIn(h, 'boss@acme-kyiv.example');
      const res = await get(h, '/hub', cookie);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /Acme Kyiv/);
      assert.match(html, /<dd>Ukraine<\/dd>/);
      assert.match(html, /<dd>Retail<\/dd>/);
      assert.match(html, new RegExp(`${acme.domain} \\(verified\\)`));
      assert.match(
        html,
        /staff@acme-kyiv\.example<\/a><\/td><td><span class="badge badge-neutral">Customer user/,
      );
      assert.match(html, /2 users/);
      assert.match(html, /acme-kyiv \(Europe\/Kyiv, 50 licences\)/);
      assert.match(html, /Kyiv HQ \(Kyiv, Ukraine\) · main location/);
      assert.match(html, /Provisioned · billing since/);
      assert.match(html, new RegExp(`<a href="/hub/setups/${acmeSub}"[^>]*>Continue setup</a>`));
      assert.doesNotMatch(html, new RegExp(`/hub/setups/${acmeProvisioned}"`));
      assert.match(html, /1 subscription is mapped but not set up yet/);
      for (const hidden of [globexSub, ownSub, 'Globex', 'admin@globex.example']) {
        assert.doesNotMatch(html, new RegExp(hidden));
      }
      // The partners managing Acme, with the grant button for a provisioning admin.
      assert.match(html, /<strong>Northwind Partners<\/strong>: Provisioning admin/);
      assert.match(html, /Grant full admin/);
    });

    it('names a business vertical chosen in the wizard in words, not as its code', async () => {
      await h.db
        .updateTable('organizations')
        .set({ business_vertical: 'professional_services' })
        .where('id', '=', globex.orgId)
        .execute();
      const { cookie } = await signIn(h, 'admin@globex.example');
      const html = await (await get(h, '/hub', cookie)).text();
      assert.match(html, /<dd>Professional services<\/dd>/);
      assert.doesNotMatch(html, /professional_services/);
    });

    it('shows a partner the customers it manages and their pending setups, not customers that set up alone', async () => {
      const { cookie } = await signIn(h, partner.email, partner.password);
      const html = await (await get(h, '/hub', cookie)).text();
      assert.match(html, /Customers you manage/);
      assert.match(html, /<h3 id="customer-title-[^"]+">Acme Kyiv<\/h3>/);
      assert.match(html, /Provisioning admin/);
      assert.match(html, new RegExp(`href="/hub/setups/${acmeSub}"`));
      // An order for its own company is its own pending setup.
      assert.match(html, new RegExp(`href="/hub/setups/${ownSub}"`));
      // Customer users' addresses belong to the customer's admins.
      assert.doesNotMatch(html, /staff@acme-kyiv\.example/);
      const otherSession = await signIn(h, other.email, other.password);
      const otherHtml = await (await get(h, '/hub', otherSession.cookie)).text();
      assert.doesNotMatch(otherHtml, new RegExp(globexSub));
      assert.doesNotMatch(otherHtml, /Globex|Acme Kyiv/);
      assert.match(otherHtml, /You do not manage any customer organization yet/);
    });

    it('shows users who administer nothing only that their admins do', async () => {
      const staff = await signIn(h, 'staff@acme-kyiv.example');
      assert.equal(staff.res.headers.get('location'), '/hub');
      const html = await (await get(h, '/hub', staff.cookie)).text();
      assert.match(html, /Your organization&#39;s administrators manage it here/);
      assert.doesNotMatch(html, /boss@acme-kyiv\.example|Continue setup|Grant full admin/);
      assert.doesNotMatch(html, /<a href="\/hub"/);
    });

    it('requests full admin once, emails the customer admins, and lets only that customer grant it', async () => {
      const partnerSession = await signIn(h, partner.email, partner.password);
      const outbox = () =>
        h.db
          .selectFrom('outbox_emails')
          .select(['to_address as to', 'subject', 'text_body as text'])
          .where('kind', '=', 'hub.full_admin_request')
          .execute();
      // Another partner, or a customer id that is not managed: not found.
      const otherSession = await signIn(h, other.email, other.password);
      for (const [cookie, orgId] of [
        [otherSession.cookie, acme.orgId],
        [partnerSession.cookie, globex.orgId],
        [partnerSession.cookie, 'not-an-id'],
      ] as const) {
        const res = await h.app.request(
          `/hub/customers/${orgId}/request-full-admin`,
          formPost({ confirm: 'yes' }, { Cookie: cookie }),
        );
        assert.equal(res.status, 404);
      }
      assert.equal((await outbox()).length, 0);

      const first = await h.app.request(
        `/hub/customers/${acme.orgId}/request-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: partnerSession.cookie }),
      );
      assert.equal(first.status, 303);
      assert.equal(first.headers.get('location'), '/hub?done=requested#customers');
      const again = await h.app.request(
        `/hub/customers/${acme.orgId}/request-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: partnerSession.cookie }),
      );
      assert.equal(again.headers.get('location'), '/hub?done=already_requested#customers');
      const emails = await outbox();
      assert.equal(emails.length, 1);
      assert.equal(emails[0]?.to, 'boss@acme-kyiv.example');
      assert.match(
        emails[0]?.text ?? '',
        new RegExp(`${partner.email} of Northwind Partners asks to become a full admin of Acme Kyiv`),
      );
      assert.match(
        await (await get(h, '/hub?done=requested', partnerSession.cookie)).text(),
        /full admin requested on/,
      );

      // Globex's admin cannot grant on Acme's behalf; Acme's admin can, once.
      const globexSession = await signIn(h, 'admin@globex.example');
      const foreign = await h.app.request(
        `/hub/partners/${partner.orgId}/grant-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: globexSession.cookie }),
      );
      assert.equal(foreign.status, 404);
      const staff = await signIn(h, 'staff@acme-kyiv.example');
      const notAdmin = await h.app.request(
        `/hub/partners/${partner.orgId}/grant-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: staff.cookie }),
      );
      assert.equal(notAdmin.status, 404);
      const acmeSession = await signIn(h, 'boss@acme-kyiv.example');
      const granted = await h.app.request(
        `/hub/partners/${partner.orgId}/grant-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: acmeSession.cookie }),
      );
      assert.equal(granted.status, 303);
      const twice = await h.app.request(
        `/hub/partners/${partner.orgId}/grant-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: acmeSession.cookie }),
      );
      assert.equal(twice.status, 409);
      assert.match(await twice.text(), /already a full admin/);
      const relation = await h.db
        .selectFrom('managed_customers')
        .select('access')
        .where('customer_org_id', '=', acme.orgId)
        .executeTakeFirstOrThrow();
      assert.equal(relation.access, 'full_admin');
      const audit = await h.db
        .selectFrom('audit_events')
        .select(['action', 'actor_type'])
        .where('action', 'in', [
          'managed_customer.full_admin_requested',
          'managed_customer.full_admin_granted',
        ])
        .orderBy('action')
        .execute();
      assert.deepEqual(
        audit.map((a) => a.action),
        ['managed_customer.full_admin_granted', 'managed_customer.full_admin_requested'],
      );
      const after = await h.app.request(
        `/hub/customers/${acme.orgId}/request-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: partnerSession.cookie }),
      );
      assert.equal(after.status, 409);
    });
  });

  describe(`the admin hub's cost and partner users (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    it('reads a partner hub in the same number of queries however many customers it manages', async () => {
      const partner = await h.tenant('partner', 'Counting Partners');
      const user = await addUser(h, partner.orgId, 'user@counting.example', 'partner_user', PASSWORD);
      let queries = 0;
      const counted = h.db.withPlugin({
        transformQuery: (args) => {
          queries += 1;
          return args.node;
        },
        transformResult: async (args) => args.result,
      });
      const asAdmin = async () => {
        const admin = await identity.userByEmail(h.ctx, partner.email);
        const actor = {
          type: 'user' as const,
          userId: admin?.id ?? '',
          orgId: partner.orgId,
          orgKind: 'partner' as const,
          role: 'partner_admin' as const,
          email: partner.email,
        };
        queries = 0;
        const view = await getHub({ ...h.ctx, db: counted, actor });
        return { view, queries };
      };
      const first = await customerOrganization(h, 'First Customer', { email: 'a@first.example' });
      const firstSub = await mappedSubscription(h, partner, first.orgId);
      await addSiteAndLocation(h, firstSub, first.orgId, 'first-site');
      const one = await asAdmin();
      assert.equal(one.view.managedCustomers.length, 1);
      for (let i = 0; i < 4; i += 1) {
        const c = await customerOrganization(h, `More Customer ${i}`, { email: `a@more${i}.example` });
        for (let j = 0; j < 2; j += 1) {
          const sub = await mappedSubscription(h, partner, c.orgId);
          await addSiteAndLocation(h, sub, c.orgId, `more-${i}-${j}`);
        }
      }
      const many = await asAdmin();
      assert.equal(many.view.managedCustomers.length, 5);
      assert.equal(many.view.pendingSetups.length, 9);
      assert.equal(many.queries, one.queries);

      // A partner user sees the customers and pending setups, not the organization's users.
      const { cookie } = await signIn(h, user.email);
      const html = await (await get(h, '/hub', cookie)).text();
      assert.match(html, /More Customer 3/);
      assert.match(html, new RegExp(`href="/hub/setups/${firstSub}"`));
      assert.doesNotMatch(html, /Your organization<\/h2>|user@counting\.example<\/td>/);
    });
  });

  describe(`the admin hub's API (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    it('lists the customers a partner key manages and asks them for full admin', async () => {
      const partner = await h.tenant('partner', 'Api Partners');
      const stranger = await h.tenant('partner', 'Stranger Partners');
      const customer = await customerOrganization(h, 'Api Customer', { email: 'admin@api-customer.example' });
      const pending = await mappedSubscription(h, partner, customer.orgId);
      await addSiteAndLocation(h, pending, customer.orgId, 'api-site');
      const provisioned = await mappedSubscription(h, partner, customer.orgId);
      await markProvisioned(h, provisioned);
      const alone = await customerOrganization(h, 'Alone', { email: 'admin@alone.example' });
      await mappedSubscription(h, partner, alone.orgId, { access: null, setupAssignee: 'customer' });

      const res = await h.api(partner, 'GET', '/api/v1/hub/customers');
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        customers: {
          id: string;
          access: string;
          subscriptions: {
            id: string;
            state: string;
            setupUrl: string | null;
            meetingSites: { name: string }[];
          }[];
        }[];
      };
      assert.deepEqual(
        body.customers.map((c) => [c.id, c.access]),
        [[customer.orgId, 'provisioning_admin']],
      );
      const subs = new Map(body.customers[0]?.subscriptions.map((s) => [s.id, s]));
      assert.equal(subs.get(pending)?.setupUrl, `http://provisio.test/hub/setups/${pending}`);
      assert.deepEqual(
        subs.get(pending)?.meetingSites.map((s) => s.name),
        ['api-site'],
      );
      assert.equal(subs.get(provisioned)?.state, 'provisioned');
      assert.equal(subs.get(provisioned)?.setupUrl, null);
      assert.deepEqual(
        ((await (await h.api(stranger, 'GET', '/api/v1/hub/customers')).json()) as { customers: [] })
          .customers,
        [],
      );

      const path = `/api/v1/hub/customers/${customer.orgId}/full-admin-request`;
      assert.equal((await h.api(stranger, 'POST', path)).status, 404);
      assert.equal(
        (await h.api(partner, 'POST', `/api/v1/hub/customers/${alone.orgId}/full-admin-request`)).status,
        404,
      );
      const first = await h.api(partner, 'POST', path);
      assert.equal(first.status, 202);
      assert.deepEqual(await first.json(), { status: 'requested' });
      assert.deepEqual(await (await h.api(partner, 'POST', path)).json(), { status: 'already_requested' });
      const email = await h.db
        .selectFrom('outbox_emails')
        .select(['to_address', 'text_body'])
        .where('kind', '=', 'hub.full_admin_request')
        .executeTakeFirstOrThrow();
      assert.equal(email.to_address, 'admin@api-customer.example');
      assert.match(email.text_body, /^Api Partners asks to become a full admin of Api Customer\./);
    });
  });

  describe(`invitations (${engine})`, () => {
    let h: Harness;
    let org: Awaited<ReturnType<typeof customerOrganization>>;
    let subscriptionId: string;

    const invite = async (email: string, withSubscription = true) => {
      const user = await identity.createUser(h.ctx, {
        organizationId: org.orgId,
        email,
        role: 'customer_admin',
      });
      return createInvitation(h.ctx, {
        userId: user.id,
        organizationId: org.orgId,
        purpose: withSubscription ? 'set_up_services' : 'set_password',
        subscriptionId: withSubscription ? subscriptionId : null,
      });
    };
    const redeem = (token: string, password: string, confirmation = password) =>
      h.app.request(`/hub/invitations/${token}`, formPost({ password, confirmation }));

    before(async () => {
      h = await startHarness(engine);
      const partner = await h.tenant('partner', 'Invite Partners');
      org = await customerOrganization(h, 'Invited Co', {
        email: 'first@invited.example',
        password: PASSWORD,
      });
      subscriptionId = await mappedSubscription(h, partner, org.orgId, { setupAssignee: 'customer' });
    });
    after(() => h.close());

    it('sets a password, signs in and opens the service setup, once', async () => {
      const { token } = await invite('new-admin@invited.example');
      const page = await h.app.request(`/hub/invitations/${token}`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assert.match(await page.text(), /Choose a password for new-admin@invited\.example to continue/);

      const mismatch = await redeem(token, 'brand new secret', 'brand new secrets');
      assert.equal(mismatch.status, 422);
      assert.match(await mismatch.text(), /id="error-confirmation"[^>]*>Password again does not match/);
      const short = await redeem(token, 'short');
      assert.equal(short.status, 422);
      assert.match(await short.text(), /Password must be at least 10 characters long/);

      const done = await redeem(token, 'brand new secret');
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), `/hub/setups/${subscriptionId}`);
      const cookie = done.headers.getSetCookie().find((c) => c.startsWith('provisio_session='));
      assert.match(cookie ?? '', /HttpOnly/);
      const hub = await get(h, '/hub', cookie?.split(';')[0] ?? '');
      assert.equal(hub.status, 200);
      assert.match(await hub.text(), new RegExp(`href="/hub/setups/${subscriptionId}"`));
      // The new password signs in; the link is spent.
      assert.equal((await signIn(h, 'new-admin@invited.example', 'brand new secret')).res.status, 303);
      for (const res of [
        await h.app.request(`/hub/invitations/${token}`),
        await redeem(token, 'another secret'),
      ]) {
        assert.equal(res.status, 410);
        assert.match(await res.text(), /already used or has expired/);
      }
      assert.ok(!h.logs.join('').includes(token), 'the token never reaches the log');
      assert.match(h.logs.join(''), /\/hub\/invitations\/\[token\]/);
    });

    it("opens in the invitee's language unless this browser chose one", async () => {
      const user = await identity.createUser(h.ctx, {
        organizationId: org.orgId,
        email: 'italiano@invited.example',
        role: 'customer_admin',
        locale: 'it',
      });
      const { token } = await createInvitation(h.ctx, {
        userId: user.id,
        organizationId: org.orgId,
        purpose: 'set_password',
      });
      assert.match(await (await h.app.request(`/hub/invitations/${token}`)).text(), /Imposta la password/);
      const chosen = await h.app.request(`/hub/invitations/${token}`, {
        headers: { Cookie: 'provisio_lang=ru' },
      });
      assert.match(await chosen.text(), /Задайте пароль/);
    });

    it('answers unknown tokens with 404 and expired ones with 410', async () => {
      for (const token of ['x'.repeat(43), 'short', '..%2F..']) {
        assert.equal((await h.app.request(`/hub/invitations/${token}`)).status, 404, token);
      }
      const { token } = await invite('late@invited.example', false);
      h.clock.advance(7 * 24 * 3_600_000 + 1000);
      assert.equal((await h.app.request(`/hub/invitations/${token}`)).status, 410);
      const refused = await redeem(token, 'brand new secret');
      assert.equal(refused.status, 410);
      const user = await identity.userByEmail(h.ctx, 'late@invited.example');
      assert.equal(user?.password_hash, null);
    });

    it('sends a user who has a password to the sign-in page', async () => {
      const first = await identity.userByEmail(h.ctx, 'first@invited.example');
      const { token } = await createInvitation(h.ctx, {
        userId: first?.id ?? '',
        organizationId: org.orgId,
        purpose: 'set_up_services',
        subscriptionId,
      });
      const res = await h.app.request(`/hub/invitations/${token}`);
      assert.equal(res.status, 303);
      assert.equal(
        res.headers.get('location'),
        `/login?next=${encodeURIComponent(`/hub/setups/${subscriptionId}`)}`,
      );
      const post = await redeem(token, 'brand new secret');
      assert.equal(post.status, 303);
      assert.match(post.headers.get('location') ?? '', /^\/login\?next=/);
      assert.ok(post.headers.getSetCookie().every((c) => !c.startsWith('provisio_session=')));
    });

    it('lets one of two concurrent redemptions win', async () => {
      const { token } = await invite('racer@invited.example', false);
      const results = await Promise.all([
        redeem(token, 'first racer secret'),
        redeem(token, 'second racer secret'),
      ]);
      assert.deepEqual(results.map((r) => r.status).sort(), [303, 410]);
      const winner = results.findIndex((r) => r.status === 303);
      const password = winner === 0 ? 'first racer secret' : 'second racer secret';
      assert.equal(results[winner]?.headers.get('location'), '/hub');
      assert.equal((await signIn(h, 'racer@invited.example', password)).res.status, 303);
      const used = await h.db
        .selectFrom('user_invitations')
        .innerJoin('users', 'users.id', 'user_invitations.user_id')
        .select('user_invitations.used_at')
        .where('users.email', '=', 'racer@invited.example')
        .execute();
      assert.equal(used.length, 1);
      assert.ok(used[0]?.used_at);
    });
  });
}
