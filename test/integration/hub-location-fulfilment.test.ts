import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fulfilmentCatalog, SIGNING_SECRET } from '../support/fulfilment.ts';
import { formPost, type Harness, startHarness, testEngines } from '../support/harness.ts';
import { mappedSubscription } from '../support/mapped-subscription.ts';

/**
 * While the vendor provisions a subscription from the setup it was sent, the hub cannot move that
 * setup's main calling location under it: the edit is refused (409) and the row stays as it was sent.
 */
const OFFER = 'T-MAN-CALL';

function catalogWithCalling(): string {
  const file = fulfilmentCatalog('https://vendor.invalid/fulfil');
  const catalog = JSON.parse(readFileSync(file, 'utf8')) as { offers: object[] };
  catalog.offers.push({
    code: OFFER,
    name: 'Managed Calling',
    policyWindowDays: 30,
    services: ['meetings', 'calling'],
    fulfilment: { mode: 'manual' },
  });
  writeFileSync(file, JSON.stringify(catalog));
  return file;
}

for (const engine of testEngines()) {
  describe(`the hub and a main location the vendor is provisioning from (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine, {
        CATALOG_FILE: catalogWithCalling(),
        FULFILMENT_SIGNING_SECRET: SIGNING_SECRET,
      });
    });
    after(() => h.close());

    it('refuses to edit the main location while the provision request is open', async () => {
      const m = await mappedSubscription(h, { offer: OFFER, quantity: 5 });
      const base = `/api/v1/subscriptions/${m.subscriptionId}`;
      const put = async (path: string, payload: unknown) => {
        const res = await h.api(m.partner, 'PUT', `${base}/setup/${path}`, payload);
        assert.equal(res.status, 200, await res.text());
      };
      const tag = m.lineId.slice(0, 8);
      await put('meeting-sites', { sites: [{ name: `calls-${engine}-${tag}`, timeZone: 'Europe/Rome' }] });
      const main = {
        name: 'Sede',
        country: 'IT',
        addressLine1: 'Via Roma 1',
        city: 'Roma',
        postalCode: '00100',
        timeZone: 'Europe/Rome',
        language: 'it',
      };
      await put('calling-location', main);
      await put('enterprise-subdomain', { subdomain: `calls-${engine}-${tag}` });
      assert.equal((await h.api(m.partner, 'POST', `${base}/provision`)).status, 202);

      const row = await h.db
        .selectFrom('calling_locations')
        .select(['id', 'name', 'is_main'])
        .where('subscription_id', '=', m.subscriptionId)
        .executeTakeFirstOrThrow();
      assert.equal(row.is_main, true);
      const admin = await h.signIn({ ...m.customerAdmin, orgId: m.customerOrgId, apiKey: '' });
      const edited = await h.app.request(
        `/hub/locations/${row.id}/edit`,
        formPost({ ...main, subscriptionId: m.subscriptionId, name: 'Sede nuova' }, { Cookie: admin }),
      );
      assert.equal(edited.status, 409);
      const after = await h.db
        .selectFrom('calling_locations')
        .select('name')
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow();
      assert.equal(after.name, 'Sede', 'the location the vendor was sent');
    });
  });
}
