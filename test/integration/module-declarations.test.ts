import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { MODULES } from '../../src/modules/index.ts';
import { dispatchDue } from '../../src/modules/provisioning/jobs.ts';
import type { AppEnv } from '../../src/platform/http.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

/**
 * app.ts and runtime.ts iterate over the modules' declarations: the order of the list decides nothing
 * (each module guards its own pages, panels carry their rank), and a name two modules contribute
 * stops the boot with both names.
 */
for (const engine of testEngines()) {
  describe(`module declarations (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let cookie: string;
    let reversed: { app: Hono<AppEnv>; close(): Promise<void> };
    let order: { id: string; lines: { id: string }[] };

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Declared Partner');
      cookie = await h.signIn(partner);
      reversed = await h.sibling({ modules: [...MODULES].reverse() });
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { requestedStartDate: '2026-11-21' }),
      );
      assert.equal(res.status, 201);
      order = (await res.json()) as typeof order;
      await dispatchAt(h, h.clock.now());
    });
    after(async () => {
      await reversed?.close();
      await h?.close();
    });

    it('shows the same order page, panels in the same places, whatever the order of the modules', async () => {
      const page = async (app: Hono<AppEnv>) => {
        const res = await app.request(`/orders/${order.id}`, { headers: { Cookie: cookie } });
        assert.equal(res.status, 200);
        return res.text();
      };
      const html = await page(h.app);
      assert.deepEqual(await page(reversed.app), html);
      // The match preview comes before the line's actions, its deadline and history beside its status.
      const contact = html.indexOf('class="contact-email"');
      const preview = html.indexOf('class="match-preview');
      const resend = html.indexOf('/resend');
      assert.ok(contact < preview && preview < resend, 'address, match preview, then actions');
      assert.ok(html.indexOf('class="line-history"') > html.indexOf('class="badge badge-'));
    });

    it('keeps every workspace page behind sign-in, whichever module is mounted first', async () => {
      const line = order.lines[0]?.id ?? '';
      for (const app of [h.app, reversed.app])
        for (const path of [
          `/orders/${order.id}`,
          `/orders/${order.id}/lines/${line}/resend`,
          `/orders/${order.id}/lines/${line}/start-now`,
          `/orders/${order.id}/lines/${line}/contact`,
          `/orders/${order.id}/lines/${line}/history`,
          '/subscriptions',
          '/transactions',
          '/hub/setups/SUB-1',
          '/support/cases',
          '/backoffice/orders',
        ]) {
          const res = await app.request(path);
          assert.equal(res.status, 303, path);
          assert.match(res.headers.get('location') ?? '', /^\/login/, path);
        }
    });

    it('refuses to boot when two modules contribute one job, naming both', async () => {
      await assert.rejects(
        h.sibling({ modules: [...MODULES, { name: 'copycat', jobs: [dispatchDue] }] }),
        /Module declarations conflict:\n {2}job "provisioning\.dispatch-due" is contributed by both provisioning and copycat/,
      );
    });

    it('refuses to build the app when two modules register one page, naming both', async () => {
      await assert.rejects(
        h.sibling({
          modules: [
            ...MODULES,
            { name: 'twin', pages: (app) => app.get('/orders/:id', (c) => c.text('twin')) },
          ],
        }),
        /route "page GET \/orders\/:" is contributed by both orders and twin/,
      );
    });
  });
}
