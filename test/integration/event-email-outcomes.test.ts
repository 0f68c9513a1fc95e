import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { escalateStalledLines } from '../../src/modules/provisioning/timers.ts';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { eventRows, failEventWrites } from '../support/events.ts';
import {
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  TODAY,
  testEngines,
} from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

/**
 * What the mail server did with each provisioning email becomes one event per line the email carried,
 * written when the relay records the outcome (a real SMTP server answers); an escalation, one event
 * per line escalated, in the escalation's transaction.
 */

interface OrderJson {
  id: string;
  orderNumber: string;
  lines: { id: string; lineNumber: number; subscriptionId: string; etag: string }[];
}

for (const engine of testEngines()) {
  describe(`provisioning email and escalation events (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;

    /** An order starting today: its start-date email goes out at the next dispatch. */
    const placeToday = async (contacts: string[]) => {
      const body = orderBody({}, { requestedStartDate: TODAY });
      body.lines = contacts.map(
        (c) => ({ ...body.lines[0], provisioningContactEmail: c }) as (typeof body.lines)[0],
      );
      const res = await h.api(partner, 'POST', '/api/v1/orders', body);
      assert.equal(res.status, 201);
      return (await res.json()) as OrderJson;
    };
    const ofOrder = async (type: string, order: OrderJson) =>
      (await eventRows(h, type)).filter((r) => r.order_id === order.id);
    const ref = (order: OrderJson, line: OrderJson['lines'][number]) => ({
      orderId: order.id,
      orderNumber: order.orderNumber,
      lineId: line.id,
      lineNumber: line.lineNumber,
      subscriptionId: line.subscriptionId,
    });
    const pendingEmailLines = async () =>
      Number(
        (
          await h.db
            .selectFrom('provisioning_email_lines')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    before(async () => {
      sink = await startSmtpSink({ parse: false });
      h = await startHarness(engine, { SMTP_URL: sink.url });
      partner = await h.tenant('partner', 'Mail Partner');
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('line.provisioning_email_sent (start): one per line of each email, once the server took it', async () => {
      const order = await placeToday(['it@acme.example', 'it@acme.example', 'ops@acme.example']);
      await dispatchAt(h, h.clock.now());
      assert.deepEqual(await ofOrder('line.provisioning_email_sent', order), [], 'nothing before the relay');
      const outcome = await relayDueEmails(h.ctx);
      assert.ok(outcome.sent >= 2);
      const rows = await ofOrder('line.provisioning_email_sent', order);
      const byLine = (a: { lineNumber: number }, b: { lineNumber: number }) => a.lineNumber - b.lineNumber;
      assert.deepEqual(
        rows.map((r) => r.data as { lineNumber: number }).sort(byLine),
        order.lines.map((l, i) => ({
          ...ref(order, l),
          to: i < 2 ? 'it@acme.example' : 'ops@acme.example',
          kind: 'start',
        })),
      );
      for (const r of rows) {
        assert.equal(r.partner_org_id, partner.orgId);
        assert.equal(r.placed_by_org_id, partner.orgId);
      }
      assert.equal(await pendingEmailLines(), 0, 'an outcome is told once');
      await relayDueEmails(h.ctx);
      assert.equal((await ofOrder('line.provisioning_email_sent', order)).length, 3);
    });

    it('line.provisioning_email_failed: the server’s reason, for a start email it refused for good', async () => {
      sink.reject('gone@acme.example', 550, '5.1.1 Recipient address rejected: no such mailbox');
      const order = await placeToday(['gone@acme.example']);
      await dispatchAt(h, h.clock.now());
      await relayDueEmails(h.ctx);
      const [row] = await ofOrder('line.provisioning_email_failed', order);
      const line = order.lines[0];
      assert.ok(row && line);
      const { reason, ...rest } = row.data as { reason: string };
      assert.deepEqual(rest, { ...ref(order, line), to: 'gone@acme.example', kind: 'start' });
      assert.match(reason, /550.*no such mailbox/);
      assert.deepEqual(await ofOrder('line.provisioning_email_sent', order), []);
      sink.accept('gone@acme.example');
    });

    it('kind resend and contact_changed: the emails a resend and a contact change send', async () => {
      const order = await placeToday(['first@acme.example']);
      const line = order.lines[0];
      assert.ok(line);
      await dispatchAt(h, h.clock.now());
      await relayDueEmails(h.ctx);
      const linePath = `/api/v1/orders/${order.id}/lines/${line.id}`;
      assert.equal((await h.api(partner, 'POST', `${linePath}/provisioning-email/resend`)).status, 202);
      await relayDueEmails(h.ctx);
      const changed = await h.api(
        partner,
        'PUT',
        `${linePath}/provisioning-contact`,
        { email: 'second@acme.example' },
        { 'If-Match': '*' },
      );
      assert.equal(changed.status, 200);
      await relayDueEmails(h.ctx);
      const sent = (await ofOrder('line.provisioning_email_sent', order)).map(
        (r) => r.data as { kind: string; to: string },
      );
      assert.deepEqual(
        sent.map((d) => [d.kind, d.to]),
        [
          ['start', 'first@acme.example'],
          ['resend', 'first@acme.example'],
          ['contact_changed', 'second@acme.example'],
        ],
      );
      const transactions = await h.db
        .selectFrom('provisioning_transactions')
        .select('status')
        .where('line_id', '=', line.id)
        .execute();
      assert.deepEqual(
        transactions.map((t) => t.status),
        ['sent', 'sent'],
        'the transactions are still settled',
      );
    });

    it('line.escalated: one per line escalated, with its start date, once', async () => {
      const order = await placeToday(['quiet@acme.example', 'quiet@acme.example']);
      await dispatchAt(h, h.clock.now());
      h.clock.set(new Date(`${TODAY}T09:00:00Z`));
      h.clock.advance(26 * 60 * 60 * 1000);
      await escalateStalledLines(h.ctx);
      const rows = await ofOrder('line.escalated', order);
      assert.deepEqual(
        rows.map((r) => r.data),
        order.lines.map((l) => ({ ...ref(order, l), requestedStartDate: TODAY })),
      );
      assert.deepEqual(
        rows.map((r) => r.partner_org_id),
        [partner.orgId, partner.orgId],
      );
      await escalateStalledLines(h.ctx);
      assert.equal((await ofOrder('line.escalated', order)).length, 2);
    });

    it('an outcome or an escalation whose events cannot be written is not recorded either', async () => {
      h.clock.set(new Date(`${TODAY}T09:00:00Z`));
      const order = await placeToday(['atomic@acme.example']);
      const line = order.lines[0];
      assert.ok(line);
      await dispatchAt(h, h.clock.now());
      await failEventWrites(h, true);
      try {
        await assert.rejects(relayDueEmails(h.ctx), /events refused/);
      } finally {
        await failEventWrites(h, false);
      }
      const outbox = await h.db
        .selectFrom('outbox_emails')
        .select('status')
        .where('to_address', '=', 'atomic@acme.example')
        .execute();
      assert.deepEqual(
        outbox.map((m) => m.status),
        ['pending'],
        'not marked sent without its events',
      );
      const remembered = await h.db
        .selectFrom('provisioning_email_lines')
        .select('line_id')
        .where('line_id', '=', line.id)
        .execute();
      assert.equal(remembered.length, 1, 'the lines it carries are still remembered');
      // The claim runs out and the relay sends again (at least once), now with its events.
      h.clock.advance(10 * 60 * 1000);
      await relayDueEmails(h.ctx);
      assert.equal((await ofOrder('line.provisioning_email_sent', order)).length, 1);

      h.clock.set(new Date(`${TODAY}T09:00:00Z`));
      h.clock.advance(26 * 60 * 60 * 1000);
      await failEventWrites(h, true);
      try {
        await assert.rejects(escalateStalledLines(h.ctx), /events refused/);
      } finally {
        await failEventWrites(h, false);
      }
      const escalated = await h.db
        .selectFrom('order_lines')
        .select('escalated_at')
        .where('id', '=', line.id)
        .executeTakeFirstOrThrow();
      assert.equal(escalated.escalated_at, null, 'not escalated without its event');
      await escalateStalledLines(h.ctx);
      assert.equal((await ofOrder('line.escalated', order)).length, 1);
    });
  });
}
