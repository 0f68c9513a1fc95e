import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const LINK = /http:\/\/provisio\.test(\/setup\/[A-Za-z0-9_-]{43})/;
const form = (fields: Record<string, string>, cookie?: string): RequestInit => ({
  method: 'POST',
  headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...(cookie ? { Cookie: cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
});

for (const engine of testEngines()) {
  describe(`the wizard pages (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let day = 0;
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Page Partner');
    });
    after(() => h?.close());

    async function linkPath(contact: string, locale: string) {
      day += 1;
      const start = `2026-12-${String(day).padStart(2, '0')}`;
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({ locale }, { provisioningContactEmail: contact, requestedStartDate: start }),
      );
      const order = (await res.json()) as { id: string; lines: { id: string }[] };
      h.clock.set(new Date(`${start}T09:00:00Z`));
      await dispatchDueLines(h.ctx);
      const mail = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('to_address', '=', contact)
        .orderBy('created_at', 'desc')
        .executeTakeFirstOrThrow();
      const path = mail.text_body.match(LINK)?.[1];
      assert.ok(path);
      return { path, orderId: order.id, lineId: order.lines[0]?.id ?? '' };
    }

    it("opens in the order's language, switches language, keeps no referrer and no cache", async () => {
      const { path } = await linkPath('it@lang.example', 'it');
      const res = await h.app.request(path);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('Referrer-Policy'), 'no-referrer');
      assert.equal(res.headers.get('Cache-Control'), 'no-store');
      const html = await res.text();
      assert.match(html, /<html lang="it"/);
      assert.match(html, /Imposta il tuo abbonamento/);
      assert.match(html, /contatta il tuo rappresentante/);
      assert.match(await (await h.app.request(`${path}?lang=ru`)).text(), /<html lang="ru"/);
      assert.match(
        await (await h.app.request(path, { headers: { Cookie: 'provisio_lang=uk' } })).text(),
        /<html lang="uk"/,
      );
    });

    it('validates each step server-side and keeps the choices in the page only', async () => {
      const { path } = await linkPath('it@steps.example', 'en');
      const missing = await h.app.request(path, form({ step: 'role', nav: 'next' }));
      assert.equal(missing.status, 422);
      assert.match(await missing.text(), /Choose who this order is for is required/);
      const next = await h.app.request(path, form({ step: 'role', nav: 'next', role: 'customer' }));
      const html = await next.text();
      assert.match(html, /Who will set up the services\?/);
      assert.match(html, /<input type="hidden" name="role" value="customer"/);
      const back = await h.app.request(path, form({ step: 'setup_by', nav: 'back', role: 'customer' }));
      assert.match(await back.text(), /id="role-customer" name="role" value="customer" checked/);
      const setups = await h.db
        .selectFrom('subscriptions')
        .select('mapped_at')
        .where('mapped_at', 'is not', null)
        .execute();
      assert.deepEqual(setups, []);
    });

    it('hands the line over: a contact change in the Transaction Manager by the link, and the old link ends', async () => {
      const { path, lineId } = await linkPath('first@handoff.example', 'en');
      const bad = await h.app.request(
        path,
        form({ step: 'role', nav: 'next', role: 'someone_else', handoffEmail: 'nope' }),
      );
      assert.equal(bad.status, 422);
      const res = await h.app.request(
        path,
        form({ step: 'role', nav: 'next', role: 'someone_else', handoffEmail: 'Second@Handoff.example' }),
      );
      assert.equal(res.status, 200);
      assert.match(await res.text(), /We sent the provisioning email to second@handoff\.example/);
      const tx = await h.db
        .selectFrom('provisioning_transactions')
        .select(['type', 'actor_type', 'old_email', 'new_email'])
        .where('line_id', '=', lineId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(tx, {
        type: 'provisioning_email_update',
        actor_type: 'link',
        old_email: 'first@handoff.example',
        new_email: 'second@handoff.example',
      });
      assert.equal((await h.app.request(path)).status, 410);
      assert.equal((await h.app.request(path, form({ step: 'start', nav: 'next' }))).status, 410);
      const mail = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('to_address', '=', 'second@handoff.example')
        .executeTakeFirstOrThrow();
      const moved = mail.text_body.match(LINK)?.[1];
      assert.ok(moved && moved !== path);
      assert.equal((await h.app.request(moved)).status, 200);
    });
  });
}
