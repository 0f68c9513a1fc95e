import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeExpiredPolicyWindows, escalateStalledLines } from '../../src/modules/provisioning/timers.ts';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const DAY = 86_400_000;
const SENT = new Date('2026-12-01T09:00:00Z');
const at = (days: number, hours = 0) => new Date(SENT.getTime() + days * DAY + hours * 3_600_000);

interface Line {
  id: string;
  subscriptionId: string;
}

async function place(h: Harness, tenant: Tenant, reference: string, offers: string[], start = '2026-12-01') {
  h.clock.set(new Date('2026-11-21T09:00:00Z'));
  const body = orderBody({ reference });
  body.lines = offers.map((offer) => ({
    offer,
    quantity: 5,
    requestedStartDate: start,
    provisioningContactEmail: 'it@acme.example',
  }));
  const res = await h.api(tenant, 'POST', '/api/v1/orders', body);
  assert.equal(res.status, 201);
  return (await res.json()) as { id: string; lines: Line[] };
}

/** Signs in afresh: the tests move the clock past a session's lifetime. */
async function page(h: Harness, tenant: Tenant, path: string, lang = 'en') {
  const cookie = await h.signIn(tenant);
  const res = await h.app.request(path, { headers: { Cookie: `${cookie}; provisio_lang=${lang}` } });
  return { status: res.status, html: await res.text() };
}

