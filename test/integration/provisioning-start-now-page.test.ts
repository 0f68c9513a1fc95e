import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LANG_COOKIE } from '../../src/platform/http.ts';
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
  lines: { id: string; requestedStartDate: string; status: string; provisioningContactEmail: string }[];
}

/**
 * Start now on the order page: offered only on a line booked for a later day whose email has not gone
 * out, confirmed by a dialog saying what changes, done by the same service as the API's
 * startProvisioningNow; the page then shows the line as started.
 */
for (const engine of testEngines()) {
  describe(`Start now on the order page (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    let cookie: string;
    let order: Order;

    const page = (path: string, who = cookie) => h.app.request(path, { headers: { Cookie: who } });
    const startNow = (o: Order, i = 0) => `/orders/${o.id}/lines/${o.lines[i]?.id}/start-now`;
    const today = () => h.clock.now().toISOString().slice(0, 10);

    async function place(start: string, email: string): Promise<Order> {
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { requestedStartDate: start, provisioningContactEmail: email }),
      );
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as Order;
    }

    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url, MAIL_FROM: 'provisioning@vendor.example' });
      partner = await h.tenant('partner', 'Northwind');
      order = await place('2027-03-01', 'later@acme.example');
      cookie = await h.signIn(partner);
    });
    after(async () => {
      await h?.close();
      await sink?.close();
    });

    it('offers Start now on a future line, with a confirmation saying the date becomes today and the email goes now', async () => {
      const html = await (await page(`/orders/${order.id}`)).text();
      assert.match(html, new RegExp(`href="${startNow(order)}\\?return=[^"]*" data-dialog="start-now-`));
      assert.match(html, /<dialog id="start-now-[^"]+" aria-labelledby="start-now-title-/);
      assert.match(html, /Start provisioning now\?/);
      assert.match(
        html,
        /The start date becomes today and the provisioning email goes to later@acme\.example now, instead of on the date booked\./,
      );
      assert.match(html, new RegExp(`<form method="post" action="${startNow(order)}">`));
      // Without script, the link opens the same confirmation as a page.
      const confirm = await page(`${startNow(order)}?return=/orders/${order.id}`);
      assert.equal(confirm.status, 200);
      assert.match(
        await confirm.text(),
        /<h1 id="confirm-title">Start provisioning now\?<\/h1>[\s\S]*later@acme\.example now/,
      );
    });

    it('says it in the language the user chose (Italian)', async () => {
      const html = await (await page(`/orders/${order.id}`, `${cookie}; ${LANG_COOKIE}=it`)).text();
      assert.match(html, />Avvia ora</);
      assert.match(html, /Avviare ora il provisioning\?/);
      assert.match(html, /La data di inizio diventa oggi/);
    });

    it('starts it: the date becomes today, the email goes out, the page shows the line started', async () => {
      const sent = sink.received.length;
      const res = await h.app.request(
        startNow(order),
        formPost({ return: `/orders/${order.id}` }, { Cookie: cookie }),
      );
      assert.equal(res.status, 303, await res.clone().text());
      const location = res.headers.get('location') ?? '';
      assert.match(
        location,
        new RegExp(`^/orders/${order.id}\\?done=started_now&line=${order.lines[0]?.id}$`),
      );

      const html = await (await page(location)).text();
      assert.match(
        html,
        /role="status"><p>Provisioning started: the email is on its way to later@acme\.example\./,
      );
      assert.doesNotMatch(html, /data-dialog="start-now-/);
      // What was a scheduled line now offers Resend, as a sent one does.
      assert.match(html, /data-dialog="resend-/);
      assert.match(html, /badge-warning">Awaiting Provisioning Details</);

      const line = (await (await h.api(partner, 'GET', `/api/v1/orders/${order.id}`)).json()) as Order;
      assert.equal(line.lines[0]?.requestedStartDate, today());
      assert.equal(line.lines[0]?.status, 'awaiting_provisioning_details');

      await relayDueEmails(h.ctx);
      await sink.waitFor(sent + 1);
      assert.ok(sink.received.slice(sent).some((m) => m.envelopeTo.includes('later@acme.example')));
    });

    it('refuses a second Start now with a page that says why, nothing sent again', async () => {
      const res = await h.app.request(
        startNow(order),
        formPost({ return: `/orders/${order.id}` }, { Cookie: cookie }),
      );
      assert.equal(res.status, 409);
      const html = await res.text();
      assert.match(html, /<h1>Provisioning could not be started now<\/h1>/);
      assert.doesNotMatch(html, /prov-trouble/);
    });

    it('does not offer it on a line due today, nor to a partner who may not act on the order', async () => {
      const due = await place(today(), 'today@acme.example');
      assert.doesNotMatch(await (await page(`/orders/${due.id}`)).text(), /data-dialog="start-now-/);
      const stranger = await h.tenant('partner', 'Stranger');
      const res = await h.app.request(
        startNow(order),
        formPost({ return: `/orders/${order.id}` }, { Cookie: await h.signIn(stranger) }),
      );
      assert.equal(res.status, 404);
    });
  });
}
