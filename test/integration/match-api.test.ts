import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

interface Problem {
  status: number;
  code: string;
  title: string;
  errors?: { field: string; code: string; message: string }[];
}

for (const engine of testEngines()) {
  describe(`organization matching over the API (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let stranger: Tenant;
    let subscriptionId: string;
    const matches = () => `/api/v1/subscriptions/${subscriptionId}/setup/matches`;
    const search = (query: string) => `/api/v1/subscriptions/${subscriptionId}/setup/organizations?${query}`;

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'API Partner');
      stranger = await h.tenant('partner', 'API Stranger');
      // The contact is at Acme's domain: matching there is what the wizard shows that contact, figures included.
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: 'it@acme.co.uk' }),
      );
      subscriptionId =
        ((await res.json()) as { lines: { subscriptionId: string }[] }).lines[0]?.subscriptionId ?? '';
      const acme = await identity.createOrganization(h.ctx, {
        kind: 'customer',
        name: 'Acme Corp',
        country: 'GB',
        domains: [
          { domain: 'acme.co.uk', status: 'verified' },
          { domain: 'xn--e1afmkfd.xn--p1ai', status: 'claimed' },
        ],
      });
      await identity.createUser(h.ctx, {
        organizationId: acme.id,
        email: 'it@acme.co.uk',
        role: 'customer_admin',
        lastActiveAt: new Date(h.clock.now().getTime() - 86_400_000),
      });
    });
    after(() => h.close());

    it('answers an exact match with the organization and its figures', async () => {
      const res = await h.api(partner, 'POST', matches(), { email: 'IT@acme.co.uk', side: 'customer' });
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        outcome: string;
        organization: { name: string; domains: unknown[]; activeUsers: number; lastUserActivityAt: string };
      };
      assert.equal(body.outcome, 'exact');
      assert.equal(body.organization.name, 'Acme Corp');
      assert.equal(body.organization.activeUsers, 1);
      assert.equal(body.organization.lastUserActivityAt, '2026-11-20T09:00:00.000Z');
      assert.deepEqual(body.organization.domains, [
        { domain: 'acme.co.uk', status: 'verified' },
        { domain: 'пример.рф', status: 'claimed' },
      ]);
    });

    it('answers domain candidates, free mail and the other side', async () => {
      const domain = (await (
        await h.api(partner, 'POST', matches(), { email: 'new@eu.acme.co.uk', side: 'customer' })
      ).json()) as { outcome: string; domain: string; candidates: { name: string; matchedBy: string }[] };
      assert.deepEqual(
        [domain.outcome, domain.domain, domain.candidates.map((c) => [c.name, c.matchedBy])],
        ['domain', 'acme.co.uk', [['Acme Corp', 'domain']]],
      );
      const free = await (
        await h.api(partner, 'POST', matches(), { email: 'x@gmail.com', side: 'customer' })
      ).json();
      assert.deepEqual(free, { outcome: 'none', reason: 'free_mail', domain: 'gmail.com' });
      const taken = await (
        await h.api(partner, 'POST', matches(), { email: 'it@acme.co.uk', side: 'partner' })
      ).json();
      assert.deepEqual(taken, { outcome: 'taken', organizationName: 'Acme Corp' });
    });

    it('searches by a Unicode domain', async () => {
      const res = await h.api(
        partner,
        'GET',
        search(`domain=${encodeURIComponent('ПРИМЕР.рф')}&side=customer`),
      );
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        organizations: { name: string; matchedDomain: string; activeUsers?: number }[];
      };
      assert.deepEqual(
        body.organizations.map((o) => [o.name, o.matchedDomain]),
        [['Acme Corp', 'пример.рф']],
      );
      // Strangers' organizations are shown by name, not by their people.
      assert.equal(body.organizations[0]?.activeUsers, undefined);
    });

    it('refuses bad input with a localized problem naming the field', async () => {
      const res = await h.api(partner, 'GET', search('domain=co.uk&side=customer'), undefined, {
        'Accept-Language': 'it',
      });
      assert.equal(res.status, 400);
      const problem = (await res.json()) as Problem;
      assert.equal(problem.code, 'matching_domain_refused');
      assert.equal(problem.errors?.[0]?.field, 'domain');
      assert.equal(problem.errors?.[0]?.code, 'matching_domain_public_suffix');
      assert.match(problem.errors?.[0]?.message ?? '', /suffisso pubblico/);
      const email = (await (
        await h.api(partner, 'POST', matches(), { email: 'nobody', side: 'customer' })
      ).json()) as Problem;
      assert.deepEqual([email.status, email.errors?.[0]?.field], [400, 'email']);
      const side = await h.api(partner, 'POST', matches(), { email: 'a@acme.co.uk', side: 'vendor' });
      assert.equal(side.status, 422);
    });

    it('hides the subscription from other organizations and anonymous callers', async () => {
      const body = { email: 'it@acme.co.uk', side: 'customer' };
      assert.equal((await h.api(stranger, 'POST', matches(), body)).status, 404);
      assert.equal((await h.api(stranger, 'GET', search('domain=acme.co.uk&side=customer'))).status, 404);
      assert.equal((await h.api(null, 'POST', matches(), body)).status, 401);
      const unknown = await h.api(partner, 'POST', '/api/v1/subscriptions/SUB-1/setup/matches', body);
      assert.equal(unknown.status, 404);
    });

    it('documents both operations', async () => {
      const doc = (await (await h.app.request('/api/openapi.json')).json()) as {
        paths: Record<string, Record<string, { operationId: string }>>;
      };
      assert.equal(
        doc.paths['/subscriptions/{subscriptionId}/setup/matches']?.post?.operationId,
        'matchOrganizations',
      );
      assert.equal(
        doc.paths['/subscriptions/{subscriptionId}/setup/organizations']?.get?.operationId,
        'searchOrganizationsByDomain',
      );
    });
  });
}
