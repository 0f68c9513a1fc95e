import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOrganization, createUser } from '../../src/modules/identity/service.ts';
import { closeExpiredPolicyWindows, escalateStalledLines } from '../../src/modules/provisioning/timers.ts';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { dispatchAt, mapLine, markLinkOpened } from '../support/provisioning-state.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

const DAY = 86_400_000;
const RSD = '2026-12-01';
const SENT = new Date(`${RSD}T09:00:00Z`);
const at = (days: number, hours = 0) => new Date(SENT.getTime() + days * DAY + hours * 3_600_000);

interface Placed {
  orderId: string;
  lineIds: string[];
  subscriptionIds: string[];
}

async function place(h: Harness, tenant: Tenant, offers: string[]): Promise<Placed> {
  h.clock.set(new Date('2026-11-21T09:00:00Z'));
  const body = orderBody({}, {});
  body.lines = offers.map((offer, i) => ({
    offer,
    quantity: 10,
    requestedStartDate: RSD,
    provisioningContactEmail: `it${i}@acme.example`,
  }));
  const res = await h.api(tenant, 'POST', '/api/v1/orders', body);
  assert.equal(res.status, 201);
  const order = (await res.json()) as { id: string; lines: { id: string; subscriptionId: string }[] };
  return {
    orderId: order.id,
    lineIds: order.lines.map((l) => l.id),
    subscriptionIds: order.lines.map((l) => l.subscriptionId),
  };
}

async function lineRow(h: Harness, lineId: string) {
  return h.db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .select(['l.status', 'l.escalated_at', 's.billing_started_at', 's.billing_start_reason'])
    .where('l.id', '=', lineId)
    .executeTakeFirstOrThrow();
}

async function auditCount(h: Harness, action: string, entityId: string): Promise<number> {
  const rows = await h.db
    .selectFrom('audit_events')
    .select('id')
    .where('action', '=', action)
    .where('entity_id', '=', entityId)
    .execute();
  return rows.length;
}

