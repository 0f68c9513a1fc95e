import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MAX_DELIVERY_ATTEMPTS, queueEmail, relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const message = (to: string, subject = 'Provisioning information required for order PO-1') => ({
  kind: 'test.message',
  to,
  locale: 'it' as const,
  subject,
  html: '<p>Configura ora: <a href="http://provisio.test/setup/x">link</a></p>',
  text: 'Configura ora: http://provisio.test/setup/x',
});

async function outboxRow(h: Harness, id: string) {
  return h.db.selectFrom('outbox_emails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

for (const engine of testEngines()) {
  describe(`mail outbox over SMTP (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url, MAIL_FROM: 'Provisioning@Vendor.example' });
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('sends a queued message only once its transaction commits, with both parts and a stable Message-ID', async () => {
      const rolledBack = await h.db
        .transaction()
        .execute(async (tx) => {
          await queueEmail({ ...h.ctx, db: tx }, message('never@acme.example'));
          throw new Error('the change failed');
        })
        .catch(() => 'rolled back');
      assert.equal(rolledBack, 'rolled back');
      const id = await h.db
        .transaction()
        .execute((tx) => queueEmail({ ...h.ctx, db: tx }, message('it@acme.example')));

      const outcome = await relayDueEmails(h.ctx);
      assert.deepEqual(outcome, { sent: 1, failed: 0, retrying: 0 });
      const [mail] = await sink.waitFor(1);
      assert.deepEqual(mail?.envelopeTo, ['it@acme.example']);
      assert.equal(mail?.parsed.subject, 'Provisioning information required for order PO-1');
      assert.equal(mail?.parsed.from?.address, 'provisioning@vendor.example');
      assert.equal(mail?.parsed.messageId, `<${id}@vendor.example>`);
      assert.match(mail?.parsed.html ?? '', /setup\/x/);
      assert.match(mail?.parsed.text ?? '', /Configura ora/);
      assert.equal((await outboxRow(h, id)).status, 'sent');
      // Nothing left: a second relay sends nothing again.
      assert.deepEqual(await relayDueEmails(h.ctx), { sent: 0, failed: 0, retrying: 0 });
      assert.equal(sink.received.length, 1);
    });

    it("fails a message the server refuses for good (5xx), keeping the server's reason", async () => {
      sink.reject('gone@acme.example', 550, '5.1.1 Recipient address rejected: no such mailbox');
      const id = await queueEmail(h.ctx, message('gone@acme.example'));
      const outcome = await relayDueEmails(h.ctx);
      assert.equal(outcome.failed, 1);
      const row = await outboxRow(h, id);
      assert.equal(row.status, 'failed');
      assert.match(row.last_error ?? '', /550.*no such mailbox/);
    });

    it('retries a temporary refusal (4xx) later with back-off, then delivers', async () => {
      sink.reject('busy@acme.example', 451, '4.3.0 Try again later');
      const id = await queueEmail(h.ctx, message('busy@acme.example'));
      assert.equal((await relayDueEmails(h.ctx)).retrying, 1);
      const deferred = await outboxRow(h, id);
      assert.equal(deferred.status, 'pending');
      assert.ok(deferred.not_before > h.clock.now(), 'the retry waits');
      // Not yet due: nothing is attempted.
      assert.deepEqual(await relayDueEmails(h.ctx), { sent: 0, failed: 0, retrying: 0 });
      sink.accept('busy@acme.example');
      h.clock.advance(60_000);
      const before = sink.received.length;
      assert.equal((await relayDueEmails(h.ctx)).sent, 1);
      assert.equal(sink.received.length, before + 1);
      assert.equal((await outboxRow(h, id)).attempts, 2);
    });

    it(`gives up after ${MAX_DELIVERY_ATTEMPTS} temporary failures`, async () => {
      sink.reject('flaky@acme.example', 452, '4.2.2 Mailbox full');
      const id = await queueEmail(h.ctx, message('flaky@acme.example'));
      for (let i = 0; i < MAX_DELIVERY_ATTEMPTS; i += 1) {
        await relayDueEmails(h.ctx);
        h.clock.advance(60 * 60_000);
      }
      const row = await outboxRow(h, id);
      assert.equal(row.status, 'failed');
      assert.equal(row.attempts, MAX_DELIVERY_ATTEMPTS);
    });
  });

  describe(`mail without an SMTP server: the development mailbox (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    it('keeps the full message and shows it at /dev/mailbox with its links', async () => {
      await queueEmail(h.ctx, message('contact@acme.example', 'Informazioni <richieste>'));
      assert.equal((await relayDueEmails(h.ctx)).sent, 1);
      const list = await h.app.request('/dev/mailbox');
      assert.equal(list.status, 200);
      const listing = await list.text();
      assert.match(listing, /contact@acme\.example/);
      assert.match(listing, /Informazioni &lt;richieste&gt;/);
      const id = /href="\/dev\/mailbox\/(\d+)"/.exec(listing)?.[1];
      assert.ok(id);
      const page = await (await h.app.request(`/dev/mailbox/${id}`)).text();
      assert.match(page, /http:\/\/provisio\.test\/setup\/x/);
      const html = await h.app.request(`/dev/mailbox/${id}/html`);
      assert.match(html.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.match(await html.text(), /Configura ora/);
      const raw = await (await h.app.request(`/dev/mailbox/${id}/raw`)).text();
      assert.match(raw, /^Message-ID: </m);
      assert.equal((await h.app.request('/dev/mailbox/999999')).status, 404);
      assert.equal((await h.app.request('/dev/mailbox/abc')).status, 404);
    });

    it('is not there in production', async () => {
      const sink = await startSmtpSink();
      const prod = await startHarness(engine, {
        NODE_ENV: 'production',
        SMTP_URL: sink.url,
        WEBHOOK_SECRETS_KEY: Buffer.alloc(32, 5).toString('base64'),
      });
      try {
        assert.equal((await prod.app.request('/dev/mailbox')).status, 404);
      } finally {
        await prod.close();
        await sink.close();
      }
    });
  });
}
