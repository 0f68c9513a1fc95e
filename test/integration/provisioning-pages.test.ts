import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { mapSubscription } from '../../src/modules/provisioning/service.ts';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

interface Order {
  id: string;
  lines: { id: string; subscriptionId: string; etag: string; provisioningContactEmail: string }[];
}

const START = '2026-12-01';

for (const engine of testEngines()) {
  describe(`provisioning actions on the order page (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    let cookie: string;
    let order: Order;

    const page = async (path: string, who = cookie) => h.app.request(path, { headers: { Cookie: who } });
    const post = (path: string, fields: Record<string, string>, who = cookie) =>
      h.app.request(path, formPost(fields, { Cookie: who }));
    const lineUrl = (o: Order, index: number, action: string) =>
      `/orders/${o.id}/lines/${o.lines[index]?.id}/${action}`;

    async function placeOrder(lines: number, reference?: string): Promise<Order> {
      const res = await h.api(partner, 'POST', '/api/v1/orders', {
        ...orderBody(reference ? { reference } : {}),
        lines: Array.from({ length: lines }, (_, i) => ({
          offer: 'A-WX',
          quantity: 10 + i,
          requestedStartDate: START,
          provisioningContactEmail: `it${i}@acme.example`,
        })),
      });
      assert.equal(res.status, 201);
      return (await res.json()) as Order;
    }

    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url, MAIL_FROM: 'provisioning@vendor.example' });
      partner = await h.tenant('partner', 'Northwind');
      order = await placeOrder(3, 'PO-PAGES');
      // The start date comes: the first emails go out and the lines await provisioning details.
      h.clock.set(new Date(`${START}T09:00:00Z`));
      await dispatchDueLines(h.ctx);
      await relayDueEmails(h.ctx);
      cookie = await h.signIn(partner);
    });
    after(async () => {
      await h?.close();
      await sink?.close();
    });

    it('shows Resend and Edit on each line, with the confirmation dialog and its script', async () => {
      const res = await page(`/orders/${order.id}`);
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.equal(html.match(/<dialog /g)?.length, 3);
      assert.match(html, /Do you want to resend the provisioning email to it0@acme\.example\?/);
      assert.match(html, /<script src="\/assets\/provisioning\.js" defer/);
      assert.match(html, new RegExp(`href="${lineUrl(order, 1, 'contact')}\\?return=`));
      const script = await h.app.request('/assets/provisioning.js');
      assert.equal(script.status, 200);
      assert.match(await script.text(), /showModal/);
      // Without script, the Resend link opens the same confirmation as a page.
      const confirm = await page(`${lineUrl(order, 0, 'resend')}?return=/orders/${order.id}`);
      assert.equal(confirm.status, 200);
      const confirmHtml = await confirm.text();
      assert.match(confirmHtml, /Resend confirmation[\s\S]*it0@acme\.example/);
      assert.match(confirmHtml, /<html lang="en"/);
      // The dialog's card fits a phone: the design system's modal article, buttons in its footer.
      assert.match(html, /<dialog [^>]*class="confirm-dialog"><article><form/);
    });

    it('resends and says so on the order page', async () => {
      const before = sink.received.length;
      const res = await post(lineUrl(order, 0, 'resend'), { return: `/orders/${order.id}` });
      assert.equal(res.status, 303);
      const location = res.headers.get('location') ?? '';
      assert.match(location, new RegExp(`^/orders/${order.id}\\?done=resent&line=`));
      const html = await (await page(location)).text();
      assert.match(html, /role="status"><p>The provisioning email was resent to it0@acme\.example\./);
      await relayDueEmails(h.ctx);
      await sink.waitFor(before + 1);
      assert.ok(sink.received.slice(before).some((m) => m.envelopeTo.includes('it0@acme.example')));
    });

    it('refuses a return address off the site or elsewhere on it', async () => {
      for (const target of ['https://evil.example/', '//evil.example/x']) {
        const res = await post(lineUrl(order, 1, 'resend'), { return: target });
        assert.equal(res.status, 303);
        assert.match(res.headers.get('location') ?? '', new RegExp(`^/orders/${order.id}\\?done=resent`));
      }
      for (const target of [
        '/login',
        `/orders/${order.id}/../x`,
        '/subscriptions/../login',
        '/\\evil.example',
      ]) {
        const res = await post(lineUrl(order, 2, 'contact'), {
          email: 'it2@acme.example',
          etag: '*',
          return: target,
        });
        assert.equal(res.status, 303);
        assert.match(
          res.headers.get('location') ?? '',
          new RegExp(`^/orders/${order.id}\\?done=contact_changed`),
        );
      }
      const res = await post(lineUrl(order, 2, 'contact'), {
        email: 'it2@acme.example',
        etag: '*',
        return: '/subscriptions?q=SUB',
      });
      assert.equal(res.status, 303);
      assert.match(res.headers.get('location') ?? '', /^\/subscriptions\?q=SUB&done=contact_changed&line=/);
    });

    it('after too many resends shows when to try again, the troubleshooting steps and a pre-filled case link', async () => {
      let res: Response | undefined;
      for (let i = 0; i < 5 && res?.status !== 429; i += 1)
        res = await post(lineUrl(order, 0, 'resend'), { return: `/orders/${order.id}` });
      assert.equal(res?.status, 429);
      assert.ok(Number(res?.headers.get('retry-after')) > 0);
      const html = (await res?.text()) ?? '';
      assert.match(html, /try again in \d+ minutes?\./);
      assert.match(html, /spam or junk/);
      assert.match(html, /provisioning@vendor\.example/);
      assert.match(html, /cache and cookies/);
      assert.match(html, /incognito/);
      const href = /href="(\/support\/cases\/new\?[^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&');
      assert.ok(href, 'a case link');
      const query = new URL(href, 'http://x').searchParams;
      assert.equal(query.get('requestType'), 'resend_provisioning_email');
      assert.equal(query.get('subscriptionId'), order.lines[0]?.subscriptionId);
      assert.match(query.get('description') ?? '', /it0@acme\.example/);
      // The support page opens the case form with those values.
      const caseForm = await page(href);
      assert.equal(caseForm.status, 200);
      const caseHtml = await caseForm.text();
      assert.ok(caseHtml.includes(order.lines[0]?.subscriptionId ?? '-'));
      assert.match(caseHtml, /value="resend_provisioning_email" selected/);
    });

    it('edits one line, then all lines, and the new address shows on each', async () => {
      const form = await page(lineUrl(order, 1, 'contact'));
      assert.equal(form.status, 200);
      const html = await form.text();
      const etag = /name="etag" value="([^"]+)"/.exec(html)?.[1]?.replaceAll('&quot;', '"');
      assert.ok(etag);
      assert.match(html, /Apply to all lines/);

      const bad = await post(lineUrl(order, 1, 'contact'), { email: 'not an address', etag });
      assert.equal(bad.status, 422);
      const badHtml = await bad.text();
      assert.match(badHtml, /id="error-email"/);
      assert.match(badHtml, /aria-invalid="true"/);
      // The summary at the top names the problem and links to the field; the label sits above it.
      assert.match(badHtml, /class="error-summary"[\s\S]*<a href="#email">[^<]+<\/a>/);
      assert.match(badHtml, /<label for="email">New provisioning contact email<\/label>/);
      assert.match(badHtml, /value="not an address"/);

      const one = await post(lineUrl(order, 1, 'contact'), { email: 'Team@Acme.example', etag });
      assert.equal(one.status, 303);
      const after = await (await page(one.headers.get('location') ?? '')).text();
      assert.match(after, /The provisioning contact was updated/);
      assert.equal(after.match(/class="contact-email">team@acme\.example</g)?.length, 1);

      // The form from before the change is stale now: it says so and shows the current address.
      const stale = await post(lineUrl(order, 1, 'contact'), { email: 'other@acme.example', etag });
      assert.equal(stale.status, 412);
      assert.match(await stale.text(), /Someone changed this line[^<]*team@acme\.example/);

      const fresh = await (await page(lineUrl(order, 1, 'contact'))).text();
      const etag2 = /name="etag" value="([^"]+)"/.exec(fresh)?.[1]?.replaceAll('&quot;', '"') ?? '';
      const all = await post(lineUrl(order, 1, 'contact'), {
        email: 'ops@acme.example',
        etag: etag2,
        applyToAllLines: 'on',
      });
      assert.equal(all.status, 303);
      const shown = await (await page(all.headers.get('location') ?? '')).text();
      assert.equal(shown.match(/class="contact-email">ops@acme\.example</g)?.length, 3);
    });

    it('a change whose email bounces shows the troubleshooting steps on the line, with a case link', async () => {
      sink.reject('bounce@acme.example', 550, 'mailbox unavailable');
      const later = () => h.clock.advance(60_000);
      later();
      const res = await post(lineUrl(order, 0, 'contact'), { email: 'bounce@acme.example', etag: '*' });
      assert.equal(res.status, 303);
      await relayDueEmails(h.ctx);
      const html = await (await page(`/orders/${order.id}`)).text();
      assert.match(html, /The last provisioning email to bounce@acme\.example could not be delivered\./);
      assert.match(html, /mailbox unavailable/);
      assert.match(html, /requestType=change_provisioning_contact_email/);
      // Changing it again to a working address clears the warning.
      later();
      await post(lineUrl(order, 0, 'contact'), { email: 'ops@acme.example', etag: '*' });
      await relayDueEmails(h.ctx);
      assert.doesNotMatch(await (await page(`/orders/${order.id}`)).text(), /could not be delivered/);
    });

    it('a viewer sees the buttons disabled and whom to ask', async () => {
      const placer = await h.db
        .selectFrom('users')
        .select('id')
        .where('email', '=', partner.email)
        .executeTakeFirstOrThrow();
      await h.db
        .updateTable('users')
        .set({ display_name: 'Giulia Rossi' })
        .where('id', '=', placer.id)
        .execute();
      await h.db
        .updateTable('orders')
        .set({ placed_by_user_id: placer.id })
        .where('id', '=', order.id)
        .execute();
      const viewer = {
        ...partner,
        email: `viewer@${partner.email.split('@')[1]}`,
      };
      await identity.createUser(h.ctx, {
        organizationId: partner.orgId,
        email: viewer.email,
        role: 'partner_viewer',
        password: viewer.password,
        locale: 'en',
      });
      const viewerCookie = await h.signIn(viewer);
      const html = await (await page(`/orders/${order.id}`, viewerCookie)).text();
      assert.equal(html.match(/<button type="button" disabled/g)?.length, 6);
      assert.match(
        html,
        new RegExp(`Ask the order placer, Giulia Rossi \\(${partner.email}\\), to resend or edit\\.`),
      );
      assert.doesNotMatch(html, /<dialog /);
      const refused = await post(
        lineUrl(order, 0, 'resend'),
        { return: `/orders/${order.id}` },
        viewerCookie,
      );
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /Giulia Rossi/);
    });

    it('after the point of no return shows the admin hub instead of the actions', async () => {
      const customer = await identity.createOrganization(h.ctx, {
        kind: 'customer',
        name: 'Acme',
        country: 'IT',
        domains: [],
      });
      const line = order.lines[2];
      assert.ok(line);
      await mapSubscription(h.ctx, line.subscriptionId, {
        partnerOrgId: partner.orgId,
        customerOrgId: customer.id,
      });
      const html = await (await page(`/orders/${order.id}`)).text();
      const hub = h.rt.config.adminHubUrl;
      assert.match(html, /signing in to the admin hub at <a href="[^"]+"[^>]*>/);
      assert.ok(html.includes(`href="${hub}"`));
      assert.equal(html.match(/<dialog /g)?.length, 2);
      const refused = await post(lineUrl(order, 2, 'resend'), { return: `/orders/${order.id}` });
      assert.equal(refused.status, 409);
      const text = await refused.text();
      assert.ok(text.includes(`href="${hub}"`));
      assert.doesNotMatch(text, /Open a case/);
    });

    it("another tenant's order or line is not found", async () => {
      const other = await h.tenant('partner', 'Other');
      const otherCookie = await h.signIn(other);
      assert.equal((await page(lineUrl(order, 0, 'contact'), otherCookie)).status, 404);
      assert.equal((await post(lineUrl(order, 0, 'resend'), {}, otherCookie)).status, 404);
      assert.equal((await page(`/orders/${order.id}/lines/${crypto.randomUUID()}/contact`)).status, 404);
    });

    it('speaks Russian with Russian plural forms', async () => {
      const fresh = await placeOrder(1);
      const ru = `${cookie}; provisio_lang=ru`;
      const html = await (await page(`/orders/${fresh.id}`, ru)).text();
      assert.match(html, /Письмо о подготовке будет отправлено/);
      assert.match(html, /Изменить/);
    });
  });
}