for (const engine of testEngines()) {
  describe(`provisioning timers (${engine})`, () => {
    let h: Harness;
    let sink: SmtpSink;
    let partner: Tenant;

    before(async () => {
      sink = await startSmtpSink();
      h = await startHarness(engine, { SMTP_URL: sink.url, ESCALATION_EMAIL: 'escalations@vendor.example' });
      partner = await h.tenant('partner', 'Timers Partner');
      await h.db
        .updateTable('organizations')
        .set({ account_rep_email: 'rep@vendor.example' })
        .where('id', '=', partner.orgId)
        .execute();
    });
    after(async () => {
      await h.close();
      await sink.close();
    });

    it('escalates once, one day after the start date, to the account representative; two runtimes racing send one email', async () => {
      const { lineIds } = await place(h, partner, ['A-WX']);
      const lineId = lineIds[0] ?? '';
      await dispatchAt(h, SENT);
      h.clock.set(at(0, 12));
      assert.equal(await escalateStalledLines(h.ctx), 0, 'not yet: the start date itself');
      h.clock.set(at(1, 6));
      const other = await h.sibling();
      try {
        const results = await Promise.all([
          escalateStalledLines(h.rt.systemContext('a')),
          escalateStalledLines(other.rt.systemContext('b')),
          escalateStalledLines(h.rt.systemContext('c')),
        ]);
        assert.equal(
          results.reduce((a, b) => a + b, 0),
          1,
        );
      } finally {
        await other.close();
      }
      assert.equal(await escalateStalledLines(h.ctx), 0, 'a rerun does nothing');
      assert.ok((await lineRow(h, lineId)).escalated_at);
      assert.equal(await auditCount(h, 'provisioning.escalated', lineId), 1);
      const before = sink.received.length;
      await relayDueEmails(h.ctx);
      const mail = await sink.waitFor(before + 1);
      const escalations = mail.filter((m) => m.envelopeTo.includes('rep@vendor.example'));
      assert.equal(escalations.length, 1);
      assert.match(escalations[0]?.parsed.text ?? '', /it0@acme\.example/);
      assert.match(escalations[0]?.parsed.text ?? '', /\/orders\//);
    });

    it('writes to the representative in their own language when they have an account', async () => {
      const vendor = await createOrganization(h.ctx, { kind: 'vendor', name: 'Vendor Ops' });
      await createUser(h.ctx, {
        organizationId: vendor.id,
        email: 'olena.rep@vendor.example',
        role: 'operator',
        locale: 'uk',
      });
      const other = await h.tenant('partner', 'Timers Partner UA');
      await h.db
        .updateTable('organizations')
        .set({ account_rep_email: 'olena.rep@vendor.example' })
        .where('id', '=', other.orgId)
        .execute();
      const { lineIds } = await place(h, other, ['A-WX']);
      await dispatchAt(h, SENT);
      h.clock.set(at(1, 6));
      assert.equal(await escalateStalledLines(h.ctx), 1);
      assert.ok((await lineRow(h, lineIds[0] ?? '')).escalated_at);
      const row = await h.db
        .selectFrom('outbox_emails')
        .select(['locale', 'to_address', 'subject'])
        .where('kind', '=', 'provisioning.escalation')
        .where('to_address', '=', 'olena.rep@vendor.example')
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, {
        locale: 'uk',
        to_address: 'olena.rep@vendor.example',
        subject: 'Підготовку не розпочато: 1 підписка',
      });
    });

    it('does not escalate a line whose link was opened, and counts the day in the partner’s time zone', async () => {
      const opened = await place(h, partner, ['A-SPK']);

      const west = await h.tenant('partner', 'Pacific Partner');
      await h.db
        .updateTable('organizations')
        .set({ time_zone: 'America/Los_Angeles' })
        .where('id', '=', west.orgId)
        .execute();
      const late = await place(h, west, ['A-WX']);
      await dispatchAt(h, SENT);
      await markLinkOpened(h, opened.lineIds[0] ?? '', at(0, 2));

      // 2 Dec 05:00 UTC is still 1 Dec in Los Angeles.
      h.clock.set(new Date('2026-12-02T05:00:00Z'));
      await escalateStalledLines(h.ctx);
      assert.equal((await lineRow(h, opened.lineIds[0] ?? '')).escalated_at, null);
      assert.equal((await lineRow(h, late.lineIds[0] ?? '')).escalated_at, null);
      h.clock.set(new Date('2026-12-02T09:00:00Z'));
      assert.equal(await escalateStalledLines(h.ctx), 1);
      assert.equal((await lineRow(h, opened.lineIds[0] ?? '')).escalated_at, null);
      // No account representative: the configured escalation address.
      const rows = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('kind', '=', 'provisioning.escalation')
        .where('to_address', '=', 'escalations@vendor.example')
        .execute();
      assert.equal(rows.length, 1);
      assert.match(rows[0]?.text_body ?? '', new RegExp(late.subscriptionIds[0] ?? '-'));
    });

    it('sends one digest per representative per run, listing the lines, each escalated once; a rerun sends nothing', async () => {
      const withRep = async (name: string, rep: string) => {
        const tenant = await h.tenant('partner', name);
        await h.db
          .updateTable('organizations')
          .set({ account_rep_email: rep })
          .where('id', '=', tenant.orgId)
          .execute();
        return tenant;
      };
      const a = await withRep('Digest Partner A', 'digest.a@vendor.example');
      const b = await withRep('Digest Partner B', 'digest.b@vendor.example');
      const many = await place(
        h,
        a,
        Array.from({ length: 50 }, () => 'A-WX'),
      );
      const few = await place(h, b, ['A-WX', 'A-SPK']);
      await dispatchAt(h, SENT);
      h.clock.set(at(1, 6));
      const before = sink.received.length;
      const counted = async () => (await h.rt.metrics.counters.escalations.get()).values[0]?.value ?? 0;
      const countedBefore = await counted();
      assert.equal(await escalateStalledLines(h.ctx), 52);
      assert.equal((await counted()) - countedBefore, 52, '/metrics counts each line escalated');
      await relayDueEmails(h.ctx);
      const mail = (await sink.waitFor(before + 2)).slice(before);
      const toA = mail.filter((m) => m.envelopeTo.includes('digest.a@vendor.example'));
      const toB = mail.filter((m) => m.envelopeTo.includes('digest.b@vendor.example'));
      assert.equal(toA.length, 1, 'one email for 50 lines');
      assert.equal(toB.length, 1);
      assert.equal(toA[0]?.parsed.subject, 'Provisioning not started: 50 subscriptions');
      const text = toA[0]?.parsed.text ?? '';
      for (const id of many.subscriptionIds) assert.ok(text.includes(id), `${id} is listed`);
      for (const id of few.subscriptionIds) assert.ok((toB[0]?.parsed.text ?? '').includes(id));
      const listUrl =
        /http:\/\/provisio\.test(\/backoffice\/escalations\?representative=digest\.a%40vendor\.example)/;
      assert.match(text, listUrl);

      // The link lists the lines this representative was told about, to an operator.
      const vendor = await createOrganization(h.ctx, { kind: 'vendor', name: 'Digest Vendor' });
      const operator = {
        orgId: vendor.id,
        apiKey: '',
        email: 'ops.digest@vendor.example',
        password: 'operator password 1',
      };
      await createUser(h.ctx, {
        organizationId: vendor.id,
        email: operator.email,
        role: 'operator',
        password: operator.password,
        locale: 'en',
      });
      const list = await h.app.request(listUrl.exec(text)?.[1] ?? '', {
        headers: { Cookie: await h.signIn(operator) },
      });
      assert.equal(list.status, 200);
      const listed = await list.text();
      assert.match(listed, /digest\.a@vendor\.example/);
      for (const id of many.subscriptionIds) assert.ok(listed.includes(id));
      for (const id of few.subscriptionIds) assert.ok(!listed.includes(id), 'another representative’s line');
      for (const lineId of [...many.lineIds, ...few.lineIds]) {
        assert.ok((await lineRow(h, lineId)).escalated_at, 'marked escalated');
        assert.equal(await auditCount(h, 'provisioning.escalated', lineId), 1);
      }

      h.clock.set(at(1, 7));
      assert.equal(await escalateStalledLines(h.ctx), 0, 'a second run finds nothing');
      await relayDueEmails(h.ctx);
      const queued = await h.db
        .selectFrom('outbox_emails')
        .select('id')
        .where('kind', '=', 'provisioning.escalation')
        .where('to_address', 'in', ['digest.a@vendor.example', 'digest.b@vendor.example'])
        .execute();
      assert.equal(queued.length, 2, 'nothing more was queued');
    });

    it('closes an A-FLEX line after 7 days and an A-WX line after 30, starting billing once; a mapped line never closes', async () => {
      const { lineIds, subscriptionIds } = await place(h, partner, ['A-FLEX', 'A-WX', 'A-FLEX-3']);
      const [flex = '', wx = '', mapped = ''] = lineIds;
      await dispatchAt(h, SENT);
      await mapLine(h, mapped, at(2));

      h.clock.set(at(6, 23));
      await closeExpiredPolicyWindows(h.ctx);
      assert.equal((await lineRow(h, flex)).status, 'awaiting_provisioning_details');

      h.clock.set(at(7, 1));
      const other = await h.sibling();
      try {
        await Promise.all([
          closeExpiredPolicyWindows(h.rt.systemContext('a')),
          closeExpiredPolicyWindows(other.rt.systemContext('b')),
        ]);
      } finally {
        await other.close();
      }
      await closeExpiredPolicyWindows(h.ctx);
      const closed = await lineRow(h, flex);
      assert.equal(closed.status, 'closed');
      assert.equal(closed.billing_start_reason, 'policy');
      assert.deepEqual(closed.billing_started_at, at(7, 1));
      assert.equal(await auditCount(h, 'subscription.billing_started', subscriptionIds[0] ?? ''), 1);
      // Two changes in all: the start-date email (scheduled → awaiting), then closed, once.
      assert.equal(await auditCount(h, 'order_line.status_changed', flex), 2);
      assert.equal((await lineRow(h, wx)).status, 'awaiting_provisioning_details');
      assert.equal((await lineRow(h, wx)).billing_started_at, null);

      // Everything was stopped until well past the 30 days: the overdue line closes when the job next runs.
      h.clock.set(at(45));
      await closeExpiredPolicyWindows(h.ctx);
      assert.equal((await lineRow(h, wx)).status, 'closed');
      assert.equal((await lineRow(h, wx)).billing_start_reason, 'policy');
      const neverClosed = await lineRow(h, mapped);
      assert.equal(neverClosed.status, 'awaiting_provisioning_details');
      assert.equal(neverClosed.billing_started_at, null);
    });
  });
}
