import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { RESEND_LIMITS } from '../../src/platform/limits.ts';
import { queueEmail, relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const HOUR = 3_600_000;

/**
 * The system clock jumps back an hour (issue 14): times computed from it before the jump ("not
 * before", a limit's window) lie an hour ahead. Mail must not wait for that hour and a limit must not
 * refuse for longer than its own window, nor answer a Retry-After beyond it.
 */
for (const engine of testEngines()) {
  describe(`a clock moved back an hour (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;
    before(async () => {
      sink = await startSmtpSink({ parse: false });
      h = await startHarness(engine, { SMTP_URL: sink.url, MAIL_FROM: 'provisioning@vendor.example' });
      partner = await h.tenant('partner', 'Clock Partner');
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('does not hold back mail queued or deferred before the jump', async () => {
      sink.reject('busy@acme.example', 451, '4.3.0 Try again later');
      const mail = (to: string) => ({
        kind: 'test.clock',
        to,
        locale: 'en' as const,
        subject: 'Provisioning',
        html: '<p>Set up</p>',
        text: 'Set up',
      });
      const deferred = await queueEmail(h.ctx, mail('busy@acme.example'));
      assert.equal((await relayDueEmails(h.ctx)).retrying, 1, 'deferred 30 s by the server');
      const queued = await queueEmail(h.ctx, mail('fresh@acme.example'));
      sink.accept('busy@acme.example');

      h.clock.set(new Date(h.clock.now().getTime() - HOUR));
      const outcome = await relayDueEmails(h.ctx);
      assert.equal(outcome.sent, 2, 'both go out now, not an hour later');
      const rows = await h.db
        .selectFrom('outbox_emails')
        .select(['id', 'status'])
        .where('id', 'in', [deferred, queued])
        .execute();
      assert.deepEqual(rows.map((r) => r.status).sort(), ['sent', 'sent']);
    });

    it('limits resends for no longer than their window, with a Retry-After within it', async () => {
      const today = h.clock.now().toISOString().slice(0, 10);
      const booked = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { requestedStartDate: today }),
      );
      assert.equal(booked.status, 201);
      const order = (await booked.json()) as { id: string; lines: { id: string }[] };
      assert.equal((await dispatchDueLines(h.ctx)).lines, 1);
      const resend = () =>
        h.api(
          partner,
          'POST',
          `/api/v1/orders/${order.id}/lines/${order.lines[0]?.id}/provisioning-email/resend`,
        );
      const shortest = RESEND_LIMITS[0];
      for (let i = 0; i < shortest.max; i += 1) assert.equal((await resend()).status, 202);
      const limited = await resend();
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers.get('Retry-After')) <= shortest.windowSeconds);

      h.clock.set(new Date(h.clock.now().getTime() - HOUR));
      const after = await resend();
      // Before the fix: 429 with Retry-After ≈ 4200 s, and refused for the whole hour.
      if (after.status === 429)
        assert.ok(Number(after.headers.get('Retry-After')) <= shortest.windowSeconds, 'within the window');
      h.clock.advance(shortest.windowSeconds * 1000);
      assert.equal((await resend()).status, 202, 'allowed again once a window has passed');
    });
  });
}
