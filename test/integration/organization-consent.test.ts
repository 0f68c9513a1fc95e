import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decideJoinRequest } from '../../src/modules/onboarding/consent-decisions.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import type { Ctx, Role } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import type { ProblemBody } from '../../src/platform/http.ts';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  TODAY,
  testEngines,
} from '../support/harness.ts';
import { addUser, customerOrganization, mappedSubscription } from '../support/hub-state.ts';

/**
 * Fault 1 and 2 of issue 14: a setup link or a partner key could join any organization found by
 * domain, and name an existing customer's admin to reach it. Now the organization's admins decide.
 */

const LINK = /http:\/\/provisio\.test(\/setup\/[A-Za-z0-9_-]{43})/;
const PASSWORD = 'correct horse battery';

for (const engine of testEngines()) {
  describe(`consent across organizations (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let victim: Tenant;
    let victimDomain: string;
    let day = 0;
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Ordering Partner');
      victim = await h.tenant('partner', 'Victim Partner');
      victimDomain = victim.email.split('@')[1] ?? '';
      // The victim's admin reads Italian: the request reaches them in Italian.
      await h.db.updateTable('users').set({ locale: 'it' }).where('email', '=', victim.email).execute();
    });
    after(() => h?.close());

    const unique = () => randomBytes(3).toString('hex');
    const outbox = (to: string) =>
      h.db
        .selectFrom('outbox_emails')
        .select(['kind', 'subject', 'text_body', 'locale'])
        .where('to_address', '=', to)
        .orderBy('created_at')
        .execute();
    const mappedAt = async (subscriptionId: string) =>
      (
        await h.db
          .selectFrom('subscriptions')
          .select('mapped_at')
          .where('id', '=', subscriptionId)
          .executeTakeFirstOrThrow()
      ).mapped_at;
    const userOf = (email: string) =>
      h.db
        .selectFrom('users')
        .select(['organization_id', 'role'])
        .where('email', '=', email)
        .executeTakeFirst();
    const signInAs = (email: string) => h.signIn({ orgId: '', apiKey: '', email, password: PASSWORD });
    const userCtx = async (email: string): Promise<Ctx> => {
      const u = await h.db
        .selectFrom('users')
        .innerJoin('organizations as o', 'o.id', 'users.organization_id')
        .select(['users.id', 'users.organization_id', 'users.role', 'o.kind'])
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      return {
        ...h.ctx,
        actor: {
          type: 'user',
          userId: u.id,
          orgId: u.organization_id,
          orgKind: u.kind,
          role: u.role as Role,
          email,
        },
      };
    };

    /** A started order for `contact`; its setup link path, order and line. */
    async function order(contact: string) {
      day += 1;
      const start = `2026-12-${String(day).padStart(2, '0')}`;
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: contact, requestedStartDate: start }),
      );
      assert.equal(res.status, 201);
      const body = (await res.json()) as { id: string; lines: { id: string; subscriptionId: string }[] };
      h.clock.set(new Date(`${start}T09:00:00Z`));
      await dispatchDueLines(h.ctx);
      const mail = (await outbox(contact)).at(-1);
      const path = mail?.text_body.match(LINK)?.[1];
      assert.ok(path);
      const line = body.lines[0];
      assert.ok(line);
      return { path, orderId: body.id, lineId: line.id, subscriptionId: line.subscriptionId };
    }

    const reviewForm = (fields: Record<string, string>) =>
      formPost({
        step: 'review',
        nav: 'next',
        role: 'customer',
        setupBy: 'self',
        customerPick: 'create',
        customerName: `New Customer ${unique()}`,
        customerVertical: 'technology',
        customerCountry: 'IT',
        ...fields,
      });

    it('a link holder who picks another partner found by search gets nothing until its admin approves', async () => {
      const u = unique();
      const contact = `intruder@evil-${u}.example`;
      const o = await order(contact);
      const res = await h.app.request(
        o.path,
        reviewForm({
          partnerPick: victim.orgId,
          partnerSearched: victimDomain,
          adminEmail: `boss@nc-${u}.example`,
        }),
      );
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /Awaiting organization approval/);
      assert.match(html, /Victim Partner/);
      assert.match(html, /contact your representative and do not continue/);
      // No membership, no login, no mapping: nothing to sign in with, nothing of the victim's to see.
      assert.equal(await userOf(contact), undefined);
      assert.equal(await mappedAt(o.subscriptionId), null);
      assert.equal((await h.db.selectFrom('user_invitations').selectAll().execute()).length, 0);
      assert.equal(res.headers.get('Location'), null);
      // The link shows the wait, again and again.
      assert.match(await (await h.app.request(o.path)).text(), /Awaiting organization approval/);

      // The victim's admin hears of it, in Italian, by email and in the hub.
      const [mail] = await outbox(victim.email);
      assert.equal(mail?.kind, 'consent.request');
      assert.equal(mail?.locale, 'it');
      assert.match(mail?.subject ?? '', /è necessaria la tua approvazione/);
      assert.match(mail?.text_body ?? '', new RegExp(`${contact} ha scelto la tua organizzazione`));
      const adminCookie = await h.signIn(victim);
      const hub = await (await h.app.request('/hub', { headers: { Cookie: adminCookie } })).text();
      assert.match(hub, /id="requests"/);
      const requestId = hub.match(/\/hub\/requests\/([0-9a-f-]{36})\/approve/)?.[1];
      assert.ok(requestId);

      // Nobody else decides: not a plain user of the organization, not the ordering partner.
      await addUser(h, victim.orgId, `staff-${u}@${victimDomain}`, 'partner_user', PASSWORD);
      const staff = await signInAs(`staff-${u}@${victimDomain}`);
      const orderer = await h.signIn(partner);
      for (const cookie of [staff, orderer]) {
        const r = await h.app.request(`/hub/requests/${requestId}/approve`, formPost({}, { Cookie: cookie }));
        assert.equal(r.status, 404);
      }
      assert.equal(await mappedAt(o.subscriptionId), null);

      const approved = await h.app.request(
        `/hub/requests/${requestId}/approve`,
        formPost({}, { Cookie: adminCookie }),
      );
      assert.equal(approved.status, 303);
      assert.equal(approved.headers.get('Location'), '/hub?done=approved#requests');
      // Completed exactly as chosen: a partner user (not an admin), the subscription mapped.
      assert.deepEqual(await userOf(contact), { organization_id: victim.orgId, role: 'partner_user' });
      assert.notEqual(await mappedAt(o.subscriptionId), null);
      const kinds = (await outbox(contact)).map((m) => m.kind);
      assert.ok(kinds.includes('setup.set_password'), kinds.join());
      assert.ok(kinds.includes('consent.approved'), kinds.join());
      const again = await h.app.request(
        `/hub/requests/${requestId}/refuse`,
        formPost({}, { Cookie: adminCookie }),
      );
      assert.equal(again.headers.get('Location'), '/hub?done=decided#requests');
    });

    it('a refusal leaves the link usable and says what to do next', async () => {
      const u = unique();
      const contact = `someone@other-${u}.example`;
      const o = await order(contact);
      const waiting = await h.app.request(
        o.path,
        reviewForm({
          partnerPick: victim.orgId,
          partnerSearched: victimDomain,
          adminEmail: `boss@nc-${u}.example`,
        }),
      );
      assert.match(await waiting.text(), /Awaiting organization approval/);
      const request = await h.db
        .selectFrom('organization_join_requests')
        .select('id')
        .where('subscription_id', '=', o.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.equal(await decideJoinRequest(await userCtx(victim.email), request.id, 'refuse'), 'refused');
      assert.equal(await userOf(contact), undefined);
      const refused = (await outbox(contact)).at(-1);
      assert.equal(refused?.kind, 'consent.refused');
      assert.match(refused?.text_body ?? '', /choose or create another organization/);
      const page = await (await h.app.request(o.path)).text();
      assert.match(page, /refused the request\. Choose or create another organization with this same link/);
      // The same link completes with a new organization.
      const done = await h.app.request(
        o.path,
        reviewForm({
          partnerPick: 'create',
          partnerName: `Own Partner ${u}`,
          partnerVertical: 'technology',
          partnerCountry: 'IT',
          adminEmail: `boss@nc2-${u}.example`,
        }),
      );
      // After Confirm, a page says what is now set up and offers the next action (ADR 0038).
      assert.equal(done.status, 200);
      assert.match(await done.text(), /is now set up for/);
      assert.notEqual(await mappedAt(o.subscriptionId), null);
    });

    it('the contact may withdraw a pending request from the link and choose again', async () => {
      const u = unique();
      const o = await order(`w@wd-${u}.example`);
      await h.app.request(
        o.path,
        reviewForm({
          partnerPick: victim.orgId,
          partnerSearched: victimDomain,
          adminEmail: `boss@nc-${u}.example`,
        }),
      );
      const back = await h.app.request(o.path, formPost({ nav: 'withdraw' }));
      assert.equal(back.status, 200);
      assert.match(await back.text(), /was withdrawn/);
      const status = await h.db
        .selectFrom('organization_join_requests')
        .select('status')
        .where('subscription_id', '=', o.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.equal(status.status, 'withdrawn');
    });

    it('through the API: an existing customer found by search waits (202), then approval maps it', async () => {
      const u = unique();
      const customer = await customerOrganization(h, `Known Customer ${u}`, {
        email: `owner@kc-${u}.example`,
        password: PASSWORD,
        locale: 'uk',
      });
      const o = await order(partner.email);
      const newAdmin = `new.admin@${customer.domain}`;
      const body = {
        role: 'customer',
        setupBy: 'self',
        partner: { organizationId: partner.orgId },
        customerAdminEmail: newAdmin,
        customer: { organizationId: customer.orgId, searchedDomain: customer.domain },
      };
      const res = await h.api(
        partner,
        'POST',
        `/api/v1/subscriptions/${o.subscriptionId}/setup/mapping`,
        body,
      );
      assert.equal(res.status, 202, await res.clone().text());
      const waiting = (await res.json()) as { next: string; organizationName: string; requestId: string };
      assert.equal(waiting.next, 'awaiting_approval');
      assert.equal(waiting.organizationName, `Known Customer ${u}`);
      const twice = await h.api(
        partner,
        'POST',
        `/api/v1/subscriptions/${o.subscriptionId}/setup/mapping`,
        body,
      );
      assert.equal(twice.status, 409);
      assert.equal(((await twice.json()) as ProblemBody).code, 'organization_approval_pending');
      // No access to the customer before approval.
      assert.equal(await userOf(newAdmin), undefined);
      const none = await h.db
        .selectFrom('managed_customers')
        .selectAll()
        .where('customer_org_id', '=', customer.orgId)
        .execute();
      assert.deepEqual(none, []);
      const setup = (await (
        await h.api(partner, 'GET', `/api/v1/subscriptions/${o.subscriptionId}/setup`)
      ).json()) as { mapping: unknown; organizationApproval: { status: string; organizationName: string } };
      assert.equal(setup.mapping, null);
      assert.deepEqual(
        [setup.organizationApproval.status, setup.organizationApproval.organizationName],
        ['pending', `Known Customer ${u}`],
      );
      // The partner sees the waiting state on the order line, the Subscriptions page and the
      // Transaction Manager (a resend is still allowed: nothing is mapped).
      const resend = await h.api(
        partner,
        'POST',
        `/api/v1/orders/${o.orderId}/lines/${o.lineId}/provisioning-email/resend`,
      );
      assert.equal(resend.status, 202, await resend.clone().text());
      const cookie = await h.signIn(partner);
      // One badge for the stage, the organization beside it, on every page that shows the line.
      const awaiting = new RegExp(`badge-info">Awaiting organization approval</span> Known Customer ${u}`);
      for (const page of [
        `/orders/${o.orderId}`,
        '/subscriptions',
        `/transactions?subscriptionId=${o.subscriptionId}`,
      ]) {
        const html = await (await h.app.request(page, { headers: { Cookie: cookie } })).text();
        assert.match(html, awaiting, page);
      }
      const [mail] = await outbox(`owner@kc-${u}.example`);
      assert.equal(mail?.locale, 'uk');
      assert.match(mail?.subject ?? '', /потрібне ваше схвалення/);

      assert.equal(
        await decideJoinRequest(await userCtx(`owner@kc-${u}.example`), waiting.requestId, 'approve'),
        'approved',
      );
      assert.deepEqual(await userOf(newAdmin), { organization_id: customer.orgId, role: 'customer_admin' });
      const managed = await h.db
        .selectFrom('managed_customers')
        .select('access')
        .where('customer_org_id', '=', customer.orgId)
        .executeTakeFirstOrThrow();
      assert.equal(managed.access, 'provisioning_admin');
    });

    it("naming an existing customer's admin asks that customer before the partner gets access (fault 2)", async () => {
      const u = unique();
      const admin = `owner@exact-${u}.example`;
      const customer = await customerOrganization(h, `Exact Customer ${u}`, {
        email: admin,
        password: PASSWORD,
      });
      const o = await order(partner.email);
      const res = await h.api(partner, 'POST', `/api/v1/subscriptions/${o.subscriptionId}/setup/mapping`, {
        role: 'customer',
        setupBy: 'self',
        partner: { organizationId: partner.orgId },
        customerAdminEmail: admin,
        customer: { organizationId: customer.orgId },
      });
      assert.equal(res.status, 202);
      const { requestId } = (await res.json()) as { requestId: string };
      assert.equal(await mappedAt(o.subscriptionId), null);
      const [mail] = await outbox(admin);
      assert.match(mail?.text_body ?? '', /Ordering Partner asks to provision an order/);
      assert.equal(await decideJoinRequest(await userCtx(admin), requestId, 'approve'), 'approved');
      assert.notEqual(await mappedAt(o.subscriptionId), null);
    });

    it('two organizations to ask: the partner first, then the customer; mapped after both approve', async () => {
      const u = unique();
      const contact = `both@chain-${u}.example`;
      const owner = `owner@chain-c-${u}.example`;
      const customer = await customerOrganization(h, `Chain Customer ${u}`, {
        email: owner,
        password: PASSWORD,
      });
      const o = await order(contact);
      const res = await h.app.request(
        o.path,
        formPost({
          step: 'review',
          nav: 'next',
          role: 'customer',
          setupBy: 'self',
          partnerPick: victim.orgId,
          partnerSearched: victimDomain,
          adminEmail: owner,
          customerPick: customer.orgId,
        }),
      );
      assert.match(await res.text(), /Victim Partner/);
      const first = await h.db
        .selectFrom('organization_join_requests')
        .select(['id', 'organization_id'])
        .where('subscription_id', '=', o.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.equal(first.organization_id, victim.orgId);
      assert.equal(await decideJoinRequest(await userCtx(victim.email), first.id, 'approve'), 'approved');
      // Still nothing granted: the customer's admins are asked next.
      assert.equal(await mappedAt(o.subscriptionId), null);
      assert.equal(await userOf(contact), undefined);
      const second = await h.db
        .selectFrom('organization_join_requests')
        .select(['id', 'organization_id', 'reason'])
        .where('subscription_id', '=', o.subscriptionId)
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      assert.deepEqual([second.organization_id, second.reason], [customer.orgId, 'partner_access']);
      assert.match(await (await h.app.request(o.path)).text(), new RegExp(`Chain Customer ${u}`));
      assert.equal(await decideJoinRequest(await userCtx(owner), second.id, 'approve'), 'approved');
      assert.notEqual(await mappedAt(o.subscriptionId), null);
      assert.deepEqual(await userOf(contact), { organization_id: victim.orgId, role: 'partner_user' });
    });

    it('an exact address still maps at once, and a key cannot add a stranger to its own organization', async () => {
      const u = unique();
      const o = await order(partner.email);
      const res = await h.api(partner, 'POST', `/api/v1/subscriptions/${o.subscriptionId}/setup/mapping`, {
        role: 'customer',
        setupBy: 'self',
        partner: { organizationId: partner.orgId },
        customerAdminEmail: `boss@fresh-${u}.example`,
        customer: { create: { name: `Fresh ${u}`, businessVertical: 'retail', country: 'IT' } },
      });
      assert.equal(res.status, 200);
      // Absolute, like every other URL of the API.
      assert.deepEqual(await res.json(), {
        next: 'sign_in',
        url: `http://provisio.test/login?next=/hub/setups/${o.subscriptionId}`,
      });

      const partnerDomain = partner.email.split('@')[1] ?? '';
      const stranger = await order(`new.hire@${partnerDomain}`);
      const own = await h.api(
        partner,
        'POST',
        `/api/v1/subscriptions/${stranger.subscriptionId}/setup/mapping`,
        {
          role: 'customer',
          setupBy: 'self',
          partner: { organizationId: partner.orgId },
          customerAdminEmail: `boss@fresh2-${u}.example`,
          customer: { create: { name: `Fresh2 ${u}`, businessVertical: 'retail', country: 'IT' } },
        },
      );
      assert.equal(own.status, 422);
      assert.equal(((await own.json()) as ProblemBody).code, 'mapping_contact_not_in_partner_organization');
    });

    it('the search by domain shows names, not people, and is rate-limited', async () => {
      const u = unique();
      const o = await order(`s@search-${u}.example`);
      const url = `/api/v1/subscriptions/${o.subscriptionId}/setup/organizations?side=partner&domain=${victimDomain}`;
      const first = await h.api(partner, 'GET', url);
      assert.equal(first.status, 200);
      const body = (await first.json()) as { organizations: Record<string, unknown>[] };
      assert.equal(body.organizations[0]?.name, 'Victim Partner');
      for (const hidden of ['activeUsers', 'lastUserActivityAt', 'domains', 'businessVertical'])
        assert.equal(hidden in (body.organizations[0] ?? {}), false, hidden);
      let last = first;
      for (let i = 1; i <= 20; i += 1) last = await h.api(partner, 'GET', url);
      assert.equal(last.status, 429);
      assert.equal(((await last.json()) as ProblemBody).code, 'organization_search_rate_limited');
      const retry = Number(last.headers.get('Retry-After'));
      assert.ok(retry >= 1 && retry <= 600, String(retry));
    });

    it("matching a stranger's address shows no people and counts as a search; the contact's own domain does", async () => {
      const u = unique();
      // A day later (order() moves the clock): the search budget of the test above is behind us.
      const o = await order(`c@own-${u}.example`);
      const url = `/api/v1/subscriptions/${o.subscriptionId}/setup/matches`;
      type Candidate = { name: string; activeUsers: number | null; lastUserActivityAt: string | null };
      type Outcome = { outcome: string; organization?: Candidate; candidates?: Candidate[] };
      const stranger = await h.api(partner, 'POST', url, { email: victim.email, side: 'partner' });
      assert.equal(stranger.status, 200);
      const seen = (await stranger.json()) as Outcome;
      assert.equal(seen.outcome, 'exact');
      assert.equal(seen.organization?.name, 'Victim Partner');
      assert.equal(seen.organization?.activeUsers, null);
      assert.equal(seen.organization?.lastUserActivityAt, null);

      const own = await h.api(partner, 'POST', url, { email: `x@own-${u}.example`, side: 'customer' });
      assert.equal(own.status, 200);
      assert.equal(((await own.json()) as Outcome).outcome, 'none');

      let last = stranger;
      for (let i = 1; i <= 20; i += 1)
        last = await h.api(partner, 'POST', url, { email: `p${i}@${victimDomain}`, side: 'partner' });
      assert.equal(last.status, 429);
      assert.equal(((await last.json()) as ProblemBody).code, 'organization_search_rate_limited');
      assert.ok(Number(last.headers.get('Retry-After')) >= 1);
      // The contact's own domain is what the wizard shows the contact: never limited as a search.
      const again = await h.api(partner, 'POST', url, { email: `y@own-${u}.example`, side: 'customer' });
      assert.equal(again.status, 200);
    });

    it("a provisioning admin is refused what a full admin may do: the customer's users and another partner's setup", async () => {
      const u = unique();
      const admin = `owner@pa-${u}.example`;
      const customer = await customerOrganization(h, `Managed ${u}`, { email: admin, password: PASSWORD });
      const seller = await h.tenant('partner', `Seller ${u}`);
      // The helper orders with the default start date: go back to the harness's today.
      h.clock.set(new Date(`${TODAY}T09:00:00Z`));
      const mine = await mappedSubscription(h, partner, customer.orgId, { access: 'provisioning_admin' });
      const theirs = await mappedSubscription(h, seller, customer.orgId, { access: 'provisioning_admin' });
      const cookie = await h.signIn(partner);
      const look = async () => {
        const hub = await (await h.app.request('/hub', { headers: { Cookie: cookie } })).text();
        const setup = await h.app.request(`/hub/setups/${theirs}`, { headers: { Cookie: cookie } });
        return { hub, setupStatus: setup.status };
      };
      const before = await look();
      assert.doesNotMatch(before.hub, new RegExp(admin));
      assert.match(before.hub, new RegExp(mine));
      assert.doesNotMatch(before.hub, new RegExp(theirs));
      assert.equal(before.setupStatus, 404);
      assert.equal((await h.app.request(`/hub/setups/${mine}`, { headers: { Cookie: cookie } })).status, 200);

      const owner = await signInAs(admin);
      const granted = await h.app.request(
        `/hub/partners/${partner.orgId}/grant-full-admin`,
        formPost({ confirm: 'yes' }, { Cookie: owner }),
      );
      assert.equal(granted.status, 303);
      const after = await look();
      assert.match(after.hub, new RegExp(admin));
      assert.match(after.hub, new RegExp(theirs));
      assert.equal(after.setupStatus, 200);
    });

    if (engine === 'postgres')
      it('two admins deciding at once: exactly one decision wins', async () => {
        const u = unique();
        const second = `second-${u}@${victimDomain}`;
        await addUser(h, victim.orgId, second, 'partner_admin', PASSWORD);
        const o = await order(`race@race-${u}.example`);
        await h.app.request(
          o.path,
          reviewForm({
            partnerPick: victim.orgId,
            partnerSearched: victimDomain,
            adminEmail: `boss@nc-${u}.example`,
          }),
        );
        const request = await h.db
          .selectFrom('organization_join_requests')
          .select('id')
          .where('subscription_id', '=', o.subscriptionId)
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow();
        const [a, b] = [await userCtx(victim.email), await userCtx(second)];
        const results = await Promise.allSettled([
          decideJoinRequest(a, request.id, 'approve'),
          decideJoinRequest(b, request.id, 'refuse'),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1, JSON.stringify(results));
        assert.ok(lost[0]?.reason instanceof DomainError && lost[0].reason.code === 'join_request_decided');
        const final = await h.db
          .selectFrom('organization_join_requests')
          .select('status')
          .where('id', '=', request.id)
          .executeTakeFirstOrThrow();
        const winner = won[0]?.status === 'fulfilled' ? won[0].value : '';
        assert.equal(final.status, winner);
        assert.equal((await mappedAt(o.subscriptionId)) !== null, winner === 'approved');
      });
  });
}
