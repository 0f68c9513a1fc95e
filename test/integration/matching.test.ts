import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  describeOrganization,
  type MatchOutcome,
  matchAddresses,
  matchOrganizations,
  searchOrganizationsByDomain,
} from '../../src/modules/identity/matching.ts';
import * as identity from '../../src/modules/identity/service.ts';
import type { Actor, Ctx, OrgKind } from '../../src/platform/context.ts';
import { DomainError } from '../../src/platform/errors.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const DAY = 86_400_000;

function outcome<K extends MatchOutcome['outcome']>(
  o: MatchOutcome,
  kind: K,
): Extract<MatchOutcome, { outcome: K }> {
  assert.equal(o.outcome, kind, JSON.stringify(o));
  return o as Extract<MatchOutcome, { outcome: K }>;
}

async function refusal(work: Promise<unknown>): Promise<DomainError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

for (const engine of testEngines()) {
  describe(`organization matching (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let stranger: Tenant;
    let subscriptionId: string;
    let otherSubscriptionId: string;
    let as: Ctx;
    let n = 0;

    /** An organization with users last seen `daysAgo` (null: never), each a distinct address. */
    async function org(
      kind: OrgKind,
      name: string,
      domains: [string, 'verified' | 'claimed'][],
      usersSeenDaysAgo: (number | null)[] = [],
      emails: string[] = [],
    ) {
      const o = await identity.createOrganization(h.ctx, {
        kind,
        name,
        domains: domains.map(([domain, status]) => ({ domain, status })),
      });
      for (const [i, days] of usersSeenDaysAgo.entries()) {
        n += 1;
        await identity.createUser(h.ctx, {
          organizationId: o.id,
          email: emails[i] ?? `user${n}@org${n}.users.test`,
          role: kind === 'customer' ? 'customer_user' : 'partner_user',
          lastActiveAt: days === null ? null : new Date(h.clock.now().getTime() - days * DAY),
        });
      }
      return o;
    }

    const match = (email: string, side: 'partner' | 'customer' = 'customer', ctx = as) =>
      matchOrganizations(ctx, subscriptionId, { email, side });

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Matching Partner');
      stranger = await h.tenant('partner', 'Stranger Partner');
      const res = await h.api(partner, 'POST', '/api/v1/orders', orderBody());
      assert.equal(res.status, 201);
      const order = (await res.json()) as { lines: { subscriptionId: string }[] };
      subscriptionId = order.lines[0]?.subscriptionId ?? '';
      const other = await h.api(partner, 'POST', '/api/v1/orders', orderBody());
      otherSubscriptionId =
        ((await other.json()) as { lines: { subscriptionId: string }[] }).lines[0]?.subscriptionId ?? '';
      as = { ...h.ctx, actor: { type: 'api_key', apiKeyId: 'k', orgId: partner.orgId, orgKind: 'partner' } };

      await org('customer', 'Acme Main', [['acme.com', 'verified']], [1, 2, 100], ['it@acme.com']);
      await org('customer', 'Acme Europe', [['eu.acme.com', 'claimed']], [0.5]);
      await org('customer', 'Acme Dormant', [['acme.com', 'claimed']], [400]);
      await org('customer', 'Not Acme', [['notacme.com', 'verified']], [0]);
      await org('partner', 'Acme Reseller', [['acme.com', 'claimed']], [0], ['sales@acme.com']);
      await org('customer', 'Widgets UK', [['widgets.co.uk', 'verified']], [3]);
      await org('customer', 'Other UK', [['other.co.uk', 'verified']], [3]);
      await org('customer', 'Team Pages', [['team.github.io', 'claimed']], [3]);
      await org('customer', 'Other Pages', [['other.github.io', 'claimed']], [3]);
      await org('customer', 'Gmail Claimer', [['gmail.com', 'claimed']], [3]);
      await org('customer', 'Пример', [['xn--e1afmkfd.xn--p1ai', 'verified']], [3]);
      for (let i = 0; i < 25; i++)
        await org('customer', `Shared ${String(i).padStart(2, '0')}`, [['shared.org', 'claimed']]);
    });
    after(() => h.close());

    it('finds the exact address first, even when its domain has other organizations', async () => {
      const o = outcome(await match('IT@Acme.com'), 'exact');
      assert.equal(o.organization.name, 'Acme Main');
      assert.equal(o.organization.matchedBy, 'email');
      assert.equal(o.organization.activeUsers, 2, 'users seen within 90 days');
      assert.deepEqual(o.organization.domains, [{ domain: 'acme.com', status: 'verified' }]);
      assert.equal(o.organization.stale, false);
    });

    it('refuses an address that already belongs to an organization of the other side (one per user)', async () => {
      const o = outcome(await match('sales@acme.com', 'customer'), 'taken');
      assert.equal(o.organizationName, 'Acme Reseller');
      assert.equal(
        outcome(await match('sales@acme.com', 'partner'), 'exact').organization.name,
        'Acme Reseller',
      );
      assert.equal(outcome(await match('it@acme.com', 'partner'), 'taken').organizationName, 'Acme Main');
    });

    it('lists the domain and its subdomains, most recent activity first, flagging stale ones', async () => {
      const o = outcome(await match('new.person@mail.acme.com'), 'domain');
      assert.equal(o.domain, 'acme.com');
      assert.deepEqual(
        o.candidates.map((c) => [c.name, c.matchedBy, c.matchedDomain, c.stale]),
        [
          ['Acme Europe', 'domain', 'eu.acme.com', false],
          ['Acme Main', 'domain', 'acme.com', false],
          ['Acme Dormant', 'domain', 'acme.com', true],
        ],
      );
      const partnerSide = outcome(await match('new.person@acme.com', 'partner'), 'domain');
      assert.deepEqual(
        partnerSide.candidates.map((c) => c.name),
        ['Acme Reseller'],
      );
    });

    it('takes the registrable domain under the Public Suffix List, private suffixes included', async () => {
      const uk = outcome(await match('ops@mail.widgets.co.uk'), 'domain');
      assert.equal(uk.domain, 'widgets.co.uk');
      assert.deepEqual(
        uk.candidates.map((c) => c.name),
        ['Widgets UK'],
      );
      const pages = outcome(await match('ops@team.github.io'), 'domain');
      assert.deepEqual(
        pages.candidates.map((c) => c.name),
        ['Team Pages'],
      );
      assert.deepEqual(await match('ops@github.io'), {
        outcome: 'none',
        reason: 'public_suffix',
        domain: 'github.io',
      });
      assert.deepEqual(await match('ops@nobody.co.uk'), {
        outcome: 'none',
        reason: 'no_match',
        domain: 'nobody.co.uk',
      });
    });

    it('never matches free mail', async () => {
      assert.deepEqual(await match('someone@gmail.com'), {
        outcome: 'none',
        reason: 'free_mail',
        domain: 'gmail.com',
      });
    });

    it('accepts internationalized domains and shows them in Unicode', async () => {
      const o = outcome(await match('ivan@ПРИМЕР.рф'), 'domain');
      assert.equal(o.domain, 'пример.рф');
      assert.deepEqual(o.candidates[0]?.domains, [{ domain: 'пример.рф', status: 'verified' }]);
      const found = await searchOrganizationsByDomain(as, subscriptionId, {
        domain: 'xn--e1afmkfd.xn--p1ai',
        side: 'customer',
      });
      assert.equal(found[0]?.matchedDomain, 'пример.рф');
    });

    it('offers at most 20 candidates, ordered by name when none has activity', async () => {
      const o = outcome(await match('x@shared.org'), 'domain');
      assert.equal(o.candidates.length, 20);
      assert.equal(o.candidates[0]?.name, 'Shared 00');
      assert.equal(o.candidates[19]?.name, 'Shared 19');
      assert.ok(o.candidates.every((c) => c.stale && c.activeUsers === 0 && c.lastUserActivityAt === null));
    });

    it('searches by a typed domain or address, and refuses what cannot name an organization', async () => {
      const found = await searchOrganizationsByDomain(as, subscriptionId, {
        domain: ' Mail.ACME.com ',
        side: 'customer',
      });
      assert.deepEqual(
        found.map((c) => [c.name, c.matchedBy]),
        [
          ['Acme Europe', 'search'],
          ['Acme Main', 'search'],
          ['Acme Dormant', 'search'],
        ],
      );
      const byAddress = await searchOrganizationsByDomain(as, subscriptionId, {
        domain: 'a@notacme.com',
        side: 'customer',
      });
      assert.deepEqual(
        byAddress.map((c) => c.name),
        ['Not Acme'],
      );
      for (const [domain, rule] of [
        ['gmail.com', 'matching_domain_free_mail'],
        ['co.uk', 'matching_domain_public_suffix'],
        ['not a domain', 'matching_domain_invalid'],
        ['', 'matching_domain_invalid'],
      ]) {
        const e = await refusal(
          searchOrganizationsByDomain(as, subscriptionId, { domain: domain ?? '', side: 'customer' }),
        );
        assert.equal(e.status, 400);
        assert.deepEqual(e.fields, [{ field: 'domain', rule }]);
      }
      const bad = await refusal(match('not an address'));
      assert.deepEqual(bad.fields, [{ field: 'email', rule: 'matching_email_invalid' }]);
    });

    it('answers only those who may map the subscription', async () => {
      const actors: [Actor, boolean][] = [
        [{ type: 'api_key', apiKeyId: 'x', orgId: stranger.orgId, orgKind: 'partner' }, false],
        [{ type: 'anonymous' }, false],
        [
          {
            type: 'setup_link',
            linkId: 'l',
            lineId: 'l',
            subscriptionId: otherSubscriptionId,
            email: 'a@b.com',
          },
          false,
        ],
        [{ type: 'setup_link', linkId: 'l', lineId: 'l', subscriptionId, email: 'it@acme.com' }, true],
        [{ type: 'system', name: 'cli' }, true],
      ];
      for (const [actor, allowed] of actors) {
        const ctx = { ...h.ctx, actor };
        if (allowed) assert.equal((await match('it@acme.com', 'customer', ctx)).outcome, 'exact');
        else {
          assert.equal((await refusal(match('it@acme.com', 'customer', ctx))).status, 404);
          assert.equal(
            (
              await refusal(
                searchOrganizationsByDomain(ctx, subscriptionId, { domain: 'acme.com', side: 'customer' }),
              )
            ).status,
            404,
          );
        }
      }
      assert.equal(
        (await refusal(matchOrganizations(as, 'SUB-1', { email: 'a@acme.com', side: 'customer' }))).status,
        404,
      );
      assert.equal(
        (await refusal(matchOrganizations(as, "x' or 1=1", { email: 'a@acme.com', side: 'customer' })))
          .status,
        404,
      );
    });

    it('describes one organization for the review screens, only on its side', async () => {
      const [main] = await searchOrganizationsByDomain(as, subscriptionId, {
        domain: 'notacme.com',
        side: 'customer',
      });
      assert.ok(main);
      const described = await describeOrganization(as, main.id, 'customer');
      assert.equal(described?.name, 'Not Acme');
      assert.equal(described?.matchedDomain, null);
      assert.equal(await describeOrganization(as, main.id, 'partner'), undefined);
      assert.equal(await describeOrganization(as, 'not-a-uuid', 'customer'), undefined);
    });

    it('matches many addresses at once for either side', async () => {
      const all = await matchAddresses(
        as,
        ['it@acme.com', 'x@acme.com', 'y@gmail.com', 'z@nowhere.io'],
        'any',
      );
      assert.deepEqual(
        [...all.values()].map((o) => o.outcome),
        ['exact', 'domain', 'none', 'none'],
      );
      const domain = outcome(all.get('x@acme.com') as MatchOutcome, 'domain');
      assert.ok(domain.candidates.some((c) => c.name === 'Acme Reseller'));
    });

    it('costs the same number of queries for one address as for many', async () => {
      let queries = 0;
      const counting: Ctx = {
        ...as,
        db: h.db.withPlugin({
          transformQuery: (args) => {
            queries += 1;
            return args.node;
          },
          transformResult: async (args) => args.result,
        }),
      };
      const count = async (emails: string[]) => {
        queries = 0;
        await matchAddresses(counting, emails, 'customer');
        return queries;
      };
      const one = await count(['new@acme.com']);
      const many = await count([
        'new@acme.com',
        'a@shared.org',
        'b@widgets.co.uk',
        'c@team.github.io',
        'it@acme.com',
      ]);
      assert.equal(one, 1);
      assert.equal(many, one);
    });
  });
}
