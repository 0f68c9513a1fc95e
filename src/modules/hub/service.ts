import type { Actor, Ctx, OrgKind, Role } from '../../platform/context.ts';
import { inTransaction } from '../../platform/context.ts';
import { toUnicodeDomain } from '../../platform/domains.ts';
import { displayEmail } from '../../platform/email.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { isLocale } from '../../platform/i18n.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { latestRequestViews, type ProvisionRequestView } from '../fulfilment/requests.ts';
import { isFulfilmentStage } from '../fulfilment/schema.ts';
import { joinRequestsOfOrganization, type OrganizationJoinRequest } from '../identity/join-requests.ts';
import {
  mayAdministerOrganization,
  mayDecideJoinRequest,
  mayManageCustomerOrganization,
  maySetUpServices,
} from '../identity/policy.ts';
import { renderFullAdminGrantedEmail, renderFullAdminRequestEmail } from './email.tsx';
import * as repo from './repository.ts';

/**
 * The admin hub (issue 7 item 11, S6): an organization's admin sees its organization, domains,
 * users and subscriptions; partners also see the customers they manage; pending setups link to
 * service setup. Everything is scoped to the caller's organization and the customers it manages,
 * so another organization's ids are simply not found.
 */

/** Signed-in users; and partners' API keys, for the customers they manage (X1). */
type HubActor = Extract<Actor, { type: 'user' | 'api_key' }>;

export interface HubOrganization {
  id: string;
  name: string;
  kind: OrgKind;
  country: string | null;
  businessVertical: string | null;
  timeZone: string;
  /** Shown in Unicode (stored as punycode). */
  domains: { domain: string; status: 'verified' | 'claimed' }[];
  /** Only for the organization's own admins. */
  users: { id: string; email: string; role: Role; lastActiveAt: Date | null }[] | null;
  subdomain: string | null;
}

export interface HubSubscription {
  id: string;
  orderNumber: string;
  offer: { code: string; name: string };
  quantity: number;
  services: { code: string; quantity: number }[];
  customerOrgId: string;
  /** Set up, being provisioned by the vendor (docs/adr/0032), waiting on the customer, failed, or done. */
  state: 'pending_setup' | 'provisioning' | 'needs_info' | 'provisioning_failed' | 'provisioned';
  /** The latest fulfilment request, while the vendor's answer matters (provisioning, needs_info, failed). */
  fulfilment: ProvisionRequestView | null;
  billingStartedAt: Date | null;
  sites: { name: string; timeZone: string; licenses: number }[];
  locations: { name: string; country: string; city: string; isMain: boolean }[];
  /** Mapped, not provisioned, and the viewer may set it up (S6): *Continue setup*. */
  pendingForViewer: boolean;
}

export type Access = 'full_admin' | 'provisioning_admin';

export interface HubView {
  organization: HubOrganization;
  /** The viewer administers the organization (partner or customer admin). */
  administers: boolean;
  /** The viewer speaks for a partner or distributor (admin, user or API key): sees managed customers. */
  partnerSide: boolean;
  subscriptions: HubSubscription[];
  pendingSetups: HubSubscription[];
  managedCustomers: {
    organization: HubOrganization;
    access: Access;
    fullAdminRequestedAt: Date | null;
    subscriptions: HubSubscription[];
  }[];
  managingPartners: { orgId: string; name: string; access: Access; fullAdminRequestedAt: Date | null }[];
  /** Requests to join the organization or reach it, for its admins to decide (docs/adr/0022). */
  joinRequests: OrganizationJoinRequest[];
}

function requireHubActor(ctx: Ctx): HubActor {
  if (ctx.actor.type !== 'user' && ctx.actor.type !== 'api_key') throw notFound();
  return ctx.actor;
}

/** Partner and distributor admins and users, and their organizations' API keys (not viewers). */
function isPartnerSide(actor: HubActor): boolean {
  if (actor.orgKind !== 'partner' && actor.orgKind !== 'distributor') return false;
  return actor.type === 'api_key' || actor.role === 'partner_admin' || actor.role === 'partner_user';
}

type SubscriptionRow = Awaited<ReturnType<typeof repo.findSubscriptions>>[number];

