import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { decideJoinRequest } from '../../src/modules/onboarding/consent-decisions.ts';
import { completeMapping, type MappingInput } from '../../src/modules/onboarding/mapping.ts';
import type { Ctx } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import type { ProblemBody } from '../../src/platform/http.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

const START = '2026-12-01';
const START_MORNING = new Date(`${START}T09:00:00Z`);
const LATER = '2026-12-20';

const create = (name: string) => ({
  create: { name, businessVertical: 'technology' as const, country: 'IT' },
});

for (const engine of testEngines()) {
  describe(`completeMapping (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Ordering Partner');
    });
    after(() => h?.close());

    /**
     * A new order with one line for `contact`: its ids and subscription. By default its start date
     * has come and the provisioning email went out, as before any real setup.
     */
    async function order(contact: string, { started = true } = {}) {
      h.clock.set(START_MORNING);
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: contact, requestedStartDate: started ? START : LATER }),
      );
      assert.equal(res.status, 201);
      const body = (await res.json()) as { id: string; lines: { id: string; subscriptionId: string }[] };
      const line = body.lines[0];
      assert.ok(line);
      if (started) await dispatchAt(h, START_MORNING);
      return { orderId: body.id, lineId: line.id, subscriptionId: line.subscriptionId };
    }
    const unique = () => randomBytes(3).toString('hex');
    const outbox = (to: string) =>
      h.db
        .selectFrom('outbox_emails')
        .select(['kind', 'subject', 'text_body', 'locale'])
        .where('to_address', '=', to)
        .execute();
    const counts = async () => {
      const [orgs, users, managed] = await Promise.all(
        (['organizations', 'users', 'managed_customers'] as const).map((t) =>
          h.db
            .selectFrom(t)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow(),
        ),
      );
      return [Number(orgs?.n), Number(users?.n), Number(managed?.n)];
    };
    const adminCtx = async (email: string): Promise<Ctx> => {
      const u = await identity.userByEmail(h.ctx, email);
      assert.ok(u);
      return {
        ...h.ctx,
        actor: {
          type: 'user',
          userId: u.id,
          orgId: u.organization_id,
          orgKind: 'customer',
          role: 'customer_admin',
          email,
        },
      };
    };
    const map = (subscriptionId: string, body: unknown) =>
      h.api(partner, 'POST', `/api/v1/subscriptions/${subscriptionId}/setup/mapping`, body);
    const linkCtx = (o: { lineId: string; subscriptionId: string }, email: string): Ctx => ({
      ...h.ctx,
      actor: {
        type: 'setup_link',
        linkId: randomBytes(8).toString('hex'),
        lineId: o.lineId,
        subscriptionId: o.subscriptionId,
        email,
      },
    });

    it('a first-time partner creates both organizations: full admin, set-password link, then the point of no return', async () => {
      const u = unique();
      const o = await order(`it@np-${u}.example`);
      const input: MappingInput = {
        role: 'customer',
        setupBy: 'self',
        partner: create(`New Partner ${u}`),
        customerAdminEmail: `boss@nc-${u}.example`,
        customer: create(`New Customer ${u}`),
      };
      const result = await completeMapping(linkCtx(o, `it@np-${u}.example`), o.subscriptionId, input);
      assert.equal(result.next, 'set_password');
      assert.match(
        'url' in result ? result.url : '',
        /^http:\/\/provisio\.test\/hub\/invitations\/[A-Za-z0-9_-]{43}$/,
      );
      const setup = (await (
        await h.api(partner, 'GET', `/api/v1/subscriptions/${o.subscriptionId}/setup`)
      ).json()) as {
        mapping: {
          partner: { id: string; name: string };
          customer: { id: string };
          setupAssignee: string;
          partnerAccess: string;
        };
      };
      assert.equal(setup.mapping.partner.name, `New Partner ${u}`);
      assert.equal(setup.mapping.setupAssignee, 'partner');
      assert.equal(setup.mapping.partnerAccess, 'full_admin');
      const domains = await h.db
        .selectFrom('organization_domains')
        .select(['domain', 'status'])
        .where('organization_id', 'in', [setup.mapping.partner.id, setup.mapping.customer.id])
        .orderBy('domain')
        .execute();
      assert.deepEqual(domains, [
        { domain: `nc-${u}.example`, status: 'claimed' },
        { domain: `np-${u}.example`, status: 'claimed' },
      ]);
      // From now on: no second mapping, no resend, no contact change.
      const again = await map(o.subscriptionId, {
        ...input,
        partner: create('Other'),
        customer: create('Other C'),
      });
      assert.equal(again.status, 409);
      assert.equal(((await again.json()) as ProblemBody).code, 'already_mapped');
      const resend = await h.api(
        partner,
        'POST',
        `/api/v1/orders/${o.orderId}/lines/${o.lineId}/provisioning-email/resend`,
      );
      assert.equal(((await resend.json()) as ProblemBody).code, 'point_of_no_return');
      const change = await h.api(
        partner,
        'PUT',
        `/api/v1/orders/${o.orderId}/lines/${o.lineId}/provisioning-contact`,
        {
          email: 'x@y.example',
        },
        { 'If-Match': '*' },
      );
      assert.equal(change.status, 409);
    });

    it('an existing customer makes the partner its provisioning admin; the W7 box emails the customer admin', async () => {
      const u = unique();
      const customer = await identity.createOrganization(h.ctx, {
        kind: 'customer',
        name: `Known Customer ${u}`,
        domains: [{ domain: `kc-${u}.example`, status: 'verified' }],
      });
      const admin = `admin@kc-${u}.example`;
      await identity.createUser(h.ctx, { organizationId: customer.id, email: admin, role: 'customer_admin' });
      const o = await order(partner.email);
      const res = await map(o.subscriptionId, {
        role: 'customer',
        setupBy: 'self',
        partner: { organizationId: partner.orgId },
        customerAdminEmail: admin,
        customer: { organizationId: customer.id },
        customerSetsUpServices: true,
      });
      // The customer's admins consent first (docs/adr/0022): nothing is granted before.
      assert.equal(res.status, 202, await res.clone().text());
      const { requestId } = (await res.json()) as { requestId: string };
      assert.equal(
        (
          await h.db
            .selectFrom('managed_customers')
            .selectAll()
            .where('customer_org_id', '=', customer.id)
            .execute()
        ).length,
        0,
      );
      assert.equal(await decideJoinRequest(await adminCtx(admin), requestId, 'approve'), 'approved');
      const managed = await h.db
        .selectFrom('managed_customers')
        .select('access')
        .where('customer_org_id', '=', customer.id)
        .executeTakeFirstOrThrow();
      assert.equal(managed.access, 'provisioning_admin');
      const mail = (await outbox(admin)).find((m) => m.kind === 'setup.set_up_services');
      assert.equal(mail?.kind, 'setup.set_up_services');
      assert.match(mail?.text_body ?? '', /\/hub\/invitations\/[A-Za-z0-9_-]{43}/);
    });

    it('"the customer will set up": no access for the partner, an invitation for the customer admin found by domain', async () => {
      const u = unique();
      const customer = await identity.createOrganization(h.ctx, {
        kind: 'customer',
        name: `Domain Customer ${u}`,
        domains: [{ domain: `dc-${u}.example`, status: 'verified' }],
      });
      const admin = `new.admin@dc-${u}.example`;
      const owner = `owner@dc-${u}.example`;
      await identity.createUser(h.ctx, { organizationId: customer.id, email: owner, role: 'customer_admin' });
      const o = await order(partner.email);
      const res = await map(o.subscriptionId, {
        role: 'customer',
        setupBy: 'customer',
        partner: { organizationId: partner.orgId },
        customerAdminEmail: admin,
        customer: { organizationId: customer.id },
      });
      // Found by domain only: the customer's admin agrees before the new admin joins.
      assert.equal(res.status, 202);
      const { requestId } = (await res.json()) as { requestId: string };
      assert.equal(await identity.userByEmail(h.ctx, admin), undefined);
      assert.equal(await decideJoinRequest(await adminCtx(owner), requestId, 'approve'), 'approved');
      const user = await identity.userByEmail(h.ctx, admin);
      assert.equal(user?.organization_id, customer.id);
      assert.equal(user?.role, 'customer_admin');
      const managed = await h.db
        .selectFrom('managed_customers')
        .selectAll()
        .where('customer_org_id', '=', customer.id)
        .execute();
      assert.deepEqual(managed, []);
      assert.equal((await outbox(admin))[0]?.kind, 'setup.set_up_services');
    });

    it('refuses an address of another organization (W5) and an organization matching did not offer, writing nothing', async () => {
      const u = unique();
      const o = await order(`it@w5-${u}.example`);
      const before = await counts();
      // The partner's own admin cannot be a customer's admin: one organization per user.
      const taken = await map(o.subscriptionId, {
        role: 'customer',
        setupBy: 'self',
        partner: create(`W5 Partner ${u}`),
        customerAdminEmail: partner.email,
        customer: create(`W5 Customer ${u}`),
      });
      assert.equal(taken.status, 409);
      const problem = (await taken.json()) as ProblemBody;
      assert.equal(problem.code, 'wizard_email_in_other_organization');
      assert.equal(problem.errors?.[0]?.field, 'customerAdminEmail');
      const stranger = await identity.createOrganization(h.ctx, { kind: 'customer', name: `Stranger ${u}` });
      const notOffered = await map(o.subscriptionId, {
        role: 'customer',
        setupBy: 'self',
        partner: create(`W5 Partner ${u}`),
        customerAdminEmail: `boss@w5c-${u}.example`,
        customer: { organizationId: stranger.id },
      });
      assert.equal(notOffered.status, 422);
      assert.equal(((await notOffered.json()) as ProblemBody).code, 'wizard_organization_not_offered');
      const bad = await map(o.subscriptionId, {
        role: 'customer',
        setupBy: 'self',
        partner: { create: { name: ' ', businessVertical: 'technology', country: 'ZZ' } },
        customerAdminEmail: 'not-an-address',
        customer: create('C'),
      });
      assert.equal(bad.status, 422);
      const fields = ((await bad.json()) as ProblemBody).errors?.map((e) => e.field).sort();
      assert.deepEqual(fields, ['customerAdminEmail', 'partner.create.country', 'partner.create.name']);
      const after = await counts();
      // Only the stranger organization was added.
      assert.deepEqual(after, [(before[0] ?? 0) + 1, before[1], before[2]]);
      const setup = (await (
        await h.api(partner, 'GET', `/api/v1/subscriptions/${o.subscriptionId}/setup`)
      ).json()) as {
        mapping: unknown;
      };
      assert.equal(setup.mapping, null);
    });

    it('"for my company": the contact is the customer admin and sets a password', async () => {
      const u = unique();
      const o = await order(`me@mine-${u}.example`);
      const result = await completeMapping(linkCtx(o, `me@mine-${u}.example`), o.subscriptionId, {
        role: 'my_company',
        setupBy: 'self',
        customer: create(`My Company ${u}`),
      });
      assert.equal(result.next, 'set_password');
      const user = await identity.userByEmail(h.ctx, `me@mine-${u}.example`);
      assert.equal(user?.role, 'customer_admin');
    });

    it('refuses a line whose start date has not come: no email went out, nothing is written', async () => {
      const u = unique();
      const o = await order(`it@early-${u}.example`, { started: false });
      const before = await counts();
      const res = await map(o.subscriptionId, {
        role: 'customer',
        setupBy: 'self',
        partner: create(`Early Partner ${u}`),
        customerAdminEmail: `admin@early-cust-${u}.example`,
        customer: create(`Early Customer ${u}`),
      });
      assert.equal(res.status, 409);
      const problem = (await res.json()) as ProblemBody;
      assert.equal(problem.code, 'setup_not_started');
      assert.match(problem.detail, /2026-12-20/);
      assert.deepEqual(await counts(), before);
    });

    it('others cannot see or map the subscription', async () => {
      const o = await order('it@acme.example');
      const other = await h.tenant('partner', 'Other Partner');
      const res = await h.api(other, 'POST', `/api/v1/subscriptions/${o.subscriptionId}/setup/mapping`, {
        role: 'my_company',
        setupBy: 'self',
        customer: create('X'),
      });
      assert.equal(res.status, 404);
      assert.equal(
        (await h.api(other, 'GET', `/api/v1/subscriptions/${o.subscriptionId}/setup`)).status,
        404,
      );
    });

    if (engine === 'postgres')
      it('two mappings racing: one wins, the other is told it is already mapped and leaves nothing', async () => {
        const u = unique();
        const o = await order(`it@race-${u}.example`);
        const input = (n: number): MappingInput => ({
          role: 'customer',
          setupBy: 'self',
          partner: create(`Race Partner ${u} ${n}`),
          customerAdminEmail: `boss@race-c-${u}.example`,
          customer: create(`Race Customer ${u} ${n}`),
        });
        const results = await Promise.allSettled(
          [1, 2].map((n) => completeMapping(h.ctx, o.subscriptionId, input(n))),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.ok(
          lost[0]?.reason instanceof DomainError && lost[0].reason.code === 'already_mapped',
          String(lost[0]?.reason),
        );
        const orgs = await h.db
          .selectFrom('organizations')
          .select('name')
          .where('name', 'like', `Race % ${u} %`)
          .execute();
        assert.equal(orgs.length, 2);
      });
  });
}
