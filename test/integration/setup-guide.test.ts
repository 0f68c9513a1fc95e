import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formPost, type Harness, startHarness, testEngines } from '../support/harness.ts';
import { type MappedSubscription, mappedSubscription } from '../support/mapped-subscription.ts';

/** Service setup read as a guide (issue 16): suggested time zones, Back, human errors, Provision confirmed. */
for (const engine of testEngines()) {
  describe(`service setup as a guide (${engine})`, () => {
    let h: Harness;
    let n = 0;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    async function usCustomer(opts: { closedByPolicy?: boolean } = {}) {
      const m = await mappedSubscription(h, opts);
      await h.db
        .updateTable('orders')
        .set({ end_customer_country: 'US' })
        .where('id', '=', m.orderId)
        .execute();
      return { m, cookie: await h.signIn(m.partner), url: `/hub/setups/${m.subscriptionId}` };
    }

    const get = async (path: string, cookie: string) => {
      const res = await h.app.request(path, { headers: { Cookie: cookie } });
      return { status: res.status, location: res.headers.get('location'), html: await res.text() };
    };
    const post = (path: string, cookie: string, fields: Record<string, string>) =>
      h.app.request(path, { ...formPost(fields), headers: { ...formPost({}).headers, Cookie: cookie } });

    async function fillEverything(m: MappedSubscription, cookie: string, url: string) {
      n += 1;
      let res = await post(`${url}/meetings`, cookie, {
        count: '1',
        name_0: `guide-${engine}-${n}`,
        tz_0: 'America/New_York',
        early_0: 'no',
        action: 'next',
      });
      assert.equal(res.status, 303);
      res = await post(`${url}/calling`, cookie, {
        name: 'Head office',
        country: 'US',
        addressLine1: '1 Main St',
        city: 'Boston',
        timeZone: 'America/New_York',
        language: 'en',
      });
      assert.equal(res.status, 303, await res.clone().text());
      res = await post(`${url}/enterprise`, cookie, {
        subdomain: `guide-sub-${engine}-${n}`,
        action: 'save',
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `${url}?step=provision`);
      return m;
    }

    it("suggests the customer's country's time zones first, New York by default for a US customer", async () => {
      const { cookie, url } = await usCustomer();
      const meetings = await get(`${url}?step=meetings`, cookie);
      assert.equal(meetings.status, 200);
      const suggested = /<optgroup label="Suggested for the country">(.*?)<\/optgroup>/.exec(
        meetings.html,
      )?.[1];
      assert.ok(suggested, 'a group of suggested zones');
      assert.match(suggested, /^<option value="America\/New_York" selected="">/);
      assert.match(suggested, /Eastern Time — New York/);
      assert.match(meetings.html, /<optgroup label="Other time zones">/);
      assert.doesNotMatch(meetings.html, /value="UTC" selected/);
      const calling = await get(`${url}?step=calling`, cookie);
      assert.match(calling.html, /<option value="US" selected="">United States<\/option>/);
      assert.match(calling.html, /<option value="America\/New_York" selected="">/);
      // The standard layout: label above its field, each in a field block.
      assert.match(calling.html, /<div class="field"><label for="city">City<\/label><input/);
    });

    it('offers Back on every step and the site address as its name is typed', async () => {
      const { cookie, url } = await usCustomer();
      const meetings = await get(`${url}?step=meetings`, cookie);
      assert.match(
        meetings.html,
        new RegExp(`<a class="button secondary" href="${url}\\?step=review">Back</a>`),
      );
      assert.match(
        (await get(`${url}?step=calling`, cookie)).html,
        new RegExp(`href="${url}\\?step=meetings">Back</a>`),
      );
      assert.match(
        (await get(`${url}?step=enterprise`, cookie)).html,
        new RegExp(`href="${url}\\?step=calling">Back</a>`),
      );
      assert.match(
        (await get(`${url}?step=provision`, cookie)).html,
        new RegExp(`href="${url}\\?step=enterprise">Back</a>`),
      );
      assert.match(meetings.html, /hx-get="[^"]+\/site-name-check"/);
      const check = await get(`${url}/site-name-check?name_0=Acme-Typed`, cookie);
      assert.match(
        check.html,
        /Site address: <strong class="nowrap">https:\/\/acme-typed\.meet\.[a-z.]+<\/strong>/,
      );
      assert.match(check.html, /acme-typed is available/);
    });

    it('writes errors for people: choose a country, choose a time zone', async () => {
      const { cookie, url } = await usCustomer();
      const res = await post(`${url}/calling`, cookie, {
        name: '',
        country: '',
        timeZone: '',
        language: 'en',
      });
      assert.equal(res.status, 422);
      const html = await res.text();
      assert.match(html, /<a href="#country">Choose the country or region where most users are<\/a>/);
      assert.match(html, /<a href="#timeZone">Choose a time zone<\/a>/);
      assert.match(html, /<a href="#name">Enter a name for the location, such as Head office<\/a>/);
      assert.doesNotMatch(html, /two-letter|is required/);
      const sites = await post(`${url}/meetings`, cookie, {
        count: '1',
        name_0: 'x',
        tz_0: '',
        action: 'next',
      });
      assert.equal(sites.status, 422);
      const sitesHtml = await sites.text();
      assert.match(sitesHtml, /<a href="#tz_0">Choose a time zone<\/a>/);
      assert.match(sitesHtml, /<a href="#name_0">/);
    });

    it('Provision shows what starts billing and when, asks to confirm, and provisions only on the confirmation', async () => {
      const { m, cookie, url } = await usCustomer();
      await fillEverything(m, cookie, url);
      const provision = await get(`${url}?step=provision`, cookie);
      assert.match(provision.html, /What starts billing/);
      assert.match(provision.html, /Today, [A-Z][a-z]{2} \d{1,2}, 2026, when you provision\./);
      assert.match(
        provision.html,
        new RegExp(`<a class="button" href="${url}\\?step=confirm">Provision</a>`),
      );
      assert.doesNotMatch(provision.html, /method="post" action="[^"]+\/provision"/);
      // A press without the confirmation provisions nothing: it is sent to the confirmation page.
      const unconfirmed = await post(`${url}/provision`, cookie, {});
      assert.equal(unconfirmed.status, 303);
      assert.equal(unconfirmed.headers.get('location'), `${url}?step=confirm`);
      const still = await h.db
        .selectFrom('subscriptions')
        .select(['provisioned_at', 'billing_started_at'])
        .where('id', '=', m.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(still, { provisioned_at: null, billing_started_at: null });
      const confirm = await get(`${url}?step=confirm`, cookie);
      assert.match(confirm.html, new RegExp(`Provision ${m.subscriptionId}\\?`));
      assert.match(confirm.html, /Today, [A-Z][a-z]{2} \d{1,2}, 2026, when you provision\./);
      assert.match(confirm.html, /<input type="hidden" name="confirm" value="yes"\/>/);
      assert.match(confirm.html, />Provision and start billing</);
      const confirmed = await post(`${url}/provision`, cookie, { confirm: 'yes' });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.headers.get('location'), `${url}?step=done`);
      const done = await get(`${url}?step=done`, cookie);
      // The PDF sits beside Close, not only after it.
      assert.match(
        done.html,
        /href="[^"]+\/summary\.pdf" download="">Download order summary \(PDF\)<\/a><a class="button" href="[^"]+\?step=summary">Close<\/a>/,
      );
      const row = await h.db
        .selectFrom('subscriptions')
        .select(['billing_start_reason'])
        .where('id', '=', m.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.equal(row.billing_start_reason, 'provisioned');
    });

    it('says billing already started when the policy window started it', async () => {
      const { m, cookie, url } = await usCustomer({ closedByPolicy: true });
      await fillEverything(m, cookie, url);
      const confirm = await get(`${url}?step=confirm`, cookie);
      assert.match(
        confirm.html,
        /Billing already started on [A-Z][a-z]{2} \d{1,2}, 20\d\d, when the policy window ran out/,
      );
    });
  });
}
