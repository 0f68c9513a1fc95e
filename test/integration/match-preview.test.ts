import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { mapSubscription } from '../../src/modules/provisioning/service.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

/** The preview's text for one line of the order page, or null when the line shows none. */
function previewOf(html: string, lineNumber: number): string | null {
  const row = html.match(new RegExp(`<tr id="line-${lineNumber}">([\\s\\S]*?)</tr>`))?.[1] ?? '';
  const preview = row.match(/<div class="match-preview[^"]*" data-outcome="(\w+)"[^>]*>([^<]*)<\/div>/);
  return preview ? `${preview[1]}: ${preview[2]}` : null;
}

for (const engine of testEngines()) {
  describe(`match preview on the order page (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let stranger: Tenant;
    let order: { id: string; lines: { subscriptionId: string }[] };

    async function page(tenant: Tenant, lang = 'en') {
      const cookie = await h.signIn(tenant);
      const res = await h.app.request(`/orders/${order.id}`, {
        headers: { Cookie: `${cookie}; provisio_lang=${lang}` },
      });
      return { status: res.status, html: await res.text() };
    }

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Preview Partner');
      stranger = await h.tenant('partner', 'Preview Stranger');
      const acme = await identity.createOrganization(h.ctx, {
        kind: 'customer',
        name: 'Acme Industries',
        domains: [{ domain: 'acme.com', status: 'verified' }],
      });
      await identity.createUser(h.ctx, {
        organizationId: acme.id,
        email: 'it@acme.com',
        role: 'customer_admin',
      });
      for (const name of ['Globex East', 'Globex West']) {
        await identity.createOrganization(h.ctx, {
          kind: 'customer',
          name,
          domains: [{ domain: 'globex.com', status: 'claimed' }],
        });
      }
      const body = orderBody();
      const line = (email: string) => ({
        offer: 'A-WX',
        quantity: 5,
        requestedStartDate: '2026-12-01',
        provisioningContactEmail: email,
      });
      body.lines = [
        line('it@acme.com'),
        line('new.admin@globex.com'),
        line('someone@gmail.com'),
        line('x@acme.com'),
      ];
      const res = await h.api(partner, 'POST', '/api/v1/orders', body);
      assert.equal(res.status, 201);
      order = (await res.json()) as typeof order;
    });
    after(() => h.close());

    it('shows where each contact would land: exact user, domain candidates, or a new organization', async () => {
      const { status, html } = await page(partner);
      assert.equal(status, 200);
      assert.equal(previewOf(html, 1), 'exact: Exact: user of Acme Industries');
      assert.equal(
        previewOf(html, 2),
        'domain: Domain: 2 organizations share globex.com: Globex East (inactive), Globex West (inactive)',
      );
      assert.equal(previewOf(html, 3), 'none: Free mail (gmail.com): a new organization would be created');
    });

    it('speaks the page language, with the right plural form', async () => {
      const { html } = await page(partner, 'uk');
      assert.match(previewOf(html, 2) ?? '', /^domain: Домен: 2 організації використовують globex\.com/);
      assert.match(previewOf(html, 3) ?? '', /буде створено нову організацію/);
    });

    it('stops previewing a line once it is mapped', async () => {
      const acme = await h.db
        .selectFrom('organizations')
        .select('id')
        .where('name', '=', 'Acme Industries')
        .executeTakeFirstOrThrow();
      // As the wizard leaves it: the start-date email went out, then the contact mapped it.
      await dispatchAt(h, new Date('2026-12-01T12:00:00Z'));
      await mapSubscription(h.ctx, order.lines[3]?.subscriptionId ?? '', {
        partnerOrgId: partner.orgId,
        customerOrgId: acme.id,
      });
      const { html } = await page(partner);
      assert.equal(previewOf(html, 4), null);
      assert.match(previewOf(html, 1) ?? '', /^exact/);
    });

    it('shows nothing to another organization', async () => {
      const { status, html } = await page(stranger);
      assert.equal(status, 404);
      assert.doesNotMatch(html, /Acme Industries|Globex/);
    });
  });
}