/** Subscriptions with their services, sites and locations: three queries for any number of them. */
async function presentSubscriptions(
  ctx: Ctx,
  rows: SubscriptionRow[],
  viewerAccess: Map<string, Access> = new Map(),
): Promise<HubSubscription[]> {
  const ids = rows.map((r) => r.id);
  const [services, sites, locations, requests] = await Promise.all([
    repo.findLineServices(
      ctx.db,
      rows.map((r) => r.line_id),
    ),
    repo.findMeetingSites(ctx.db, ids),
    repo.findCallingLocations(ctx.db, ids),
    latestRequestViews(
      ctx,
      rows.filter((r) => isFulfilmentStage(r.stage)).map((r) => r.id),
    ),
  ]);
  return rows.map((r) => {
    const customerOrgId = r.customer_org_id ?? '';
    const partnerOrgId = r.partner_org_id ?? '';
    const maySetUp = maySetUpServices(ctx.actor, {
      order: { partnerOrgId: r.order_partner_org_id, placedByOrgId: r.placed_by_org_id },
      partnerOrgId,
      customerOrgId,
      partnerManagesCustomer: r.partner_access !== null,
      viewerAccess: viewerAccess.get(customerOrgId) ?? null,
    });
    return {
      id: r.id,
      orderNumber: r.order_number,
      offer: { code: r.offer_code, name: r.offer_name },
      quantity: r.quantity,
      services: services
        .filter((s) => s.line_id === r.line_id)
        .map((s) => ({ code: s.service_code, quantity: s.quantity })),
      customerOrgId,
      state: r.provisioned_at ? 'provisioned' : isFulfilmentStage(r.stage) ? r.stage : 'pending_setup',
      fulfilment: requests.get(r.id) ?? null,
      billingStartedAt: r.billing_started_at,
      sites: sites
        .filter((s) => s.subscription_id === r.id)
        .map((s) => ({ name: s.name, timeZone: s.time_zone, licenses: s.licenses })),
      locations: locations
        .filter((l) => l.subscription_id === r.id)
        .map((l) => ({ name: l.name, country: l.country, city: l.city, isMain: l.is_main })),
      pendingForViewer: !r.provisioned_at && maySetUp,
    };
  });
}

/** Organizations with their domains, subdomain and (for `withUsers`) users: four queries in all. */
async function presentOrganizations(
  ctx: Ctx,
  ids: string[],
  withUsers: Set<string>,
): Promise<Map<string, HubOrganization>> {
  const [orgs, domains, users, subdomains] = await Promise.all([
    repo.findOrganizations(ctx.db, ids),
    repo.findDomains(ctx.db, ids),
    repo.findUsers(ctx.db, [...withUsers]),
    repo.findSubdomains(ctx.db, ids),
  ]);
  return new Map(
    orgs.map((o) => [
      o.id,
      {
        id: o.id,
        name: o.name,
        kind: o.kind,
        country: o.country,
        businessVertical: o.business_vertical,
        timeZone: o.time_zone,
        domains: domains
          .filter((d) => d.organization_id === o.id)
          .map((d) => ({ domain: toUnicodeDomain(d.domain), status: d.status })),
        users: withUsers.has(o.id)
          ? users
              .filter((u) => u.organization_id === o.id)
              .map((u) => ({
                id: u.id,
                email: displayEmail(u.email),
                role: u.role,
                lastActiveAt: u.last_active_at,
              }))
          : null,
        subdomain: subdomains.find((s) => s.organization_id === o.id)?.subdomain ?? null,
      },
    ]),
  );
}

