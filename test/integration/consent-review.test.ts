import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';

/** Faults found reviewing the consent requests of issue 14 (docs/adr/0022). */

const LINK = /http:\/\/provisio\.test(\/setup\/[A-Za-z0-9_-]{43})/;

for (const engine of testEngines()) {
  describe(`consent requests, review (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let victim: Tenant;
    let victimDomain: string;
    let day = 0;
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Ordering Partner');
      victim = await h.tenant('partner', 'Victim Partner');
      victimDomain = victim.email.split('@')[1] ?? '';
    });
    after(() => h?.close());

    const unique = () => randomBytes(3).toString('hex');

    async function order(contact: string) {
      day += 1;
      const start = `2026-12-${String(day).padStart(2, '0')}`;
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: contact, requestedStartDate: start }),
      );
      assert.equal(res.status, 201);
      const body = (await res.json()) as { lines: { subscriptionId: string }[] };
      h.clock.set(new Date(`${start}T09:00:00Z`));
      await dispatchDueLines(h.ctx);
      const mail = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('to_address', '=', contact)
        .orderBy('created_at', 'desc')
        .executeTakeFirst();
      const path = mail?.text_body.match(LINK)?.[1];
      assert.ok(path);
      return { path, subscriptionId: body.lines[0]?.subscriptionId ?? '' };
    }

    it('a request to join a partner while the customer sets up alone is explained in words, not a message key', async () => {
      const u = unique();
      const o = await order(`joiner@jp-${u}.example`);
      const waiting = await h.app.request(
        o.path,
        formPost({
          step: 'review',
          nav: 'next',
          role: 'customer',
          setupBy: 'customer',
          partnerPick: victim.orgId,
          partnerSearched: victimDomain,
          customerPick: 'create',
          customerName: `New Customer ${u}`,
          customerVertical: 'technology',
          customerCountry: 'IT',
          adminEmail: `boss@nc-${u}.example`,
        }),
      );
      assert.match(await waiting.text(), /Awaiting organization approval/);
      const hub = await (await h.app.request('/hub', { headers: { Cookie: await h.signIn(victim) } })).text();
      assert.match(hub, /\/hub\/requests\/[0-9a-f-]{36}\/approve/);
      assert.doesNotMatch(hub, /consent\.hub\./);
    });
  });
}
