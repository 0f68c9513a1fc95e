import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  OUTAGE_RETRY_SECONDS,
  queueEmails,
  relayDueEmails,
  retryDelaySeconds,
} from '../../src/platform/mail/outbox.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const COUNT = 300;

const messages = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    kind: 'test.outage',
    to: `${prefix}${i}@acme.example`,
    locale: 'en' as const,
    subject: `Provisioning information ${prefix} ${i}`,
    html: '<p>Set up now</p>',
    text: 'Set up now',
  }));

/** Message-IDs the sink received for these outbox ids: every one must be there exactly once. */
function deliveriesOf(sink: SmtpSink, ids: string[]): Map<string, number> {
  const wanted = new Set(ids.map((id) => `<${id}@vendor.example>`));
  const counts = new Map<string, number>();
  for (const { raw } of sink.received) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];
    if (id && wanted.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function pending(h: Harness): Promise<number> {
  const rows = await h.db.selectFrom('outbox_emails').select('id').where('status', '=', 'pending').execute();
  return rows.length;
}

/** Relays until nothing is left, moving the clock past each retry's delay (at most `rounds` runs). */
async function relayUntilEmpty(h: Harness, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds && (await pending(h)) > 0; i += 1) {
    await relayDueEmails(h.ctx);
    h.clock.advance((retryDelaySeconds(1) + 1) * 1000);
  }
}

async function health(h: Harness) {
  const res = await h.app.request('/healthz');
  assert.equal(res.status, 200, 'mail trouble does not make the process unhealthy');
  const body = (await res.json()) as {
    mail: { status: string; consecutiveFailures: number; lastErrorCode: string | null; backlog: number };
  };
  return body.mail;
}

for (const engine of testEngines()) {
  describe(`mail through an SMTP outage (${engine})`, () => {
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

    it('a server that is down (connection refused) and comes back gets every message exactly once', async () => {
      const ids = await queueEmails(h.ctx, messages('down', COUNT));
      await sink.down();

      // Every send settles (before the fix, 5 failed and the rest never settled: this run hung).
      const outage = await relayDueEmails(h.ctx);
      assert.equal(outage.sent, 0);
      assert.equal(outage.failed, 0, 'an outage never fails a message for good');
      assert.equal(await pending(h), COUNT);
      const attempts = await h.db
        .selectFrom('outbox_emails')
        .select('attempts')
        .where('id', 'in', ids)
        .execute();
      assert.ok(
        attempts.every((r) => r.attempts === 0),
        'attempts the server never saw are not counted',
      );
      const failing = await health(h);
      assert.equal(failing.status, 'failing');
      assert.equal(failing.lastErrorCode, 'ECONNREFUSED');
      assert.ok(failing.consecutiveFailures >= 1);
      assert.equal(failing.backlog, COUNT);
      const warnings = h.logs.filter((l) => l.includes('the SMTP server cannot be reached'));
      assert.ok(warnings.length >= 1 && warnings.length <= 3, 'one line per failed batch, not per message');
      assert.ok(!warnings.some((l) => l.includes('@acme.example')), 'no address in the log');

      // Still down a minute later: one probe, nothing claimed.
      h.clock.advance((OUTAGE_RETRY_SECONDS + 1) * 1000);
      assert.deepEqual(await relayDueEmails(h.ctx), { sent: 0, failed: 0, retrying: 0 });
      assert.ok((await health(h)).consecutiveFailures >= 2);

      await sink.up();
      h.clock.advance((OUTAGE_RETRY_SECONDS + 1) * 1000);
      await relayUntilEmpty(h);
      const delivered = deliveriesOf(sink, ids);
      assert.equal(delivered.size, COUNT, 'every message arrived');
      assert.deepEqual([...new Set(delivered.values())], [1], 'each exactly once');
      const back = await health(h);
      assert.equal(back.status, 'ok');
      assert.equal(back.consecutiveFailures, 0);
      assert.ok(h.logs.some((l) => l.includes('the SMTP server answers again')));
    });

    it('a server that drops connections mid-batch gets every message exactly once', async () => {
      const ids = await queueEmails(h.ctx, messages('drop', COUNT));
      sink.dropNextSessions(4);
      const first = await relayDueEmails(h.ctx);
      assert.ok(first.retrying >= 1, 'the dropped sessions left messages to retry');
      assert.equal(first.failed, 0);
      await relayUntilEmpty(h);
      assert.equal(await pending(h), 0);
      const delivered = deliveriesOf(sink, ids);
      assert.equal(delivered.size, COUNT, 'every message arrived');
      assert.deepEqual([...new Set(delivered.values())], [1], 'each exactly once');
    });
  });

  describe(`mail to a server that hangs or refuses the session (${engine})`, () => {
    let h: Harness;
    let server: net.Server;
    let mode: 'silent' | 'busy' = 'silent';
    before(async () => {
      // Accepts TCP, then either never greets or answers "421 busy" and hangs up: not an SMTP sink.
      server = net.createServer((socket) => {
        socket.on('error', () => undefined);
        if (mode === 'busy') socket.end('421 4.3.2 Service not available, try later\r\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as net.AddressInfo;
      h = await startHarness(engine, {
        SMTP_URL: `smtp://127.0.0.1:${port}?greetingTimeout=300&connectionTimeout=300&socketTimeout=300`,
        MAIL_FROM: 'provisioning@vendor.example',
      });
    });
    after(async () => {
      await h.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('a server that never greets times out: every send settles and the relay says so', async () => {
      mode = 'silent';
      await queueEmails(h.ctx, messages('slow', 20));
      const outcome = await relayDueEmails(h.ctx);
      assert.deepEqual(outcome, { sent: 0, failed: 0, retrying: 20 });
      assert.equal((await health(h)).lastErrorCode, 'ETIMEDOUT');
    });

    it('a server answering 421 is an outage: nothing fails for good', async () => {
      mode = 'busy';
      h.clock.advance((OUTAGE_RETRY_SECONDS + 1) * 1000);
      // The relay knows the server is failing: it probes once and claims nothing.
      assert.deepEqual(await relayDueEmails(h.ctx), { sent: 0, failed: 0, retrying: 0 });
      const state = await health(h);
      assert.equal(state.lastErrorCode, '421');
      assert.equal(state.backlog, 20);
      assert.equal(await pending(h), 20);
    });
  });
}
