import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as identity from '../../src/modules/identity/service.ts';
import { mapSubscription } from '../../src/modules/provisioning/service.ts';
import { closeExpiredPolicyWindows } from '../../src/modules/provisioning/timers.ts';
import { type Harness, orderBody, type Tenant } from './harness.ts';
import { dispatchAt } from './provisioning-state.ts';

export const START = '2026-12-01';

export interface MappedSubscription {
  subscriptionId: string;
  lineId: string;
  orderId: string;
  partner: Tenant;
  customerOrgId: string;
  customerAdmin: { email: string; password: string };
}

/**
 * An order placed by a partner, its start date reached (the provisioning email sent), and its
 * subscription mapped to the partner and a new customer organization, as the wizard leaves it.
 * `managed` (default true) gives the partner full admin of the customer, so its users may set up.
 */
export async function mappedSubscription(
  h: Harness,
  opts: {
    partner?: Tenant;
    offer?: string;
    quantity?: number;
    managed?: boolean;
    customerName?: string;
    map?: boolean;
    /** Let the policy window run out first: the line closes and billing starts (reason `policy`). */
    closedByPolicy?: boolean;
  } = {},
): Promise<MappedSubscription> {
  const partner = opts.partner ?? (await h.tenant('partner'));
  // Once the clock is past START (a test moved it), orders start today.
  const today = h.clock.now().toISOString().slice(0, 10);
  const start = today > START ? today : START;
  const res = await h.api(
    partner,
    'POST',
    '/api/v1/orders',
    orderBody({}, { offer: opts.offer ?? 'A-WX', quantity: opts.quantity ?? 50, requestedStartDate: start }),
  );
  assert.equal(res.status, 201, await res.clone().text());
  const order = (await res.json()) as { id: string; lines: { id: string }[] };
  const lineId = order.lines[0]?.id ?? '';
  const due = new Date(`${start}T09:00:00Z`);
  await dispatchAt(h, h.clock.now() < due ? due : h.clock.now());
  const sub = await h.db
    .selectFrom('subscriptions')
    .select('id')
    .where('line_id', '=', lineId)
    .executeTakeFirstOrThrow();
  if (opts.closedByPolicy) {
    h.clock.set(new Date(h.clock.now().getTime() + 31 * 86_400_000));
    assert.ok((await closeExpiredPolicyWindows(h.ctx)) >= 1);
  }
  const slug = randomBytes(3).toString('hex');
  const customer = await identity.createOrganization(h.ctx, {
    kind: 'customer',
    name: opts.customerName ?? `Customer ${slug}`,
    country: 'IT',
    domains: [{ domain: `cust-${slug}.example`, status: 'verified' }],
  });
  const customerAdmin = { email: `admin@cust-${slug}.example`, password: 'correct horse battery' };
  await identity.createUser(h.ctx, {
    organizationId: customer.id,
    email: customerAdmin.email,
    role: 'customer_admin',
    password: customerAdmin.password,
    locale: 'en',
  });
  if (opts.map !== false) {
    await mapSubscription(h.ctx, sub.id, {
      partnerOrgId: partner.orgId,
      customerOrgId: customer.id,
      setupAssignee: opts.managed === false ? 'customer' : 'partner',
    });
    if (opts.managed !== false) {
      await h.db
        .insertInto('managed_customers')
        .values({
          partner_org_id: partner.orgId,
          customer_org_id: customer.id,
          access: 'full_admin',
          granted_at: h.clock.now(),
        })
        .execute();
    }
  }
  return {
    subscriptionId: sub.id,
    lineId,
    orderId: order.id,
    partner,
    customerOrgId: customer.id,
    customerAdmin,
  };
}
