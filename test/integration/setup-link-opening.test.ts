import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { escalateStalledLines } from '../../src/modules/provisioning/timers.ts';
import {
  formPost,
  type Harness,
  orderBody,
  PUBLIC_URL,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

const RSD = '2026-12-01';
const SENT = new Date(`${RSD}T09:00:00Z`);
const DAY_AFTER = new Date('2026-12-02T15:00:00Z');
const LINK = new RegExp(`${PUBLIC_URL}(/setup/[A-Za-z0-9_-]{43})`);

for (const engine of testEngines()) {
  describe(`only a person's use opens a setup link (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Scanned Partner');
    });
    after(() => h.close());

    /** Places a one-line order, sends its provisioning email, and returns the line and its link's path. */
    async function sentLine(contact: string): Promise<{ lineId: string; path: string }> {
      h.clock.set(new Date('2026-11-21T09:00:00Z'));
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { requestedStartDate: RSD, provisioningContactEmail: contact }),
      );
      assert.equal(res.status, 201);
      const lineId = ((await res.json()) as { lines: { id: string }[] }).lines[0]?.id ?? '';
      await dispatchAt(h, SENT);
      const email = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('to_address', '=', contact)
        .executeTakeFirstOrThrow();
      const path = LINK.exec(email.text_body)?.[1];
      assert.ok(path, 'the email carries a setup link');
      return { lineId, path };
    }

    const openedAt = async (lineId: string) =>
      (
        await h.db
          .selectFrom('order_lines')
          .select(['link_opened_at', 'escalated_at'])
          .where('id', '=', lineId)
          .executeTakeFirstOrThrow()
      ).link_opened_at;

    it('a HEAD or a GET (what mail scanners send) leaves the line unopened, and it is escalated', async () => {
      const { lineId, path } = await sentLine('scanned@acme.example');
      h.clock.set(new Date('2026-12-01T09:01:00Z'));
      const head = await h.app.request(path, { method: 'HEAD' });
      assert.equal(head.status, 200);
      const get = await h.app.request(path, { headers: { 'User-Agent': 'Mozilla/5.0 (scanner)' } });
      assert.equal(get.status, 200, 'the page is shown');
      assert.match(await get.text(), /<form method="post"/);
      assert.equal(await openedAt(lineId), null);
      const audit = await h.db
        .selectFrom('audit_events')
        .select('id')
        .where('action', '=', 'provisioning.link_opened')
        .where('entity_id', '=', lineId)
        .execute();
      assert.equal(audit.length, 0);

      h.clock.set(DAY_AFTER);
      assert.equal(await escalateStalledLines(h.ctx), 1);
      const row = await h.db
        .selectFrom('order_lines')
        .select('escalated_at')
        .where('id', '=', lineId)
        .executeTakeFirstOrThrow();
      assert.ok(row.escalated_at, 'the representative is told');
    });

    it('the first step a person posts marks it opened, once, and stops the escalation', async () => {
      const { lineId, path } = await sentLine('person@acme.example');
      h.clock.set(new Date('2026-12-01T10:00:00Z'));
      assert.equal((await h.app.request(path)).status, 200);
      assert.equal(await openedAt(lineId), null);
      const posted = await h.app.request(path, formPost({ step: 'start', nav: 'next' }));
      assert.equal(posted.status, 200);
      assert.deepEqual(await openedAt(lineId), new Date('2026-12-01T10:00:00Z'));
      h.clock.set(new Date('2026-12-01T11:00:00Z'));
      await h.app.request(path, formPost({ step: 'start', nav: 'next' }));
      assert.deepEqual(await openedAt(lineId), new Date('2026-12-01T10:00:00Z'), 'the first use is kept');

      h.clock.set(DAY_AFTER);
      assert.equal(await escalateStalledLines(h.ctx), 0);
    });
  });
}
