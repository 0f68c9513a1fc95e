import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { renderDisabledEmail } from '../../src/modules/webhooks/email.tsx';
import { formatDate, formatDateTime } from '../../src/platform/format.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { mappedSubscription } from '../support/mapped-subscription.ts';

/** No-break and narrow no-break spaces as plain spaces, so expectations stay legible. */
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

for (const engine of testEngines()) {
  describe(`dates in the reader's language and time zone (${engine})`, () => {
    let h: Harness;
    let rome: Tenant;
    let romeCookie: string;

    /** A partner organization in Rome whose admin reads Italian. */
    async function romanPartner(): Promise<Tenant> {
      const slug = `rome-${engine}-${randomBytes(3).toString('hex')}`;
      const org = await identity.createOrganization(h.ctx, {
        kind: 'partner',
        name: 'Partner di Roma',
        country: 'IT',
        timeZone: 'Europe/Rome',
        domains: [{ domain: `${slug}.example`, status: 'verified' }],
      });
      const email = `admin@${slug}.example`;
      const password = 'correct horse battery';
      await identity.createUser(h.ctx, {
        organizationId: org.id,
        email,
        role: 'partner_admin',
        password,
        locale: 'it',
      });
      const { key } = await apiKeys.createApiKey(h.ctx, org.id, 'test');
      return { orgId: org.id, apiKey: key, email, password };
    }

    const page = async (path: string, cookie: string) => {
      const res = await h.app.request(path, { headers: { Cookie: cookie } });
      return { status: res.status, html: plain(await res.text()) };
    };

    before(async () => {
      h = await startHarness(engine);
      rome = await romanPartner();
      romeCookie = await h.signIn(rome);
    });
    after(() => h.close());

    it('shows an Italian user of a Rome organization a time in Italian, 24-hour, CET or CEST, not UTC with AM/PM', async () => {
      const key = await h.db
        .selectFrom('api_keys')
        .select('created_at')
        .where('organization_id', '=', rome.orgId)
        .executeTakeFirstOrThrow();
      const { html } = await page('/settings/api-keys', romeCookie);
      const expected = plain(formatDateTime({ locale: 'it', timeZone: 'Europe/Rome' }, key.created_at));
      assert.match(expected, /^\d{1,2} [a-z]{3} \d{4}, \d{2}:\d{2} CES?T$/);
      assert.ok(html.includes(expected), `${expected} in the API keys page`);
      assert.doesNotMatch(html, /\d (AM|PM)\b/);
      assert.doesNotMatch(html, /\d{2}:\d{2} UTC/);

      // An English reader of an organization without a zone reads UTC, named.
      const london = await h.tenant('partner');
      const { html: english } = await page('/settings/api-keys', await h.signIn(london));
      assert.match(english, /[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} (AM|PM) UTC/);
    });

    it('reads the date filters as an Italian writes them, shows an example, and names a date it cannot read', async () => {
      const reference = `PO-ROMA-${engine}`;
      const res = await h.api(
        rome,
        'POST',
        '/api/v1/orders',
        orderBody({ reference }, { requestedStartDate: '2026-12-05' }),
      );
      assert.equal(res.status, 201, await res.clone().text());

      const within = await page(
        `/orders?startFrom=${encodeURIComponent('04/12/2026')}&startTo=5.12.2026`,
        romeCookie,
      );
      assert.equal(within.status, 200);
      assert.ok(within.html.includes(reference), 'the order starting on 5 December is listed');
      assert.match(within.html, /value="04\/12\/2026"/);
      assert.match(within.html, /value="05\/12\/2026"/, 'what was read is shown back in the Italian way');
      assert.match(within.html, /Ad esempio, 31\/12\/2026/);
      assert.doesNotMatch(within.html, /type="date"/);

      const before = await page('/orders?startFrom=06/12/2026', romeCookie);
      assert.equal(before.status, 200);
      assert.ok(!before.html.includes(reference), 'not listed from 6 December on');

      // ISO, as links and the API write it, is read too and shown the Italian way.
      const iso = await page('/orders?startFrom=2026-12-05', romeCookie);
      assert.ok(iso.html.includes(reference));
      assert.match(iso.html, /value="05\/12\/2026"/);

      const refused = await page(`/orders?startFrom=${encodeURIComponent('31/02/2026')}`, romeCookie);
      assert.equal(refused.status, 422);
      assert.match(refused.html, /Data di inizio dal deve essere una data come 31\/12\/2026\./);
      assert.match(refused.html, /value="31\/02\/2026"/, 'what was typed is kept to be corrected');
      assert.match(refused.html, /aria-invalid="true"/);
    });

    it('writes the provisioned email’s billing date in the recipient’s language and zone', async () => {
      const m = await mappedSubscription(h, { partner: rome });
      const base = `/api/v1/subscriptions/${m.subscriptionId}`;
      const put = async (path: string, payload: unknown) =>
        assert.equal((await h.api(rome, 'PUT', `${base}/setup/${path}`, payload)).status, 200);
      await put('meeting-sites', {
        sites: [{ name: `roma-${engine}-${m.lineId.slice(0, 6)}`, timeZone: 'Europe/Rome' }],
      });
      await put('calling-location', {
        name: 'Sede',
        country: 'IT',
        addressLine1: 'Via Roma 1',
        city: 'Roma',
        postalCode: '00100',
        timeZone: 'Europe/Rome',
        language: 'it',
      });
      await put('enterprise-subdomain', { subdomain: `roma-${engine}-${m.lineId.slice(0, 8)}` });
      assert.equal((await h.api(rome, 'POST', `${base}/provision`)).status, 200);
      const started = await h.db
        .selectFrom('subscriptions')
        .select('billing_started_at')
        .where('id', '=', m.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.ok(started.billing_started_at);
      const email = await h.db
        .selectFrom('outbox_emails')
        .select(['locale', 'html', 'text_body'])
        .where('subject_ref', '=', m.subscriptionId)
        .where('kind', '=', 'setup.provisioned')
        .where('to_address', '=', rome.email)
        .executeTakeFirstOrThrow();
      assert.equal(email.locale, 'it');
      const day = formatDate({ locale: 'it', timeZone: 'Europe/Rome' }, started.billing_started_at, 'long');
      assert.match(day, /^\d{1,2} [a-z]+ \d{4}$/);
      assert.ok(plain(email.text_body).includes(day), `${day} in\n${email.text_body}`);
    });

    it('writes the disabled-webhook email’s time in the recipient’s zone, named', () => {
      const failingSince = new Date('2026-12-05T23:30:00Z');
      const link = 'https://provisio.example/settings/webhooks/1';
      const it = renderDisabledEmail(
        { locale: 'it', timeZone: 'Europe/Rome' },
        { url: 'https://x.example', reason: 'failing', failingSince, link },
      );
      assert.match(plain(it.text), /dal 6 dic 2026, 00:30 CET/);
      const en = renderDisabledEmail(
        { locale: 'en' },
        { url: 'https://x.example', reason: 'failing', failingSince, link },
      );
      assert.match(plain(en.text), /since Dec 5, 2026, 11:30 PM UTC/);
    });
  });
}
