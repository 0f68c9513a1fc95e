import assert from 'node:assert/strict';
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

/**
 * Limits met on the wizard's pages answer as the API does: 429 with Retry-After. The search of all
 * organizations by domain (docs/adr/0022) and the organizations a Confirm would create (ADR 0026's
 * SETUP_ORGANIZATIONS_PER_HOUR), which the Confirm step used to answer 409 without the header.
 */

const LINK = /http:\/\/provisio\.test(\/setup\/[A-Za-z0-9_-]{43})/;

for (const engine of testEngines()) {
  describe(`wizard pages over a limit (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let day = 0;
    before(async () => {
      h = await startHarness(engine, { SETUP_ORGANIZATIONS_PER_HOUR: '1' });
      partner = await h.tenant('partner', 'Search Partner');
    });
    after(() => h?.close());

    /** A started order for `contact`: its setup link's path. */
    async function linkFor(contact: string) {
      day += 1;
      const start = `2026-12-${String(day).padStart(2, '0')}`;
      const res = await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody({}, { provisioningContactEmail: contact, requestedStartDate: start }),
      );
      assert.equal(res.status, 201);
      h.clock.set(new Date(`${start}T09:00:00Z`));
      await dispatchDueLines(h.ctx);
      const mail = await h.db
        .selectFrom('outbox_emails')
        .select('text_body')
        .where('to_address', '=', contact)
        .executeTakeFirstOrThrow();
      const path = mail.text_body.match(LINK)?.[1];
      assert.ok(path);
      return path;
    }

    const assertRetryAfter = (res: Response) => {
      assert.equal(res.status, 429);
      assert.match(res.headers.get('Content-Type') ?? '', /text\/html/);
      const retry = Number(res.headers.get('Retry-After'));
      assert.ok(
        Number.isInteger(retry) && retry >= 1 && retry <= 3600,
        String(res.headers.get('Retry-After')),
      );
    };

    it('a search over the limit answers 429 with Retry-After on the HTML page', async () => {
      const path = await linkFor('searcher@search-limit.example');
      const search = () =>
        h.app.request(
          path,
          formPost({
            step: 'partner',
            nav: 'search',
            role: 'customer',
            setupBy: 'self',
            searchDomain: 'example.org',
          }),
        );
      for (let i = 0; i < 20; i += 1) assert.equal((await search()).status, 200, `search ${i + 1}`);
      assertRetryAfter(await search());
    });

    it('a Confirm creating more organizations than allowed answers 429 with Retry-After, nothing mapped', async () => {
      const path = await linkFor('creator@create-limit.example');
      const res = await h.app.request(
        path,
        formPost({
          step: 'review',
          nav: 'next',
          role: 'customer',
          setupBy: 'self',
          partnerPick: 'create',
          partnerName: 'New Partner Limit',
          partnerVertical: 'technology',
          partnerCountry: 'IT',
          customerPick: 'create',
          customerName: 'New Customer Limit',
          customerVertical: 'technology',
          customerCountry: 'IT',
          adminEmail: 'boss@new-customer-limit.example',
        }),
      );
      assertRetryAfter(res);
      assert.match(await res.text(), /<html/);
      const created = await h.db
        .selectFrom('organizations')
        .select('id')
        .where('name', 'in', ['New Partner Limit', 'New Customer Limit'])
        .execute();
      assert.equal(created.length, 0);
    });
  });
}
