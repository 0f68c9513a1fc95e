import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type OperatorsDay, operatorsDay } from '../support/backoffice-state.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';

/** The back office's lists narrowed by partner, status and age, in the address, page after page (ADR 0036). */

const refs = (html: string) => [...html.matchAll(/>(PO-[A-Z0-9-]+)<\/a>/g)].map((m) => m[1] ?? '');
const subs = (html: string) =>
  [...html.matchAll(/<td class="nowrap">(SUB-\d+)<\/td>/g)].map((m) => m[1] ?? '');
const cases = (html: string) => [...html.matchAll(/>(CASE-\d+)<\/a>/g)].map((m) => m[1] ?? '');
/** The next page's address, as the page links it (HTML-escaped ampersands undone). */
const nextHref = (html: string) => /<a href="([^"]+)" rel="next">/.exec(html)?.[1]?.replaceAll('&amp;', '&');

for (const engine of testEngines()) {
  describe(`back office filters (${engine})`, () => {
    let h: Harness;
    let day: OperatorsDay;
    let cookie = '';
    const get = async (path: string) => {
      const res = await h.app.request(path, { headers: { Cookie: cookie } });
      return { status: res.status, html: await res.text() };
    };

    before(async () => {
      h = await startHarness(engine, { ESCALATION_EMAIL: 'escalations@vendor.example' });
      day = await operatorsDay(h);
      cookie = await h.signIn(day.operator);
    });
    after(async () => {
      await h.close();
    });

    it('offers the partner organizations to filter by, and keeps the chosen filters in the form', async () => {
      const { html } = await get(`/backoffice/orders?partner=${day.partnerB.orgId}&status=scheduled&age=7`);
      assert.match(html, /<option value="">Any partner<\/option>/);
      assert.match(html, new RegExp(`<option value="${day.partnerA.orgId}">Alpha Partner</option>`));
      assert.match(
        html,
        new RegExp(`<option value="${day.partnerB.orgId}" selected="">Beta Partner</option>`),
      );
      assert.doesNotMatch(html, /Provisio Operations<\/option>/, 'the vendor is no partner');
      assert.match(html, /<option value="scheduled" selected="">/);
      assert.match(html, /<option value="7" selected="">Older than 7 days<\/option>/);
    });

    it('narrows the orders by partner, status and age, and every page keeps the filters', async () => {
      const b = refs((await get(`/backoffice/orders?partner=${day.partnerB.orgId}`)).html);
      assert.deepEqual(b, ['PO-B-NEW', 'PO-B-OLD']);
      const oldB = refs((await get(`/backoffice/orders?partner=${day.partnerB.orgId}&age=7`)).html);
      assert.deepEqual(oldB, ['PO-B-OLD']);
      assert.deepEqual(refs((await get('/backoffice/orders?age=30')).html), []);
      const scheduled = refs((await get('/backoffice/orders?status=scheduled')).html);
      assert.equal(scheduled.length, 25);
      assert.ok(
        scheduled.every((r) => /^PO-A-\d\d$/.test(r)),
        scheduled.join(),
      );

      const first = await get(`/backoffice/orders?partner=${day.partnerA.orgId}`);
      assert.equal(refs(first.html).length, 25);
      const next = nextHref(first.html) ?? '';
      assert.match(next, new RegExp(`partner=${day.partnerA.orgId}`));
      const second = refs((await get(next)).html);
      assert.equal(second.length, 2);
      assert.ok(second.every((r) => r.startsWith('PO-A-')));
      assert.equal(new Set([...refs(first.html), ...second]).size, 27, 'no order twice');

      const page1 = await get('/backoffice/orders?status=scheduled&age=7');
      const page2 = await get(nextHref(page1.html) ?? '');
      assert.match(nextHref(page1.html) ?? '', /status=scheduled&age=7&cursor=/);
      assert.deepEqual(refs(page2.html).length, 1);
    });

    it('narrows the escalations by partner, status, age and contact, oldest first, across pages', async () => {
      const b = await get(`/backoffice/escalations?partner=${day.partnerB.orgId}`);
      assert.deepEqual(subs(b.html), [day.bOld.subscriptionId, day.bNew.subscriptionId]);
      const oldB = await get(`/backoffice/escalations?partner=${day.partnerB.orgId}&age=7`);
      assert.deepEqual(subs(oldB.html), [day.bOld.subscriptionId]);
      const none = await get('/backoffice/escalations?status=scheduled');
      assert.deepEqual(subs(none.html), []);
      assert.match(none.html, /No escalated lines are waiting/);
      const awaiting = await get(
        `/backoffice/escalations?status=awaiting_provisioning_details&partner=${day.partnerB.orgId}`,
      );
      assert.equal(subs(awaiting.html).length, 2);

      const first = await get(`/backoffice/escalations?partner=${day.partnerA.orgId}&contacted=no`);
      assert.equal(subs(first.html).length, 50);
      const next = nextHref(first.html) ?? '';
      assert.match(next, new RegExp(`partner=${day.partnerA.orgId}&contacted=no&cursor=`));
      const second = subs((await get(next)).html);
      const all = [...subs(first.html), ...second];
      assert.deepEqual(
        all.sort(),
        day.aLines.map((l) => l.subscriptionId).sort(),
        "every one of A's escalated lines once, none of B's",
      );
      assert.deepEqual(subs((await get('/backoffice/escalations?contacted=yes')).html), []);
    });

    it('narrows the support queue by partner, status and age, oldest first, across pages', async () => {
      const b = await get(`/backoffice/support?partner=${day.partnerB.orgId}`);
      assert.equal(cases(b.html).length, 2);
      assert.equal(
        cases((await get(`/backoffice/support?partner=${day.partnerB.orgId}&age=7`)).html).length,
        1,
      );
      assert.equal(cases((await get('/backoffice/support?status=closed')).html).length, 0);
      assert.equal(cases((await get('/backoffice/support?status=open&age=30')).html).length, 0);

      const first = await get(`/backoffice/support?partner=${day.partnerA.orgId}&status=open`);
      const shown = cases(first.html);
      assert.equal(shown.length, 25);
      assert.deepEqual(shown, [...shown].sort(), 'oldest first');
      const next = nextHref(first.html) ?? '';
      assert.match(next, new RegExp(`partner=${day.partnerA.orgId}&status=open&cursor=`));
      const second = cases((await get(next)).html);
      assert.equal(second.length, 1);
      assert.ok(!shown.includes(second[0] ?? ''));
    });

    it('answers 400 to a tampered cursor or a filter that is not one, naming it', async () => {
      const forged = Buffer.from(JSON.stringify(['not a time', 'x'])).toString('base64url');
      for (const list of ['orders', 'escalations', 'support']) {
        const bad = await get(`/backoffice/${list}?cursor=${forged}`);
        assert.equal(bad.status, 400, list);
        assert.match(bad.html, /This page link is out of date or was changed/, list);
        assert.match(bad.html, /Back to the first page/);
        const garbage = await get(`/backoffice/${list}?cursor=%7B%7B%7B`);
        assert.equal(garbage.status, 400, list);
        const partner = await get(`/backoffice/${list}?partner=not-an-id`);
        assert.equal(partner.status, 400, list);
        assert.match(partner.html, /Partner must be an identifier/);
        assert.match(partner.html, /class="error-summary"/);
        const age = await get(`/backoffice/${list}?age=5`);
        assert.equal(age.status, 400, list);
      }
      assert.equal((await get('/backoffice/escalations?contacted=maybe')).status, 400);
      assert.equal((await get('/backoffice/support?status=pending')).status, 400);
    });

    it('shows the lists to operators only', async () => {
      const partnerCookie = await h.signIn(day.partnerB);
      for (const list of ['orders', 'escalations', 'support']) {
        const res = await h.app.request(`/backoffice/${list}?partner=${day.partnerB.orgId}`, {
          headers: { Cookie: partnerCookie },
        });
        assert.equal(res.status, 404, list);
      }
    });
  });
}
