import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { relayDueWebhooks } from '../../src/modules/webhooks/relay.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { type Receiver, startReceiver } from '../support/webhook-receiver.ts';

const PAGE = '/settings/webhooks';

/** A form POST whose fields may repeat (checkboxes). */
function form(cookie: string, fields: [string, string][]): RequestInit {
  return {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: 'http://localhost',
      Cookie: cookie,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

for (const engine of testEngines()) {
  describe(`webhook pages (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let stranger: Tenant;
    let cookie: string;
    let receiver: Receiver;
    let operatorCookie: string;
    const get = (path: string, who = cookie) => h.app.request(path, { headers: { Cookie: who } });

    before(async () => {
      h = await startHarness(engine, { WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true' });
      partner = await h.tenant('partner', 'Pages Partner');
      stranger = await h.tenant('distributor', 'Pages Stranger');
      cookie = await h.signIn(partner);
      receiver = await startReceiver();
      const vendor = await identity.createOrganization(h.ctx, {
        kind: 'vendor',
        name: 'Pages Vendor',
        country: 'IT',
      });
      await identity.createUser(h.ctx, {
        organizationId: vendor.id,
        email: 'ops@pages-vendor.example',
        role: 'operator',
        password: 'correct horse battery',
        locale: 'en',
      });
      operatorCookie = await h.signIn({
        orgId: vendor.id,
        apiKey: '',
        email: 'ops@pages-vendor.example',
        password: 'correct horse battery',
      });
    });
    after(async () => {
      await receiver.close();
      await h.close();
    });

    it('adds an endpoint (the secret shown once), sends a test event and shows its attempts', async () => {
      const list = await get(PAGE);
      assert.equal(list.status, 200);
      const html = await list.text();
      assert.match(html, /<h1>Webhooks<\/h1>/);
      assert.match(html, /name="eventTypes" value="subscription.billing_started"/);

      const created = await h.app.request(
        PAGE,
        form(cookie, [
          ['url', receiver.url],
          ['description', 'ERP billing'],
          ['eventTypes', 'subscription.billing_started'],
          ['eventTypes', 'line.closed'],
        ]),
      );
      assert.equal(created.status, 200);
      const page = await created.text();
      const secret = /value="(whsec_[^"]+)"/.exec(page)?.[1];
      assert.ok(secret, 'the secret is on the page');
      receiver.secrets.push(secret);
      const id = /href="\/settings\/webhooks\/([0-9a-f-]{36})"/.exec(page)?.[1] ?? '';
      assert.ok(id);
      assert.doesNotMatch(await (await get(`${PAGE}/${id}`)).text(), /whsec_/, 'and never again');

      const test = await h.app.request(`${PAGE}/${id}/test`, form(cookie, []));
      assert.equal(test.status, 303);
      assert.equal(test.headers.get('location'), `${PAGE}/${id}?notice=test`);
      await relayDueWebhooks(h.ctx);
      assert.deepEqual(receiver.received[0]?.verifiedBy, [0]);
      const detail = await (await get(`${PAGE}/${id}?notice=test`)).text();
      assert.match(detail, /webhook_endpoint\.test/);
      assert.match(detail, /Delivered/);
      assert.match(detail, /HTTP 204/);
      assert.match(detail, /role="status"/);

      // Italian, with a field error named in Italian.
      const refused = await h.app.request(
        PAGE,
        form(`${cookie}; provisio_lang=it`, [
          ['url', 'ftp://hooks.example'],
          ['eventTypes', 'nonsense.type'],
        ]),
      );
      assert.equal(refused.status, 422);
      const it = await refused.text();
      assert.match(it, /URL deve essere un URL assoluto/);
      assert.match(it, /aria-invalid="true"/);
      // Each refused field is linked from the summary above the form: the URL and the event types.
      assert.match(it, /class="error-summary"[\s\S]*<a href="#url">[\s\S]*<a href="#eventTypes">/);
      assert.match(it, /<fieldset class="field field-invalid" id="eventTypes"/);
    });

    it('edits, rotates, recovers and deletes, each asked for first', async () => {
      const [endpoint] = await h.db.selectFrom('webhook_endpoints').select('id').execute();
      const id = endpoint?.id ?? '';
      const edited = await h.app.request(
        `${PAGE}/${id}/edit`,
        form(cookie, [
          ['url', receiver.url],
          ['description', 'ERP billing feed'],
        ]),
      );
      assert.equal(edited.status, 303);
      const row = await h.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(row.description, 'ERP billing feed');
      assert.equal(row.enabled, false, 'an unticked Enabled disables it');
      assert.deepEqual(row.event_types, []);
      await h.app.request(
        `${PAGE}/${id}/edit`,
        form(cookie, [
          ['url', receiver.url],
          ['enabled', 'true'],
        ]),
      );

      assert.match(await (await get(`${PAGE}/${id}/rotate`)).text(), /24 hours/);
      const unconfirmed = await h.app.request(`${PAGE}/${id}/rotate`, form(cookie, []));
      assert.equal(unconfirmed.status, 303);
      const rotated = await h.app.request(`${PAGE}/${id}/rotate`, form(cookie, [['confirm', 'yes']]));
      assert.match(await rotated.text(), /value="whsec_/);

      const since = new Date(h.clock.now().getTime() - 3600_000).toISOString().slice(0, 16);
      const recovered = await h.app.request(`${PAGE}/${id}/recover`, form(cookie, [['since', since]]));
      assert.equal(recovered.status, 303);
      assert.match(recovered.headers.get('location') ?? '', /notice=recovered&count=0/);
      const bad = await h.app.request(`${PAGE}/${id}/recover`, form(cookie, [['since', 'soon']]));
      assert.equal(bad.status, 422);
      // Typed on the reader's clock, in their language's order; refused with an example, naming the field.
      assert.match(await bad.text(), /Since must be a date and time such as 12\/31\/2026 14:30\./);
      const page = await (await get(`${PAGE}/${id}`)).text();
      assert.match(page, /For example, 12\/31\/2026 14:30 \(time zone UTC\)/);
      assert.match(page, /name="since"[^>]*value="\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}"/);
      const future = await h.app.request(
        `${PAGE}/${id}/recover`,
        form(cookie, [['since', '12/31/2099 10:00']]),
      );
      assert.equal(future.status, 422);
      const futureText = await future.text();
      assert.match(
        futureText,
        /Since cannot be later than [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M UTC\./,
      );

      const deleted = await h.app.request(`${PAGE}/${id}/delete`, form(cookie, [['confirm', 'yes']]));
      assert.equal(deleted.status, 303);
      assert.match(await (await get(`${PAGE}?notice=deleted`)).text(), /The endpoint was deleted/);
      assert.equal((await h.db.selectFrom('webhook_endpoints').selectAll().execute()).length, 0);
    });

    it("shows nobody another organization's endpoints, and keeps the vendor's to the back office", async () => {
      const res = await h.api(stranger, 'POST', '/api/v1/webhook-endpoints', { url: receiver.url });
      const { id } = (await res.json()) as { id: string };
      for (const path of [
        `${PAGE}/${id}`,
        `${PAGE}/${id}/edit`,
        `${PAGE}/${id}/delete`,
        `${PAGE}/${id}/rotate`,
      ])
        assert.equal((await get(path)).status, 404, path);
      assert.equal(
        (await h.app.request(`${PAGE}/${id}/delete`, form(cookie, [['confirm', 'yes']]))).status,
        404,
      );
      assert.equal((await h.db.selectFrom('webhook_endpoints').selectAll().execute()).length, 1);

      // Operators manage the vendor's endpoints in the back office, and only there.
      assert.equal((await get(PAGE, operatorCookie)).status, 404);
      assert.equal((await get('/backoffice/webhooks', cookie)).status, 404);
      const office = await get('/backoffice/webhooks', operatorCookie);
      assert.equal(office.status, 200);
      const html = await office.text();
      assert.match(html, /every partner/);
      assert.doesNotMatch(html, new RegExp(id), "a partner's endpoint is not the vendor's");
      const added = await h.app.request(
        '/backoffice/webhooks',
        form(operatorCookie, [['url', receiver.url]]),
      );
      assert.match(await added.text(), /href="\/backoffice\/webhooks\/[0-9a-f-]{36}"/);
      const vendorRows = await h.db
        .selectFrom('webhook_endpoints')
        .selectAll()
        .where('organization_id', 'is', null)
        .execute();
      assert.equal(vendorRows.length, 1);
    });
  });
}
