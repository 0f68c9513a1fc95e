import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import {
  MANUAL_OFFER,
  provision,
  readyToProvision,
  stageOf,
  startFulfilmentHarness,
} from '../support/fulfilment.ts';
import { formPost, type Harness, type Tenant, testEngines } from '../support/harness.ts';

/**
 * Offers an operator fulfils: the back office lists the open requests, and an operator approves one
 * (with the tenant's id), fails it (after confirming, with a reason) or asks for information (a message
 * and the setup fields at fault). The partner and the customer see the answer in the hub and on the
 * order page, in their language, with what they can do about it.
 */
for (const engine of testEngines()) {
  describe(`fulfilment by an operator in the back office (${engine})`, () => {
    let h: Harness;
    let op: Tenant;
    /** The operator's session, signed in again by each test: the helpers move the clock by days. */
    let operator: string;

    before(async () => {
      h = await startFulfilmentHarness(engine, 'https://vendor.invalid/fulfil');
      const vendor = await identity.createOrganization(h.ctx, {
        kind: 'vendor',
        name: 'Vendor',
        country: 'IT',
      });
      op = { orgId: vendor.id, apiKey: '', email: 'ops@vendor.example', password: 'correct horse battery' };
      await identity.createUser(h.ctx, {
        organizationId: vendor.id,
        email: op.email,
        role: 'operator',
        password: op.password,
        locale: 'en',
      });
    });
    after(() => h?.close());

    const page = async (path: string, cookie: string) => {
      const res = await h.app.request(path, { headers: { Cookie: cookie } });
      return { status: res.status, html: await res.text() };
    };
    const post = (path: string, cookie: string, fields: Record<string, string>) =>
      h.app.request(path, formPost(fields, { Cookie: cookie }));
    const requestOf = (subscriptionId: string) =>
      h.db
        .selectFrom('provision_requests')
        .select(['id', 'state', 'supersedes', 'answer_fields', 'external_tenant_id'])
        .where('subscription_id', '=', subscriptionId)
        .orderBy('seq', 'desc')
        .execute();

    it('lists open requests to operators only; approving activates the subscription', async () => {
      const m = await readyToProvision(h, MANUAL_OFFER);
      operator = await h.signIn(op);
      assert.equal((await provision(h, m)).status, 202);
      const [request] = await requestOf(m.subscriptionId);
      assert.ok(request);
      const partner = await h.signIn(m.partner);
      assert.equal((await page('/backoffice/provision-requests', partner)).status, 404, 'not for partners');

      const list = await page('/backoffice/provision-requests', operator);
      assert.equal(list.status, 200);
      assert.match(list.html, new RegExp(`request-${request.id}`));
      const one = await page(`/backoffice/provision-requests/${request.id}`, operator);
      assert.match(one.html, new RegExp(m.siteName));

      const empty = await post(`/backoffice/provision-requests/${request.id}/approve`, operator, {
        externalTenantId: ' ',
      });
      assert.equal(empty.status, 422);
      assert.match(await empty.text(), /is required/);
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning');

      const approved = await post(`/backoffice/provision-requests/${request.id}/approve`, operator, {
        externalTenantId: 'tenant-manual-1',
      });
      assert.equal(approved.status, 303);
      assert.equal(approved.headers.get('location'), '/backoffice/provision-requests?done=approved');
      const s = await stageOf(h, m.subscriptionId);
      assert.deepEqual(
        [s.stage, s.external_tenant_id, s.billing_start_reason],
        ['active', 'tenant-manual-1', 'provisioned'],
      );
      // A second operator's click on the same request changes nothing.
      const late = await post(`/backoffice/provision-requests/${request.id}/fail`, operator, {
        reason: 'Too late',
        confirmed: 'yes',
      });
      assert.equal(late.headers.get('location'), '/backoffice/provision-requests?done=answered');
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'active');
    });

    it('asks for information: the customer admin sees Action required, edits the named field and resubmits', async () => {
      const m = await readyToProvision(h, MANUAL_OFFER);
      operator = await h.signIn(op);
      await provision(h, m);
      const [first] = await requestOf(m.subscriptionId);
      assert.ok(first);
      const noFields = await post(`/backoffice/provision-requests/${first.id}/ask`, operator, {
        message: 'Which name?',
      });
      assert.equal(noFields.status, 422);
      // Two checkboxes ticked: the field sent twice, as browsers send it.
      const fields = new URLSearchParams([
        ['message', 'The site name is reserved for another brand.'],
        ['fields', 'sites[0].name'],
        ['fields', 'subdomain'],
      ]);
      const asked = await h.app.request(`/backoffice/provision-requests/${first.id}/ask`, {
        ...formPost({}, { Cookie: operator }),
        body: fields.toString(),
      });
      assert.equal(asked.status, 303);
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'needs_info');
      assert.deepEqual((await requestOf(m.subscriptionId))[0]?.answer_fields, ['sites[0].name', 'subdomain']);

      const customer = await h.signIn({ ...m.customerAdmin, orgId: m.customerOrgId, apiKey: '' });
      const hub = await page('/hub', customer);
      assert.match(hub.html, /Action required/);
      assert.match(hub.html, /The site name is reserved for another brand\./);
      const setup = await page(`/hub/setups/${m.subscriptionId}`, customer);
      assert.match(setup.html, /Site 1: Site URL name/);
      assert.match(setup.html, /Resubmit/);

      const renamed = `renamed-${m.subscriptionId.toLowerCase()}`;
      const saved = await post(`/hub/setups/${m.subscriptionId}/meetings`, customer, {
        count: '1',
        name_0: renamed,
        tz_0: 'Europe/Rome',
        licences_0: '10',
      });
      assert.equal(saved.status, 303, await saved.text());
      const resubmitted = await post(`/hub/setups/${m.subscriptionId}/provision`, customer, {});
      assert.equal(resubmitted.status, 303);
      const [second] = await requestOf(m.subscriptionId);
      assert.equal(second?.supersedes, first.id);
      assert.equal(second?.state, 'open');
      const sent = await h.db
        .selectFrom('provision_requests')
        .select('setup')
        .where('id', '=', second?.id ?? '')
        .executeTakeFirstOrThrow();
      assert.equal((sent.setup as { sites: { name: string }[] }).sites[0]?.name, renamed);
      // While the vendor works from what it was sent, the setup is not changed.
      const blocked = await h.api(
        m.partner,
        'PUT',
        `/api/v1/subscriptions/${m.subscriptionId}/setup/meeting-sites`,
        {
          sites: [{ name: `late-${m.subscriptionId.toLowerCase()}`, timeZone: 'UTC' }],
        },
      );
      assert.equal(blocked.status, 409);
      assert.equal(((await blocked.json()) as { code: string }).code, 'setup_awaiting_fulfilment');

      await post(`/backoffice/provision-requests/${second?.id}/approve`, operator, {
        externalTenantId: 'tenant-manual-2',
      });
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'active');
    });

    it('failing asks to be confirmed; the hub and the order page say why, with Retry and Open a case', async () => {
      const m = await readyToProvision(h, MANUAL_OFFER);
      operator = await h.signIn(op);
      await provision(h, m);
      const [request] = await requestOf(m.subscriptionId);
      assert.ok(request);
      const confirm = await post(`/backoffice/provision-requests/${request.id}/fail`, operator, {
        reason: 'No capacity in this region until March.',
      });
      assert.equal(confirm.status, 200);
      assert.match(await confirm.text(), /Yes, fail it/);
      assert.equal(
        (await stageOf(h, m.subscriptionId)).stage,
        'provisioning',
        'nothing happens before the confirmation',
      );
      const failed = await post(`/backoffice/provision-requests/${request.id}/fail`, operator, {
        reason: 'No capacity in this region until March.',
        confirmed: 'yes',
      });
      assert.equal(failed.status, 303);
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning_failed');

      const partner = await h.signIn(m.partner);
      const order = await page(`/orders/${m.orderId}`, partner);
      assert.match(order.html, /No capacity in this region until March\./);
      assert.match(order.html, />Retry</);
      assert.match(order.html, /\/support\/cases\/new\?requestType=other&amp;subscriptionId=/);
      const customer = await h.signIn({ ...m.customerAdmin, orgId: m.customerOrgId, apiKey: '' });
      const hub = await page('/hub', customer);
      assert.match(hub.html, /Provisioning failed/);
      assert.match(hub.html, />Retry</);
      assert.doesNotMatch(hub.html, /Open a case/, 'customers cannot open support cases');

      const retried = await post(`/hub/setups/${m.subscriptionId}/provision`, partner, {});
      assert.equal(retried.status, 303);
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning');
      const requests = await requestOf(m.subscriptionId);
      assert.equal(requests.length, 2);
      assert.equal(requests[0]?.supersedes, request.id);
    });
  });
}