export async function getHub(ctx: Ctx): Promise<HubView> {
  const actor = requireHubActor(ctx);
  const administers = mayAdministerOrganization(actor, actor.orgId);
  const partnerSide = isPartnerSide(actor);
  const [managed, managing] = await Promise.all([
    partnerSide ? repo.findManagedRelations(ctx.db, 'partner', actor.orgId) : Promise.resolve([]),
    administers && actor.orgKind === 'customer'
      ? repo.findManagedRelations(ctx.db, 'customer', actor.orgId)
      : Promise.resolve([]),
  ]);
  const customerIds = managed.map((m) => m.customer_org_id);
  // A full admin runs the customer with its admins: its users and every subscription, whoever sold
  // it. A provisioning admin sees what it sold (identity/policy.ts, README "Partner access").
  const access = new Map(managed.map((m) => [m.customer_org_id, m.access]));
  const fullIds = customerIds.filter((id) => mayManageCustomerOrganization(actor, access.get(id) ?? null));
  const provisioningIds = customerIds.filter((id) => !fullIds.includes(id));
  const withUsers = new Set([...(administers ? [actor.orgId] : []), ...fullIds]);
  const decides = mayDecideJoinRequest(actor, actor.orgId);
  const [orgs, ownRows, provisioningRows, fullRows, joinRequests] = await Promise.all([
    presentOrganizations(ctx, [actor.orgId, ...customerIds], withUsers),
    administers || partnerSide ? repo.findSubscriptions(ctx.db, [actor.orgId], null) : Promise.resolve([]),
    repo.findSubscriptions(ctx.db, provisioningIds, actor.orgId),
    repo.findSubscriptions(ctx.db, fullIds, null),
    decides ? joinRequestsOfOrganization(ctx, actor.orgId) : Promise.resolve([]),
  ]);
  const managedRows = [...provisioningRows, ...fullRows];
  const all = await presentSubscriptions(ctx, [...ownRows, ...managedRows], access);
  const own = all.slice(0, ownRows.length);
  const organization = orgs.get(actor.orgId);
  if (!organization) throw notFound();
  return {
    organization,
    administers,
    partnerSide,
    subscriptions: own,
    pendingSetups: all.filter((s) => s.pendingForViewer),
    managedCustomers: managed.flatMap((m) => {
      const org = orgs.get(m.customer_org_id);
      if (!org) return [];
      return [
        {
          organization: org,
          access: m.access,
          fullAdminRequestedAt: m.full_admin_requested_at,
          subscriptions: all.slice(ownRows.length).filter((s) => s.customerOrgId === m.customer_org_id),
        },
      ];
    }),
    managingPartners: managing.map((m) => ({
      orgId: m.partner_org_id,
      name: m.other_name,
      access: m.access,
      fullAdminRequestedAt: m.full_admin_requested_at,
    })),
    joinRequests,
  };
}

/**
 * A provisioning admin's partner asks the customer's admins for full admin (W6): recorded once,
 * the admins emailed through the outbox. Asking again changes nothing and sends nothing.
 */
