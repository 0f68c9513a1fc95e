import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as identity from '../../src/modules/identity/service.ts';
import { eventRows, failEventWrites, feedUntil } from '../support/events.ts';
import {
  formPost,
  type Harness,
  orderBody,
  startHarness,
  type Tenant,
  testEngines,
} from '../support/harness.ts';

/**
 * Changes that are not a subscription's stage emit their events in their own transaction: booking an
 * order, changing a line's contact, answering a support case. Each is done through the HTTP app, and
 * an action that fails (or whose event cannot be written) leaves neither the change nor the event.
 */

interface OrderJson {
  id: string;
  orderNumber: string;
  reference: string;
  lines: { id: string; lineNumber: number; subscriptionId: string; etag: string }[];
}

for (const engine of testEngines()) {
  describe(`events written with the change (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let distributor: Tenant;
    let reseller: Tenant;

    const place = async (tenant: Tenant, body: Record<string, unknown>) => {
      const res = await h.api(tenant, 'POST', '/api/v1/orders', body);
      assert.equal(res.status, 201, await res.clone().text());
      return (await res.json()) as OrderJson;
    };
    const keyIdOf = async (tenant: Tenant) =>
      (
        await h.db
          .selectFrom('api_keys')
          .select('id')
          .where('organization_id', '=', tenant.orgId)
          .executeTakeFirstOrThrow()
      ).id;
    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Event Partner');
      distributor = await h.tenant('distributor', 'Event Distributor');
      reseller = await h.tenant('partner', 'Event Reseller');
      await identity.addReseller(h.ctx, distributor.orgId, reseller.orgId);
    });
    after(() => h.close());

    it('order.created: one per booked order, with its lines’ subscriptions, seen by the partner and the placer', async () => {
      const body = orderBody({ reference: 'PO-EVT-1' });
      body.lines.push({ ...body.lines[0], offer: 'A-FLEX', quantity: 3 } as (typeof body.lines)[0]);
      const order = await place(partner, body);
      const [row] = (await eventRows(h, 'order.created')).filter((r) => r.order_id === order.id);
      assert.ok(row);
      assert.equal(row.partner_org_id, partner.orgId);
      assert.equal(row.placed_by_org_id, partner.orgId);
      assert.deepEqual(row.data, {
        orderId: order.id,
        orderNumber: order.orderNumber,
        reference: 'PO-EVT-1',
        partnerOrgId: partner.orgId,
        placedByOrgId: partner.orgId,
        lines: order.lines.map((l, i) => ({
          lineId: l.id,
          lineNumber: l.lineNumber,
          subscriptionId: l.subscriptionId,
          offerCode: i === 0 ? 'A-WX' : 'A-FLEX',
          quantity: i === 0 ? 50 : 3,
          requestedStartDate: '2026-12-01',
        })),
        actor: { type: 'api_key', id: await keyIdOf(partner) },
      });

      const forReseller = await place(distributor, orderBody({ resellerOrgId: reseller.orgId }));
      const [placed] = (await eventRows(h, 'order.created')).filter((r) => r.order_id === forReseller.id);
      assert.equal(placed?.partner_org_id, reseller.orgId);
      assert.equal(placed?.placed_by_org_id, distributor.orgId);
      for (const reader of [reseller, distributor]) {
        const seen = await feedUntil(
          h,
          reader,
          (items) => items.some((e) => e.data.orderId === forReseller.id),
          {
            types: 'order.created',
          },
        );
        assert.equal(seen.filter((e) => e.data.orderId === forReseller.id).length, 1);
      }
    });

    it('order.created: none for a replay, a refused order, or a booking whose event cannot be written', async () => {
      const body = orderBody({ reference: 'PO-EVT-2' });
      const first = await h.api(partner, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'evt-2' });
      assert.equal(first.status, 201);
      const count = async () => (await eventRows(h, 'order.created')).length;
      const before = await count();
      assert.equal(
        (await h.api(partner, 'POST', '/api/v1/orders', body, { 'Idempotency-Key': 'evt-2' })).status,
        201,
      );
      assert.equal(
        (await h.api(partner, 'POST', '/api/v1/orders', orderBody({ reference: 'PO-EVT-2' }))).status,
        409,
      );
      assert.equal((await h.api(partner, 'POST', '/api/v1/orders', { reference: 'x' })).status, 422);
      assert.equal(await count(), before);

      await failEventWrites(h, true);
      try {
        const res = await h.api(partner, 'POST', '/api/v1/orders', orderBody({ reference: 'PO-EVT-3' }));
        assert.equal(res.status, 500);
      } finally {
        await failEventWrites(h, false);
      }
      const orphan = await h.db
        .selectFrom('orders')
        .select('id')
        .where('reference', '=', 'PO-EVT-3')
        .execute();
      assert.deepEqual(orphan, [], 'the order went with its event');
      assert.equal(await count(), before);
    });

    it('line.contact_changed: one per line changed, with the old and new address and who changed it', async () => {
      const body = orderBody({ reference: 'PO-EVT-4' });
      body.lines.push({ ...body.lines[0] } as (typeof body.lines)[0]);
      const order = await place(partner, body);
      const [one, two] = order.lines;
      assert.ok(one && two);
      const path = `/api/v1/orders/${order.id}/lines/${one.id}/provisioning-contact`;
      const stale = await h.api(partner, 'PUT', path, { email: 'x@acme.example' }, { 'If-Match': '"v999"' });
      assert.equal(stale.status, 412);
      const changed = await h.api(
        partner,
        'PUT',
        path,
        { email: 'Procurement@Acme.example', applyToAllLines: true },
        { 'If-Match': one.etag },
      );
      assert.equal(changed.status, 200, await changed.clone().text());
      const rows = (await eventRows(h, 'line.contact_changed')).filter((r) => r.order_id === order.id);
      const keyId = await keyIdOf(partner);
      assert.deepEqual(
        rows.map((r) => r.data),
        [one, two].map((l) => ({
          orderId: order.id,
          orderNumber: order.orderNumber,
          lineId: l.id,
          lineNumber: l.lineNumber,
          subscriptionId: l.subscriptionId,
          previousEmail: 'it@acme.example',
          email: 'procurement@acme.example',
          actor: { type: 'api_key', id: keyId },
        })),
      );
      assert.deepEqual(
        rows.map((r) => [r.partner_org_id, r.placed_by_org_id, r.subscription_id]),
        [one, two].map((l) => [partner.orgId, partner.orgId, l.subscriptionId]),
      );

      await failEventWrites(h, true);
      try {
        const res = await h.api(partner, 'PUT', path, { email: 'later@acme.example' }, { 'If-Match': '*' });
        assert.equal(res.status, 500);
      } finally {
        await failEventWrites(h, false);
      }
      const line = await h.db
        .selectFrom('order_lines')
        .select('provisioning_contact_email')
        .where('id', '=', one.id)
        .executeTakeFirstOrThrow();
      assert.equal(
        line.provisioning_contact_email,
        'procurement@acme.example',
        'the change went with its event',
      );
      assert.equal(
        (await eventRows(h, 'line.contact_changed')).filter((r) => r.order_id === order.id).length,
        2,
      );
    });

    it('support_case.answered: when an operator answers, for the case’s organization; not for a closed case', async () => {
      const vendor = await identity.createOrganization(h.ctx, {
        kind: 'vendor',
        name: 'Provisio Operations',
      });
      await identity.createUser(h.ctx, {
        organizationId: vendor.id,
        email: 'ops@provisio.example',
        role: 'operator',
        password: 'operator password 1',
        locale: 'en',
      });
      const cookie = await h.signIn({
        orgId: vendor.id,
        apiKey: '',
        email: 'ops@provisio.example',
        password: 'operator password 1',
      });
      const order = await place(partner, orderBody());
      const opened = await h.api(partner, 'POST', '/api/v1/support/cases', {
        requestType: 'resend_provisioning_email',
        description: 'The contact lost the email.',
        subscriptionId: order.lines[0]?.subscriptionId,
      });
      assert.equal(opened.status, 201);
      const { id: caseId, caseNumber } = (await opened.json()) as { id: string; caseNumber: string };
      const answer = (body: string) =>
        h.app.request(`/backoffice/support/${caseId}/answer`, formPost({ body }, { Cookie: cookie }));
      assert.equal((await answer('We resent it.')).status, 303);
      const ofCase = async () =>
        (await eventRows(h, 'support_case.answered')).filter(
          (r) => (r.data as { caseId: string }).caseId === caseId,
        );
      const rows = await ofCase();
      assert.equal(rows.length, 1);
      assert.deepEqual(rows[0]?.data, {
        caseId,
        caseNumber,
        organizationId: partner.orgId,
        subscriptionId: order.lines[0]?.subscriptionId,
      });
      assert.equal(rows[0]?.partner_org_id, partner.orgId);

      assert.equal(
        (
          await h.app.request(
            `/backoffice/support/${caseId}/close`,
            formPost({ confirm: 'yes' }, { Cookie: cookie }),
          )
        ).status,
        303,
      );
      assert.notEqual((await answer('Too late.')).status, 303);
      assert.equal((await ofCase()).length, 1);
    });
  });
}