for (const engine of testEngines()) {
  describe(`line timeline, Cloud/SaaS Subscriptions and Transaction Manager (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    let other: Tenant;
    let order: { id: string; lines: Line[] };
    let waiting: { id: string; lines: Line[] };

    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url });
      partner = await h.tenant('partner', 'Views Partner');
      other = await h.tenant('partner', 'Other Partner');
      order = await place(h, partner, 'PO-TIMELINE', ['A-FLEX']);
      // This order starts two days later: it is still inside its policy window when the other closes.
      waiting = await place(h, partner, 'PO-WAITING', ['A-FLEX', 'A-WX'], '2026-12-03');
      const line = order.lines[0]?.id ?? '';
      await dispatchAt(h, SENT);
      h.clock.set(at(0, 3));
      const change = await h.api(
        partner,
        'PUT',
        `/api/v1/orders/${order.id}/lines/${line}/provisioning-contact`,
        {
          email: 'ops@acme.example',
        },
        { 'If-Match': '*' },
      );
      assert.equal(change.status, 200);
      await relayDueEmails(h.ctx);
      // The new mailbox goes away: the resend fails for good.
      sink.reject('ops@acme.example', 550, 'mailbox unavailable');
      h.clock.set(at(0, 4));
      const resend = await h.api(
        partner,
        'POST',
        `/api/v1/orders/${order.id}/lines/${line}/provisioning-email/resend`,
      );
      assert.equal(resend.status, 202);
      await relayDueEmails(h.ctx);
      h.clock.set(at(1, 1));
      await escalateStalledLines(h.ctx);
      await dispatchAt(h, at(2, 1));
      h.clock.set(at(7, 1));
      await closeExpiredPolicyWindows(h.ctx);
      h.clock.set(at(4, 1));
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('shows each waiting line’s deadline, with plural forms, and the pending message on a closed line', async () => {
      const en = await page(h, partner, `/orders/${waiting.id}`);
      assert.equal(en.status, 200);
      assert.match(en.html, /Billing starts in 5 days/);
      assert.match(en.html, /Billing starts in 28 days/);
      const ru = await page(h, partner, `/orders/${waiting.id}`, 'ru');
      assert.match(ru.html, /Оплата начнётся через 5 дней/);
      h.clock.set(at(3, 1));
      const one = await page(h, partner, `/orders/${waiting.id}`, 'ru');
      assert.match(one.html, /через 6 дней/);
      h.clock.set(at(8, 1));
      assert.match((await page(h, partner, `/orders/${waiting.id}`, 'ru')).html, /через 1 день/);
      h.clock.set(at(4, 1));
      const closed = await page(h, partner, `/orders/${order.id}`);
      assert.match(closed.html, /Provisioning is still pending for this subscription/);
      assert.match(closed.html, /<a href="\/subscriptions">Click here<\/a>/);
      assert.match(closed.html, /Closed/);
    });

    it('lists a line’s history in order with who did it and the next step, on the page and in the API', async () => {
      const line = order.lines[0]?.id ?? '';
      const res = await h.api(partner, 'GET', `/api/v1/orders/${order.id}/lines/${line}/history`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as {
        entries: { kind: string; actor: string | null; text: string }[];
        next: { key: string; text: string };
      };
      assert.deepEqual(
        body.entries.map((e) => e.kind),
        ['ordered', 'email_sent', 'contact_changed', 'resent', 'escalated', 'billing_started', 'closed'],
      );
      assert.equal(body.entries[0]?.actor, 'test');
      assert.equal(body.entries[1]?.text, 'Provisioning email sent to it@acme.example');
      assert.equal(
        body.entries[2]?.text,
        'Provisioning contact changed from it@acme.example to ops@acme.example',
      );
      assert.equal(body.entries[2]?.actor, 'test');
      assert.equal(body.entries[6]?.actor, 'Provisio');
      assert.equal(body.next.key, 'billing_started_pending');
      assert.equal(
        body.next.text,
        'Billing started on Dec 8, 2026 under the policy; provisioning is still pending.',
      );

      const waitingLine = waiting.lines[0]?.id ?? '';
      const fragment = await page(h, partner, `/orders/${waiting.id}/lines/${waitingLine}/history`);
      assert.match(fragment.html, /Billing starts on Dec 10, 2026 if nobody sets it up\./);
      const it = await h.api(
        partner,
        'GET',
        `/api/v1/orders/${waiting.id}/lines/${waitingLine}/history`,
        undefined,
        {
          'Accept-Language': 'it',
        },
      );
      assert.match(
        ((await it.json()) as { next: { text: string } }).next.text,
        /La fatturazione inizia il 10 dic 2026/,
      );

      const fresh = await place(h, partner, 'PO-FRESH', ['A-WX']);
      const onPage = await page(h, partner, `/orders/${fresh.id}`);
      const historyUrl = `/orders/${fresh.id}/lines/${fresh.lines[0]?.id}/history`;
      assert.match(onPage.html, new RegExp(`<details class="line-history" hx-get="${historyUrl}"`));
      const freshHistory = await page(h, partner, historyUrl);
      assert.match(freshHistory.html, /The provisioning email goes to it@acme\.example on Dec 1, 2026\./);
      h.clock.set(at(4, 1));

      const stranger = await h.api(other, 'GET', `/api/v1/orders/${order.id}/lines/${line}/history`);
      assert.equal(stranger.status, 404);
      assert.equal((await page(h, other, `/orders/${order.id}/lines/${line}/history`)).status, 404);
    });

    it('lists pending subscriptions, closed lines included, with their actions; search; other tenants see none', async () => {
      const list = await page(h, partner, '/subscriptions');
      assert.equal(list.status, 200);
      const closedSub = order.lines[0]?.subscriptionId ?? '';
      assert.match(list.html, new RegExp(`id="subscription-${closedSub}"`));
      assert.match(list.html, /Billing started on Dec 8, 2026/);
      assert.match(list.html, /Billing starts in 5 days/);
      // The order page's Resend and Edit, coming back here: a closed line can still be provisioned.
      const closedLine = order.lines[0]?.id ?? '';
      assert.match(list.html, /<input type="hidden" name="return" value="\/subscriptions"\/>/);
      assert.match(
        list.html,
        new RegExp(`href="/orders/${order.id}/lines/${closedLine}/contact\\?return=%2Fsubscriptions"`),
      );
      const cookie = await h.signIn(partner);
      const resent = await h.app.request(
        `/orders/${order.id}/lines/${closedLine}/resend`,
        formPost({ return: '/subscriptions' }, { Cookie: cookie }),
      );
      assert.equal(resent.status, 303);
      assert.match(resent.headers.get('location') ?? '', /^\/subscriptions\?done=resent&line=/);
      const after = await h.app.request(resent.headers.get('location') ?? '', {
        headers: { Cookie: cookie },
      });
      assert.equal(after.status, 200);
      const search = await page(h, partner, `/subscriptions?q=${closedSub}`);
      assert.equal((search.html.match(/id="subscription-/g) ?? []).length, 1);
      const byEmail = await page(h, partner, '/subscriptions?q=ops%40acme.example');
      assert.equal((byEmail.html.match(/id="subscription-/g) ?? []).length, 1);
      const paged = await page(h, partner, '/subscriptions?cursor=bm9wZQ');
      assert.equal(paged.status, 422);
      const theirs = await page(h, other, '/subscriptions');
      assert.doesNotMatch(theirs.html, /id="subscription-/);
    });

    it('Transaction Manager: filters by type and status, searches by subscription, pages, hides other tenants', async () => {
      const sub = order.lines[0]?.subscriptionId ?? '';
      const all = await h.api(partner, 'GET', '/api/v1/transactions');
      assert.equal(all.status, 200);
      const items = ((await all.json()) as { items: { type: string; status: string; actor: string }[] })
        .items;
      assert.deepEqual(
        items.map((i) => i.type),
        // Newest first: the resend from the Cloud/SaaS page, the failed one, then the contact change.
        ['provisioning_email_resend', 'provisioning_email_resend', 'provisioning_email_update'],
      );
      const updates = (await (
        await h.api(partner, 'GET', '/api/v1/transactions?type=provisioning_email_update')
      ).json()) as { items: { oldEmail: string; newEmail: string; status: string }[] };
      assert.equal(updates.items.length, 1);
      assert.equal(updates.items[0]?.newEmail, 'ops@acme.example');
      const failed = (await (await h.api(partner, 'GET', '/api/v1/transactions?status=failed')).json()) as {
        items: { failureReason: string }[];
      };
      assert.match(failed.items[0]?.failureReason ?? '', /550/);
      const bySub = (await (
        await h.api(partner, 'GET', `/api/v1/transactions?subscriptionId=${sub}`)
      ).json()) as { items: unknown[] };
      assert.equal(bySub.items.length, 3);
      const first = (await (await h.api(partner, 'GET', '/api/v1/transactions?limit=2')).json()) as {
        items: { type: string }[];
        nextCursor: string;
      };
      assert.deepEqual(
        first.items.map((i) => i.type),
        ['provisioning_email_resend', 'provisioning_email_resend'],
      );
      const second = (await (
        await h.api(partner, 'GET', `/api/v1/transactions?limit=2&cursor=${first.nextCursor}`)
      ).json()) as { items: { type: string }[]; nextCursor: string | null };
      assert.equal(second.items[0]?.type, 'provisioning_email_update');
      assert.equal(second.nextCursor, null);

      const tampered = await h.api(partner, 'GET', '/api/v1/transactions?cursor=WyJ4Iiwi');
      assert.equal(tampered.status, 422);
      assert.match(await tampered.text(), /"cursor"/);

      const theirs = (await (await h.api(other, 'GET', '/api/v1/transactions')).json()) as {
        items: unknown[];
      };
      assert.equal(theirs.items.length, 0);
      const theirSearch = (await (
        await h.api(other, 'GET', `/api/v1/transactions?subscriptionId=${sub}`)
      ).json()) as { items: unknown[] };
      assert.equal(theirSearch.items.length, 0);

      const html = await page(h, partner, '/transactions?type=provisioning_email_resend');
      assert.equal(html.status, 200);
      assert.match(html.html, /Provisioning email resend/);
      assert.doesNotMatch(html.html, /<td>Provisioning email update<\/td>/);
      assert.match(html.html, /Failed/);
      assert.match(html.html, /Change View/);
      assert.match(html.html, /href="\/transactions"/);
      const updatesPage = await page(
        h,
        partner,
        `/transactions?type=provisioning_email_update&subscriptionId=${sub}`,
      );
      assert.match(updatesPage.html, /it@acme\.example → ops@acme\.example/);
      assert.match(updatesPage.html, /badge-success">Completed</);
      assert.equal((await page(h, partner, '/transactions?status=nope')).status, 422);
    });

    it('the History link without script opens a whole page; htmx gets the fragment', async () => {
      const line = order.lines[0]?.id ?? '';
      const url = `/orders/${order.id}/lines/${line}/history`;
      const full = await page(h, partner, url, 'it');
      assert.equal(full.status, 200);
      assert.match(full.html, /^<!DOCTYPE html><html lang="it"/i);
      assert.match(full.html, /<title>[^<]*SUB-/);
      assert.match(full.html, /<main[\s>]/);
      assert.match(full.html, new RegExp(`<a href="/orders/${order.id}">`));
      const cookie = await h.signIn(partner);
      const res = await h.app.request(url, { headers: { Cookie: cookie, 'HX-Request': 'true' } });
      const fragment = await res.text();
      assert.match(fragment, /^<div class="timeline"/);
      assert.doesNotMatch(fragment, /<html/);
    });

    it('one contact change reads the same on every line it touched, emailed now or on the start date', async () => {
      const tenant = await h.tenant('partner', 'Mixed Partner S.r.l.');
      const now = h.clock.now();
      const today = now.toISOString().slice(0, 10);
      const body = orderBody({ reference: 'PO-MIXED' });
      body.lines = [today, '2027-02-01'].map((start) => ({
        offer: 'A-FLEX',
        quantity: 1,
        requestedStartDate: start,
        provisioningContactEmail: 'it@mixed.example',
      }));
      const placed = await h.api(tenant, 'POST', '/api/v1/orders', body);
      assert.equal(placed.status, 201);
      const mixed = (await placed.json()) as { id: string; lines: Line[] };
      await dispatchAt(h, now);
      const [sentLine, laterLine] = mixed.lines;
      const change = await h.api(
        tenant,
        'PUT',
        `/api/v1/orders/${mixed.id}/lines/${sentLine?.id}/provisioning-contact`,
        { email: 'new@mixed.example', applyToAllLines: true },
        { 'If-Match': '*' },
      );
      assert.equal(change.status, 200);
      await relayDueEmails(h.ctx);
      const stored = (await (await h.api(tenant, 'GET', '/api/v1/transactions')).json()) as {
        items: { status: string }[];
      };
      // The API keeps telling them apart: one email went now, the other goes on the start date.
      assert.deepEqual(stored.items.map((i) => i.status).sort(), ['completed', 'sent']);
      const list = await page(h, tenant, '/transactions');
      assert.equal((list.html.match(/badge-success">Completed</g) ?? []).length, 2);
      assert.doesNotMatch(list.html, /badge-[a-z]+">Sent</);
      for (const line of [sentLine, laterLine]) {
        const history = await page(h, tenant, `/orders/${mixed.id}/lines/${line?.id}/history`);
        assert.match(
          history.html,
          /Provisioning contact changed from it@mixed\.example to new@mixed\.example/,
        );
      }
    });
  });
}