export async function requestFullAdmin(
  ctx: Ctx,
  customerOrgId: string,
): Promise<'requested' | 'already_requested'> {
  const actor = requireHubActor(ctx);
  if (!isPartnerSide(actor) || !UUID.test(customerOrgId)) throw notFound();
  return inTransaction(ctx, async (tx) => {
    const relation = await repo.findRelation(tx.db, actor.orgId, customerOrgId);
    if (!relation) throw notFound();
    if (relation.access === 'full_admin') throw new DomainError('hub_already_full_admin', 409);
    const now = tx.clock.now();
    const requester = actor.type === 'user' ? actor.userId : null;
    if (!(await repo.markFullAdminRequested(tx.db, actor.orgId, customerOrgId, now, requester))) {
      return 'already_requested';
    }
    const [admins, names] = await Promise.all([
      repo.findCustomerAdmins(tx.db, customerOrgId),
      repo.findOrganizations(tx.db, [actor.orgId, customerOrgId]),
    ]);
    const nameOf = (id: string) => names.find((o) => o.id === id)?.name ?? '';
    for (const admin of admins) {
      const locale = isLocale(admin.locale) ? admin.locale : ctx.config.defaultLocale;
      const email = renderFullAdminRequestEmail(locale, {
        partner: nameOf(actor.orgId),
        customer: nameOf(customerOrgId),
        requester: actor.type === 'user' ? displayEmail(actor.email) : null,
        link: `${ctx.config.publicUrl}/hub#partners`,
      });
      await queueEmail(tx, { kind: 'hub.full_admin_request', to: admin.email, locale, ...email });
    }
    await recordAudit(tx, [
      {
        action: 'managed_customer.full_admin_requested',
        entityType: 'organization',
        entityId: customerOrgId,
        organizationId: customerOrgId,
        payload: { partnerOrgId: actor.orgId, customerOrgId },
      },
    ]);
    return 'requested';
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the confirmation of *Request full admin* names; not found unless the caller may ask. */
export async function fullAdminRequestTarget(
  ctx: Ctx,
  customerOrgId: string,
): Promise<{ customer: string; state: 'ask' | 'already_requested' | 'full_admin' }> {
  const actor = requireHubActor(ctx);
  if (!isPartnerSide(actor) || !UUID.test(customerOrgId)) throw notFound();
  const relation = await repo.findRelation(ctx.db, actor.orgId, customerOrgId);
  if (!relation) throw notFound();
  const [org] = await repo.findOrganizations(ctx.db, [customerOrgId]);
  const state =
    relation.access === 'full_admin'
      ? 'full_admin'
      : relation.full_admin_requested_at
        ? 'already_requested'
        : 'ask';
  return { customer: org?.name ?? '', state };
}

/** What the confirmation of *Grant full admin* names; not found unless the caller may grant it. */
export async function grantTarget(
  ctx: Ctx,
  partnerOrgId: string,
): Promise<{ partner: string; requestedAt: Date | null; fullAdmin: boolean }> {
  const actor = requireHubActor(ctx);
  if (!UUID.test(partnerOrgId)) throw notFound();
  if (actor.orgKind !== 'customer' || !mayAdministerOrganization(actor, actor.orgId)) throw notFound();
  const relation = await repo.findRelation(ctx.db, partnerOrgId, actor.orgId);
  if (!relation) throw notFound();
  const [org] = await repo.findOrganizations(ctx.db, [partnerOrgId]);
  return {
    partner: org?.name ?? '',
    requestedAt: relation.full_admin_requested_at,
    fullAdmin: relation.access === 'full_admin',
  };
}

/**
 * A customer admin makes a partner that is its provisioning admin a full admin; the partner user
 * who asked (or, when a key asked or nobody did, the partner's admins) is emailed in the same
 * transaction.
 */
export async function grantFullAdmin(ctx: Ctx, partnerOrgId: string): Promise<void> {
  const actor = requireHubActor(ctx);
  if (!UUID.test(partnerOrgId)) throw notFound();
  if (actor.orgKind !== 'customer' || !mayAdministerOrganization(actor, actor.orgId)) throw notFound();
  await inTransaction(ctx, async (tx) => {
    const relation = await repo.findRelation(tx.db, partnerOrgId, actor.orgId);
    if (!relation) throw notFound();
    if (!(await repo.markFullAdminGranted(tx.db, partnerOrgId, actor.orgId, tx.clock.now()))) {
      throw new DomainError('hub_already_full_admin', 409);
    }
    const asker = relation.full_admin_requested_by_user_id;
    let recipients = await repo.findUsersToTell(tx.db, partnerOrgId, asker);
    if (!recipients.length && asker) recipients = await repo.findUsersToTell(tx.db, partnerOrgId, null);
    const names = await repo.findOrganizations(tx.db, [partnerOrgId, actor.orgId]);
    const nameOf = (id: string) => names.find((o) => o.id === id)?.name ?? '';
    for (const to of recipients) {
      const locale = isLocale(to.locale) ? to.locale : ctx.config.defaultLocale;
      const email = renderFullAdminGrantedEmail(locale, {
        partner: nameOf(partnerOrgId),
        customer: nameOf(actor.orgId),
        granter: actor.type === 'user' ? displayEmail(actor.email) : nameOf(actor.orgId),
        link: `${ctx.config.publicUrl}/hub#customer-${actor.orgId}`,
      });
      await queueEmail(tx, { kind: 'hub.full_admin_granted', to: to.email, locale, ...email });
    }
    await recordAudit(tx, [
      {
        action: 'managed_customer.full_admin_granted',
        entityType: 'organization',
        entityId: actor.orgId,
        organizationId: actor.orgId,
        payload: { partnerOrgId, customerOrgId: actor.orgId },
      },
    ]);
  });
}
