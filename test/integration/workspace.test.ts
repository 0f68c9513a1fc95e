import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';

for (const engine of testEngines()) {
  describe(`commerce workspace pages (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let cookie = '';

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Pages Partner');
      await h.api(
        partner,
        'POST',
        '/api/v1/orders',
        orderBody(
          { reference: 'PO-PAGES', endCustomer: { name: 'Бета Груп' } },
          { provisioningContactEmail: 'voice@beta.example' },
        ),
      );
      const login = await h.app.request(
        '/login',
        formPost({ email: partner.email, password: partner.password, next: '/orders?q=PO' }),
      );
      assert.equal(login.status, 303);
      assert.equal(login.headers.get('location'), '/orders?q=PO');
      const setCookie = login.headers.getSetCookie().find((c) => c.startsWith('provisio_session='));
      assert.ok(setCookie);
      assert.match(setCookie, /HttpOnly/i);
      assert.match(setCookie, /Secure/i);
      assert.match(setCookie, /SameSite=Lax/i);
      cookie = setCookie.split(';')[0] ?? '';
    });
    after(() => h.close());

    it('sends visitors without a session to the login page, keeping where they were going', async () => {
      const res = await h.app.request('/orders?q=abc');
      assert.equal(res.status, 303);
      assert.equal(res.headers.get('location'), `/login?next=${encodeURIComponent('/orders?q=abc')}`);
    });

    it('refuses a wrong password with a message, and never redirects off-site after login', async () => {
      const wrong = await h.app.request(
        '/login',
        formPost({ email: partner.email, password: 'nope-nope-nope' }),
      );
      assert.equal(wrong.status, 401);
      assert.match(await wrong.text(), /email address or password is not correct/);
      const offsite = await h.app.request(
        '/login',
        formPost({ email: partner.email, password: partner.password, next: '//evil.example/' }),
      );
      assert.equal(offsite.headers.get('location'), '/orders');
    });

    it('slows password guessing: five wrong passwords lock the address for a while', async () => {
      const victim = await h.tenant('partner', 'Guessed');
      for (let i = 0; i < 5; i++) {
        const wrong = await h.app.request(
          '/login',
          formPost({ email: victim.email, password: `guess-${i}-guess` }),
        );
        assert.equal(wrong.status, 401);
      }
      const locked = await h.app.request(
        '/login',
        formPost({ email: victim.email, password: victim.password }),
      );
      assert.equal(locked.status, 429);
      assert.match(await locked.text(), /Try again in 15 minutes/);
      h.clock.advance(16 * 60_000);
      try {
        assert.equal(
          (await h.app.request('/login', formPost({ email: victim.email, password: victim.password })))
            .status,
          303,
        );
      } finally {
        h.clock.advance(-16 * 60_000);
      }
    });

    it('refuses a form posted from another site', async () => {
      const res = await h.app.request(
        '/login',
        formPost({ email: partner.email, password: partner.password }, { Origin: 'https://evil.example' }),
      );
      assert.equal(res.status, 403);
    });

    it('lists and searches the partner’s orders, and opens one with its lines', async () => {
      const list = await h.app.request('/orders?q=voice%40beta.example', { headers: { Cookie: cookie } });
      assert.equal(list.status, 200);
      const html = await list.text();
      assert.match(html, /PO-PAGES/);
      assert.match(html, /Бета Груп/);
      const href = /href="(\/orders\/[0-9a-f-]{36})"/.exec(html)?.[1];
      assert.ok(href);
      const page = await (await h.app.request(href, { headers: { Cookie: cookie } })).text();
      for (const expected of [
        'A-WX',
        'voice@beta.example',
        'Scheduled',
        'Meetings, Calling',
        /<dt>Partner<\/dt><dd>Pages Partner<\/dd>/,
        /<dt>Language of the provisioning emails<\/dt><dd lang="en">English<\/dd>/,
        /SUB-\d+/,
        /Dec 1, 2026/,
      ]) {
        assert.match(page, expected instanceof RegExp ? expected : new RegExp(expected));
      }
      const none = await (
        await h.app.request('/orders?q=nothing-matches', { headers: { Cookie: cookie } })
      ).text();
      assert.match(none, /No orders match/);
    });

    it('names the refused filter, also when htmx asks for the results only', async () => {
      const plain: Record<string, string> = { Cookie: cookie };
      for (const headers of [plain, { ...plain, 'HX-Request': 'true' }]) {
        const res = await h.app.request('/orders?startFrom=2026-12-10&startTo=2026-12-01', { headers });
        assert.equal(res.status, 422);
        const html = await res.text();
        assert.match(
          html,
          /id="error-startTo"[^>]*>Start date to must not be earlier than the start of the range\./,
        );
        assert.match(html, /aria-describedby="[^"]*\berror-startTo"/);
        assert.equal(html.match(/id="error-startTo"/g)?.length, 1, 'one message element per id');
        // The summary at the top of the results links to the refused field.
        assert.match(
          html,
          /class="error-summary"[\s\S]*<a href="#startTo">Start date to must not be earlier/,
        );
      }
      const layout = await (await h.app.request('/orders', { headers: { Cookie: cookie } })).text();
      assert.match(layout, /name="htmx-config" content="[^"]*422/);
    });

    it('switches language and remembers it', async () => {
      const switched = await h.app.request(
        '/lang',
        formPost({ lang: 'uk', back: '/orders' }, { Cookie: cookie }),
      );
      assert.equal(switched.status, 303);
      const langCookie = switched.headers
        .getSetCookie()
        .find((c) => c.startsWith('provisio_lang='))
        ?.split(';')[0];
      assert.equal(langCookie, 'provisio_lang=uk');
      const page = await (
        await h.app.request('/orders', { headers: { Cookie: `${cookie}; ${langCookie}` } })
      ).text();
      assert.match(page, /<html lang="uk"/);
      assert.match(page, /Замовлення/);
      assert.match(page, /Заплановано/);
    });

    it('signs out: the session no longer works', async () => {
      const out = await h.app.request('/logout', formPost({}, { Cookie: cookie }));
      assert.equal(out.status, 303);
      const after = await h.app.request('/orders', { headers: { Cookie: cookie } });
      assert.equal(after.status, 303);
    });
  });

  describe(`health and API reference (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    it('answers /healthz once the database answers', async () => {
      const res = await h.app.request('/healthz');
      assert.equal(res.status, 200);
      // The mail relay's state is shown beside it (test/integration/mail-outage.test.ts).
      const body = (await res.json()) as { status: string; mail: { status: string; backlog: number } };
      assert.equal(body.status, 'ok');
      assert.equal(body.mail.status, 'ok');
      assert.equal(typeof body.mail.backlog, 'number');
    });

    it('answers 503 on /healthz when the database does not answer', async () => {
      const down = await startHarness(engine);
      await down.close();
      const res = await down.app.request('/healthz');
      assert.equal(res.status, 503);
      assert.deepEqual(await res.json(), { status: 'unavailable' });
    });

    it('shows unknown pages as a localized not-found page', async () => {
      const res = await h.app.request('/no/such/page', { headers: { 'Accept-Language': 'ru' } });
      assert.equal(res.status, 404);
      const html = await res.text();
      assert.match(html, /<html lang="ru"/);
      assert.match(html, /Не найдено|не найден/i);
    });

    it('serves the OpenAPI document with the agreed operationIds and a readable reference', async () => {
      const doc = (await (await h.app.request('/api/openapi.json')).json()) as {
        paths: Record<string, Record<string, { operationId: string }>>;
        components: { schemas: Record<string, unknown> };
      };
      const ids = Object.values(doc.paths)
        .flatMap((ops) => Object.values(ops).map((op) => op.operationId))
        .sort();
      assert.deepEqual(ids, [
        'changeProvisioningContact',
        'checkSiteNameAvailability',
        'checkSubdomainAvailability',
        'completeMapping',
        'createOrder',
        'createSupportCase',
        'createWebhookEndpoint',
        'deleteWebhookEndpoint',
        'getLineHistory',
        'getOrder',
        'getOrderLine',
        'getOrderSummaryPdf',
        'getServiceSetup',
        'getSetup',
        'getSubscription',
        'getSupportCase',
        'listEventTypes',
        'listEvents',
        'listManagedCustomers',
        'listOffers',
        'listOrders',
        'listSupportCases',
        'listTransactions',
        'listWebhookDeliveries',
        'listWebhookEndpoints',
        'matchOrganizations',
        'provisionSubscription',
        'recoverWebhookEndpoint',
        'reportProvisionResult',
        'requestFullAdmin',
        'resendProvisioningEmail',
        'retryWebhookDelivery',
        'rotateWebhookSecret',
        'saveCallingLocation',
        'saveEnterpriseSubdomain',
        'saveMeetingSites',
        'searchOrganizationsByDomain',
        'sendTestWebhook',
        'startProvisioningNow',
        'updateWebhookEndpoint',
      ]);
      assert.ok(doc.components.schemas.CreateOrder);
      const page = await (await h.app.request('/api/docs')).text();
      for (const id of ids) assert.match(page, new RegExp(`id="${id}"`));
      assert.match(page, /provisioningContactEmail/);
    });
  });
}
