import { randomBytes } from 'node:crypto';
import * as identity from '../../src/modules/identity/service.ts';
import { dispatchDueLines } from '../../src/modules/provisioning/dispatch.ts';
import { mapSubscription } from '../../src/modules/provisioning/service.ts';
import { provisionSubscription } from '../../src/modules/service-setup/provision.ts';
import {
  saveCallingLocation,
  saveEnterpriseSubdomain,
  saveMeetingSites,
} from '../../src/modules/service-setup/service-saves.ts';
import { setupProgress } from '../../src/modules/service-setup/services.ts';
import type { Role } from '../../src/platform/context.ts';
import { type Harness, orderBody, type Tenant } from './harness.ts';

/**
 * The state the admin hub shows. Organizations, users and partner access are written through their
 * services or directly (the wizard, which creates them, is other tests' subject); a subscription's
 * life only through production functions (dispatch, mapping, setup saves, Provision), so no helper
 * builds a state production cannot reach.
 */

export async function customerOrganization(
  h: Harness,
  name: string,
  admin: { email: string; password?: string; locale?: 'en' | 'uk' },
): Promise<{ orgId: string; adminId: string; domain: string }> {
  const slug = name.toLowerCase().replace(/[^a-z]/g, '') || 'org';
  const domain = `${slug}-${randomBytes(3).toString('hex')}.example`;
  const org = await identity.createOrganization(h.ctx, {
    kind: 'customer',
    name,
    country: 'UA',
    businessVertical: 'Retail',
    domains: [{ domain, status: 'verified' }],
  });
  const user = await identity.createUser(h.ctx, {
    organizationId: org.id,
    email: admin.email,
    role: 'customer_admin',
    locale: admin.locale ?? 'en',
    ...(admin.password ? { password: admin.password } : {}),
  });
  return { orgId: org.id, adminId: user.id, domain };
}

export async function addUser(h: Harness, orgId: string, email: string, role: Role, password: string) {
  return identity.createUser(h.ctx, { organizationId: orgId, email, role, password, locale: 'en' });
}

/** Places an A-WX order as the partner and maps its subscription: a pending setup. */
export async function mappedSubscription(
  h: Harness,
  partner: Tenant,
  customerOrgId: string,
  options: {
    access?: 'full_admin' | 'provisioning_admin' | null;
    setupAssignee?: 'partner' | 'customer';
  } = {},
): Promise<string> {
  // Due today, and sent as the start-date dispatch sends it: mapping needs the email to have gone out.
  const today = h.clock.now().toISOString().slice(0, 10);
  const res = await h.api(partner, 'POST', '/api/v1/orders', orderBody({}, { requestedStartDate: today }));
  if (res.status !== 201) throw new Error(`order refused: ${res.status} ${await res.text()}`);
  const order = (await res.json()) as { id: string };
  const sub = await h.db
    .selectFrom('subscriptions')
    .innerJoin('order_lines', 'order_lines.id', 'subscriptions.line_id')
    .select(['subscriptions.id', 'subscriptions.line_id'])
    .where('order_lines.order_id', '=', order.id)
    .executeTakeFirstOrThrow();
  await dispatchDueLines(h.ctx, { lineIds: [sub.line_id] });
  await mapSubscription(h.ctx, sub.id, {
    partnerOrgId: partner.orgId,
    customerOrgId,
    setupAssignee: options.setupAssignee ?? 'partner',
  });
  const access = options.access === undefined ? 'provisioning_admin' : options.access;
  if (access && customerOrgId !== partner.orgId) {
    await h.db
      .insertInto('managed_customers')
      .values({
        partner_org_id: partner.orgId,
        customer_org_id: customerOrgId,
        access,
        granted_at: h.clock.now(),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  return sub.id;
}

/** A saved meeting site and main calling location, saved as service setup saves them (as Provisio). */
export async function addSiteAndLocation(h: Harness, subscriptionId: string, _orgId: string, site: string) {
  await saveMeetingSites(h.ctx, subscriptionId, [
    { name: site, timeZone: 'Europe/Kyiv', earlyRelease: false },
  ]);
  await saveCallingLocation(h.ctx, subscriptionId, {
    name: 'Kyiv HQ',
    country: 'UA',
    addressLine1: 'Khreshchatyk 1',
    city: 'Kyiv',
    timeZone: 'Europe/Kyiv',
    language: 'uk',
  });
}

/**
 * Provisions a mapped subscription as its partner would: what its setup still misses is saved (a
 * site, the calling location, the subdomain), then Provision is pressed. Only what production
 * reaches: activation, billing and their effects come from the one writer of stages.
 */
export async function markProvisioned(h: Harness, subscriptionId: string) {
  const { missing } = await setupProgress(h.ctx, subscriptionId);
  const name = `site-${randomBytes(4).toString('hex')}`;
  if (missing.includes('meetings') || missing.includes('calling'))
    await addSiteAndLocation(h, subscriptionId, '', name);
  if (missing.includes('enterprise')) await saveEnterpriseSubdomain(h.ctx, subscriptionId, name);
  await provisionSubscription(h.ctx, subscriptionId);
}
