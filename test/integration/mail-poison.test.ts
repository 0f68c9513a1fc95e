import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  MAX_DELIVERY_ATTEMPTS,
  queueEmail,
  queueEmails,
  relayDueEmails,
} from '../../src/platform/mail/outbox.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const COUNT = 60;
const POISON = 'huge@acme.example';

const message = (to: string, subject: string) => ({
  kind: 'test.poison',
  to,
  locale: 'en' as const,
  subject,
  html: '<p>Set up now</p>',
  text: 'Set up now',
});

/** Message-IDs the sink received for these outbox ids, and how often. */
function deliveriesOf(sink: SmtpSink, ids: string[]): Map<string, number> {
  const wanted = new Set(ids.map((id) => `<${id}@vendor.example>`));
  const counts = new Map<string, number>();
  for (const { raw } of sink.received) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];
    if (id && wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function outboxRow(h: Harness, id: string) {
  return h.db.selectFrom('outbox_emails').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function health(h: Harness) {
  const res = await h.app.request('/healthz');
  assert.equal(res.status, 200);
  const body = (await res.json()) as { mail: { status: string; consecutiveFailures: number } };
  return body.mail;
}

for (const engine of testEngines()) {
  describe(`a message that makes the server drop the connection at DATA (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    before(async () => {
      sink = await startSmtpSink({ parse: false });
      h = await startHarness(engine, { SMTP_URL: sink.url, MAIL_FROM: 'provisioning@vendor.example' });
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('is counted, backs off and fails in the end; every other message goes out once, no outage', async () => {
      sink.dropAtData(POISON);
      const poison = await queueEmail(h.ctx, message(POISON, 'Provisioning information (too big)'));
      const others = await queueEmails(
        h.ctx,
        Array.from({ length: COUNT }, (_, i) =>
          message(`ok${i}@acme.example`, `Provisioning information ${i}`),
        ),
      );

      const first = await relayDueEmails(h.ctx);
      assert.deepEqual(first, { sent: COUNT, failed: 0, retrying: 1 });
      assert.equal(sink.droppedAtData(POISON), 1, 'the server saw the message and dropped the connection');
      const deferred = await outboxRow(h, poison);
      assert.equal(deferred.status, 'pending');
      assert.equal(deferred.attempts, 1, 'a message the server dropped us for is an attempt');
      assert.ok(deferred.not_before > h.clock.now(), 'and it waits before the next one');
      // Not yet due: the next run sends nothing, and does not probe a server that is fine.
      assert.deepEqual(await relayDueEmails(h.ctx), { sent: 0, failed: 0, retrying: 0 });
      assert.equal(sink.droppedAtData(POISON), 1);
      const state = await health(h);
      assert.equal(state.status, 'ok', 'one message is not an outage');
      assert.equal(state.consecutiveFailures, 0);

      let last = first;
      for (let i = 1; i < MAX_DELIVERY_ATTEMPTS; i += 1) {
        h.clock.advance(60 * 60_000);
        last = await relayDueEmails(h.ctx);
      }
      assert.deepEqual(last, { sent: 0, failed: 1, retrying: 0 });
      const failed = await outboxRow(h, poison);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attempts, MAX_DELIVERY_ATTEMPTS);
      assert.match(failed.last_error ?? '', /closed/i);
      assert.equal(sink.droppedAtData(POISON), MAX_DELIVERY_ATTEMPTS);

      // Given up: no further attempts.
      h.clock.advance(60 * 60_000);
      assert.deepEqual(await relayDueEmails(h.ctx), { sent: 0, failed: 0, retrying: 0 });
      assert.equal(sink.droppedAtData(POISON), MAX_DELIVERY_ATTEMPTS);

      const delivered = deliveriesOf(sink, others);
      assert.equal(delivered.size, COUNT, 'every other message arrived');
      assert.deepEqual([...new Set(delivered.values())], [1], 'each exactly once');
      assert.equal(deliveriesOf(sink, [poison]).size, 0);
      assert.equal((await health(h)).status, 'ok');
      assert.ok(!h.logs.some((l) => l.includes('the SMTP server cannot be reached')));
      assert.ok(!h.logs.some((l) => l.includes(POISON)), 'no address in the log');
    });

    it('a server killed mid-batch still gets every message, none failed, each once', async () => {
      const ids = await queueEmails(
        h.ctx,
        Array.from({ length: 300 }, (_, i) =>
          message(`mid${i}@acme.example`, `Provisioning information ${i}`),
        ),
      );
      const before = sink.received.length;
      // Killed while messages are in flight: some at MAIL FROM, some with their content on the way.
      const killed = sink.waitFor(before + 50, 30_000).then(() => sink.down());
      const first = await relayDueEmails(h.ctx);
      await killed;
      assert.equal(first.failed, 0);
      await sink.up();
      for (let i = 0; i < 20; i += 1) {
        h.clock.advance(60 * 60_000);
        await relayDueEmails(h.ctx);
      }
      const rows = await h.db.selectFrom('outbox_emails').select('status').where('id', 'in', ids).execute();
      assert.ok(
        rows.every((r) => r.status === 'sent'),
        'every message sent, none failed',
      );
      const delivered = deliveriesOf(sink, ids);
      assert.equal(delivered.size, ids.length, 'every message arrived');
      assert.deepEqual([...new Set(delivered.values())], [1], 'each exactly once');
    });
  });
}
