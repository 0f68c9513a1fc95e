import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import type { TransactionView } from '../../src/modules/provisioning/schema.ts';
import { mapSubscription } from '../../src/modules/provisioning/service.ts';
import type { ProblemBody } from '../../src/platform/http.ts';
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

const LINK = /http:\/\/provisio\.test\/setup\/[A-Za-z0-9_-]{43}/g;
const linksIn = (text: string | undefined) => [...new Set(text?.match(LINK) ?? [])];
const path = (url: string) => url.slice('http://provisio.test'.length);

for (const engine of testEngines()) {
  describe(`provisioning story (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url });
      partner = await h.tenant('partner', 'Kiwi Partner');
      await h.db
        .updateTable('organizations')
        .set({ time_zone: 'Pacific/Auckland' })
        .where('id', '=', partner.orgId)
        .execute();
    });
    after(async () => {
      await h?.close();
      await sink?.close();
    });

    const mailTo = (address: string) => sink.received.filter((m) => m.envelopeTo.includes(address));
    const relay = async (count: number) => {
      await relayDueEmails(h.ctx);
      return sink.waitFor(count);
    };
    const transactionStatus = async (id: string) =>
      h.db
        .selectFrom('provisioning_transactions')
        .select(['status', 'failure_reason'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();

    it('books, sends on the partner-zone start date, opens, resends, hands over and stops at the point of no return', async () => {
      const utcPartner = await h.tenant('partner', 'UTC Partner');
      const base = { quantity: 5, offer: 'A-WX', requestedStartDate: '2026-11-25' };
      const res = await h.api(partner, 'POST', '/api/v1/orders', {
        ...orderBody({ reference: 'PO-KIWI', locale: 'it' }),
        lines: [
          { ...base, provisioningContactEmail: 'a@acme.example' },
          { ...base, provisioningContactEmail: 'a@acme.example' },
          { ...base, provisioningContactEmail: 'b@acme.example' },
        ],
      });
      assert.equal(res.status, 201);
      const order = (await res.json()) as {
        id: string;
        lines: { id: string; subscriptionId: string; etag: string }[];
      };
      const [l1, l2, l3] = order.lines;
      assert.ok(l1 && l2 && l3);
      assert.equal(l1.etag, '"v1"');
      assert.equal(
        (
          await h.api(
            utcPartner,
            'POST',
            '/api/v1/orders',
            orderBody({}, { requestedStartDate: '2026-11-25' }),
          )
        ).status,
        201,
      );

      assert.deepEqual(await dispatchDueLines(h.ctx), { lines: 0, emails: 0 });
      // Midnight of 25 November in Auckland is 11:00 UTC on the 24th; the UTC partner's line waits.
      h.clock.set(new Date('2026-11-24T10:59:59Z'));
      assert.deepEqual(await dispatchDueLines(h.ctx), { lines: 0, emails: 0 });
      h.clock.set(new Date('2026-11-24T11:00:00Z'));
      assert.deepEqual(await dispatchDueLines(h.ctx), { lines: 3, emails: 2 });
      assert.deepEqual(await dispatchDueLines(h.ctx), { lines: 0, emails: 0 });
      await relay(2);
      const [toA] = mailTo('a@acme.example');
      assert.ok(toA);
      assert.equal(toA.parsed.subject, "Informazioni di provisioning richieste per l'ordine PO-KIWI");
      const firstLinks = linksIn(toA.parsed.text);
      assert.equal(firstLinks.length, 2);
      assert.deepEqual(linksIn(toA.parsed.html), firstLinks);
      const [link3] = linksIn(mailTo('b@acme.example')[0]?.parsed.text);
      assert.ok(link3);
      const line = (await (
        await h.api(partner, 'GET', `/api/v1/orders/${order.id}/lines/${l1.id}`)
      ).json()) as {
        status: string;
      };
      assert.equal(line.status, 'awaiting_provisioning_details');

      // Opening a link shows the line; the first step a person posts records the first opening.
      const [link1, link2] = firstLinks as [string, string];
      const page = await h.app.request(path(link1));
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.match(await page.text(), /PO-KIWI/);
      assert.equal((await h.app.request(path(link1), formPost({ step: 'start', nav: 'next' }))).status, 200);
      const opened = await h.db
        .selectFrom('order_lines')
        .select('link_opened_at')
        .where('id', '=', l1.id)
        .executeTakeFirstOrThrow();
      assert.ok(opened.link_opened_at);

      // Resend: a new email with a new link; the old link explains it was replaced.
      const resend = await h.api(
        partner,
        'POST',
        `/api/v1/orders/${order.id}/lines/${l1.id}/provisioning-email/resend`,
      );
      assert.equal(resend.status, 202);
      const resent = (await resend.json()) as TransactionView;
      assert.equal(resent.type, 'provisioning_email_resend');
      assert.equal(resent.status, 'submitted');
      assert.equal(resent.actor.label, 'test');
      await relay(3);
      const newLink1 = linksIn(mailTo('a@acme.example')[1]?.parsed.text);
      assert.equal(newLink1.length, 1);
      assert.notEqual(newLink1[0], link1);
      assert.equal((await transactionStatus(resent.id)).status, 'sent');
      const replaced = await h.app.request(path(link1));
      assert.match(await replaced.text(), /replaced by a newer email/);

      // Change the contact of every line: the new contact gets one email, the old ones a notice.
      const current = await h.api(partner, 'GET', `/api/v1/orders/${order.id}/lines/${l1.id}`);
      const etag = current.headers.get('etag') ?? '';
      const change = await h.api(
        partner,
        'PUT',
        `/api/v1/orders/${order.id}/lines/${l1.id}/provisioning-contact`,
        { email: ' C@Acme.example ', applyToAllLines: true },
        { 'If-Match': etag },
      );
      assert.equal(change.status, 200);
      assert.notEqual(change.headers.get('etag'), etag);
      const { transactions } = (await change.json()) as { transactions: TransactionView[] };
      assert.equal(transactions.length, 3);
      await relay(6);
      const toC = mailTo('c@acme.example');
      assert.equal(toC.length, 1);
      assert.equal(linksIn(toC[0]?.parsed.text).length, 3);
      for (const old of ['a@acme.example', 'b@acme.example']) {
        const notice = mailTo(old).at(-1);
        assert.ok(notice);
        assert.equal(linksIn(notice.parsed.text).length + linksIn(notice.parsed.html).length, 0);
        assert.match(notice.parsed.text ?? '', /c@acme\.example/);
      }
      for (const old of [link2, link3])
        assert.match(await (await h.app.request(path(old))).text(), /handed to another contact/);
      for (const t of transactions) assert.equal((await transactionStatus(t.id)).status, 'sent');

      // The point of no return.
      await mapSubscription(h.ctx, l1.subscriptionId, {
        partnerOrgId: partner.orgId,
        customerOrgId: partner.orgId,
      });
      const refusedResend = await h.api(
        partner,
        'POST',
        `/api/v1/orders/${order.id}/lines/${l1.id}/provisioning-email/resend`,
      );
      assert.equal(refusedResend.status, 409);
      const problem = (await refusedResend.json()) as ProblemBody;
      assert.equal(problem.code, 'point_of_no_return');
      assert.match(problem.detail, /admin hub at http:\/\/provisio\.test\/hub/);
      const refusedChange = await h.api(
        partner,
        'PUT',
        `/api/v1/orders/${order.id}/lines/${l1.id}/provisioning-contact`,
        { email: 'd@acme.example' },
        { 'If-Match': '*' },
      );
      assert.equal(refusedChange.status, 409);
      const mappedPage = await h.app.request(path(linksIn(toC[0]?.parsed.text)[0] ?? ''));
      assert.match(await mappedPage.text(), /Already set up/);
      await assert.rejects(
        mapSubscription(h.ctx, l1.subscriptionId, {
          partnerOrgId: partner.orgId,
          customerOrgId: partner.orgId,
        }),
        { code: 'already_mapped' },
      );

      // A mail server's permanent refusal fails the transaction with its reason.
      sink.reject('bounce@acme.example', 550, 'Mailbox unavailable');
      const bounced = await h.api(
        partner,
        'PUT',
        `/api/v1/orders/${order.id}/lines/${l2.id}/provisioning-contact`,
        { email: 'bounce@acme.example' },
        { 'If-Match': '*' },
      );
      assert.equal(bounced.status, 200);
      const [failing] = ((await bounced.json()) as { transactions: TransactionView[] }).transactions;
      assert.ok(failing);
      await relayDueEmails(h.ctx);
      await sink.waitFor(7);
      const settled = await transactionStatus(failing.id);
      assert.equal(settled.status, 'failed');
      assert.match(settled.failure_reason ?? '', /Mailbox unavailable/);

      // Unknown links get a page, and no token ever reaches the log.
      const unknown = await h.app.request('/setup/not-a-token');
      assert.equal(unknown.status, 404);
      assert.match(await unknown.text(), /not valid/);
      const tokens = [...firstLinks, link3, ...newLink1].map((l) => l.split('/').at(-1) ?? '');
      for (const token of tokens)
        assert.ok(!h.logs.some((line) => line.includes(token)), 'a token was logged');
    });
  });
}
