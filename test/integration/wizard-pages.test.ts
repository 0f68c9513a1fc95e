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

    async function linkPath(
      contact: string,
      locale: string,
      endCustomer?: { name: string; country: string },
    ) {
      day += 1;
      const start = `2026-12-${String(day).padStart(2, '0')}`;
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody(
          { locale, ...(endCustomer ? { endCustomer } : {}) },
          { provisioningContactEmail: contact, requestedStartDate: start },
        ),
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
      // The "do not continue" warning goes with an organization shown, not with the first step.
      assert.doesNotMatch(html, /contatta il tuo rappresentante/);
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
      const refused = await missing.text();
      // Written for people: the instruction, not "<question> is required.", linked from the summary.
      assert.match(refused, /<a href="#role">Choose who this order is for<\/a>/);
      assert.doesNotMatch(refused, /is required/);
      const setupBy = await h.app.request(path, form({ step: 'setup_by', nav: 'next', role: 'customer' }));
      const setupByHtml = await setupBy.text();
      assert.match(setupByHtml, /Choose who will set up the services/);
      assert.doesNotMatch(setupByHtml, /is required/);
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

    it('prefills the create form from the order, asks for a country in words, and says whose address matched', async () => {
      const { path } = await linkPath('it@prefill.example', 'en', { name: 'Bright Dental', country: 'US' });
      const customer = await h.app.request(path, form({ step: 'role', nav: 'next', role: 'my_company' }));
      const html = await customer.text();
      assert.match(html, /<input value="Bright Dental"[^>]*name="customerName"/);
      assert.match(html, /<option value="US" selected="">United States<\/option>/);
      assert.match(html, /name="nav" value="back"/);
      const refused = await h.app.request(
        path,
        form({
          step: 'customer',
          nav: 'next',
          role: 'my_company',
          customerPick: 'create',
          customerName: 'Bright Dental',
        }),
      );
      assert.equal(refused.status, 422);
      const text = await refused.text();
      assert.match(text, /<a href="#customerCountry">Choose a country or region<\/a>/);
      assert.match(text, /<a href="#customerVertical">Choose a business vertical<\/a>/);
      assert.doesNotMatch(text, /two-letter|is required/);
      const admin = await h.app.request(
        path,
        form({ step: 'admin', nav: 'next', role: 'customer', setupBy: 'self', partnerPick: 'create' }),
      );
      assert.match(await admin.text(), /Enter the customer admin(&#39;|')s email address/);
    });

    it('after Confirm says what is now set up and what comes next, with the action; a used link offers a button', async () => {
      const { path } = await linkPath('owner@confirmed.example', 'en', {
        name: 'Confirmed Co',
        country: 'IT',
      });
      const state = {
        role: 'my_company',
        customerPick: 'create',
        customerName: 'Confirmed Co',
        customerVertical: 'retail',
        customerCountry: 'IT',
      };
      const review = await h.app.request(path, form({ step: 'customer', nav: 'next', ...state }));
      assert.match(await review.text(), /Review and confirm/);
      const done = await h.app.request(path, form({ step: 'review', nav: 'confirm', ...state }));
      assert.equal(done.status, 200);
      const html = await done.text();
      const sub = await h.db
        .selectFrom('subscriptions as s')
        .innerJoin('order_lines as l', 'l.id', 's.line_id')
        .select('s.id')
        .where('l.provisioning_contact_email', '=', 'owner@confirmed.example')
        .executeTakeFirstOrThrow();
      assert.match(html, new RegExp(`Subscription ${sub.id} is now set up for Confirmed Co\\.`));
      assert.match(html, /What happens next/);
      assert.match(html, /<a class="button" href="[^"]+">Set your password<\/a>/);
      const used = await h.app.request(path);
      assert.equal(used.status, 410);
      const usedHtml = await used.text();
      assert.match(usedHtml, /<a class="button" href="http:\/\/[^"]+\/hub">Sign in to the admin hub<\/a>/);
      assert.doesNotMatch(usedHtml, /admin hub at http/);
    });
  });
}
