import type { Actor, OrgKind } from '../../platform/context.ts';
import { forbidden, notFound } from '../../platform/errors.ts';

/**
 * Who may do what, in one place. Services ask these questions instead of inspecting actors
 * themselves; a new kind of caller (a contact arriving by a link token, an operator) is taught
 * here once. Reads of something the actor may not see answer "not found", so existence does not
 * leak; actions the actor may see but not take answer "forbidden".
 */

/** Whose orders an actor may see: one organization's (as owner or placer), or every order. */
export type OrderScope = { orgId: string } | 'all';

/** An actor speaking for an organization. */
export type OrgActor = Extract<Actor, { orgId: string }>;

/** An actor that may place orders: a partner or distributor, by a signed-in user or an API key. */
export type OrderingActor = OrgActor & { orgKind: Exclude<OrgKind, 'customer'> };

/**
 * Provisio's own jobs and CLI, and the vendor's operators, see every order; an unauthenticated
 * caller sees none. Seeing is not acting: operators read, the edit rules refuse them.
 */
export function orderScope(actor: Actor): OrderScope {
  if (actor.type === 'system' || mayOperate(actor)) return 'all';
  if (actor.type === 'user' || actor.type === 'api_key') return { orgId: actor.orgId };
  throw notFound();
}

export function mayPlaceOrders(actor: Actor): actor is OrderingActor {
  return (
    (actor.type === 'user' || actor.type === 'api_key') &&
    (actor.orgKind === 'partner' || actor.orgKind === 'distributor')
  );
}

/** A user of the vendor's back office: reads every order, answers and closes support cases. */
export function mayOperate(actor: Actor): boolean {
  return actor.type === 'user' && actor.role === 'operator' && actor.orgKind === 'vendor';
}

/**
 * May answer fulfilment requests and read any subscription's provisioning (docs/adr/0032): the vendor's
 * own service, by an API key of a vendor organization (`provisio apikey create --org <vendor org>`), its
 * operators in the back office, and Provisio itself.
 */
export function mayFulfil(actor: Actor): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'api_key') return actor.orgKind === 'vendor';
  return mayOperate(actor);
}

/** Narrows to an operator, or answers "not found": the back office does not exist for anyone else. */
export function requireOperator(actor: Actor): Extract<Actor, { type: 'user' }> {
  if (!mayOperate(actor) || actor.type !== 'user') throw notFound();
  return actor;
}

/** Whose support cases an actor may see: its own organization's, or (operators) every one. */
export function supportCaseScope(actor: Actor): OrderScope {
  if (actor.type === 'system' || mayOperate(actor)) return 'all';
  if ((actor.type === 'user' || actor.type === 'api_key') && actor.orgKind !== 'customer') {
    return { orgId: actor.orgId };
  }
  throw notFound();
}

/**
 * Whose outgoing events an actor may read (the feed, docs/adr/0030): the vendor's API keys and
 * operators, and Provisio itself, every event (those about no tenant too); a partner's or
 * distributor's users and keys, the events of orders it owns or placed. A customer organization has
 * no orders of its own: refused.
 */
export function eventScope(actor: Actor): OrderScope {
  if (actor.type === 'system' || mayOperate(actor)) return 'all';
  if (actor.type === 'api_key' && actor.orgKind === 'vendor') return 'all';
  if (mayPlaceOrders(actor)) return { orgId: actor.orgId };
  throw forbidden();
}

/** Partner and distributor users (any role) and API keys open cases for their own organization. */
export function requireCaseOpener(actor: Actor): OrderingActor {
  if (!mayPlaceOrders(actor)) throw forbidden();
  return actor;
}

/** Narrows to an actor that may place orders, or refuses. */
export function requireOrderingActor(actor: Actor): OrderingActor {
  if (!mayPlaceOrders(actor)) throw forbidden();
  return actor;
}

/**
 * May issue, list and revoke the organization's API keys: its partner or distributor admins, and
 * Provisio's own CLI.
 */
export function mayManageApiKeys(actor: Actor, orgId: string): boolean {
  if (actor.type === 'system') return true;
  return (
    actor.type === 'user' &&
    actor.role === 'partner_admin' &&
    actor.orgId === orgId &&
    actor.orgKind !== 'customer'
  );
}

/**
 * May resend the provisioning email of, or change the contact on, an order it can see (C7): users
 * with edit rights (not viewers) and API keys of the ordering partner or of the distributor that
 * placed it, and Provisio itself.
 */
export function mayActOnProvisioning(
  actor: Actor,
  order: { partnerOrgId: string; placedByOrgId: string },
): boolean {
  if (actor.type === 'system') return true;
  if (actor.type !== 'user' && actor.type !== 'api_key') return false;
  if (actor.orgId !== order.partnerOrgId && actor.orgId !== order.placedByOrgId) return false;
  return actor.type === 'api_key' || actor.role === 'partner_admin' || actor.role === 'partner_user';
}

/**
 * May map a subscription to organizations (the Point of No Return, W3–W8): whoever holds that
 * line's live setup link, the ordering partner's or placing distributor's users with edit rights
 * and API keys (an integrator provisioning without the UI, X1), and Provisio itself.
 */
export function mayMapSubscription(
  actor: Actor,
  s: { subscriptionId: string; partnerOrgId: string; placedByOrgId: string },
): boolean {
  if (actor.type === 'setup_link') return actor.subscriptionId === s.subscriptionId;
  return mayActOnProvisioning(actor, s);
}

/**
 * May hand a line over to another provisioning contact (W2, *someone else completes this order*):
 * the holder of that line's live setup link, for that line only. Resends stay with the order's side.
 */
export function mayHandOverLine(actor: Actor, lineId: string): boolean {
  return actor.type === 'setup_link' && actor.lineId === lineId;
}

/**
 * May approve or refuse a request to join the organization, or to give a partner access to it
 * (docs/adr/0022): that organization's own admins, nobody else (not the partner asking, not an
 * operator, not an API key: consent is a person's).
 */
export function mayDecideJoinRequest(actor: Actor, organizationId: string): boolean {
  return (
    actor.type === 'user' &&
    actor.orgId === organizationId &&
    (actor.role === 'partner_admin' || actor.role === 'customer_admin')
  );
}

/** A partner's access to a customer it manages (W6). */
export type PartnerAccess = 'full_admin' | 'provisioning_admin';

/**
 * What a partner sees of a customer it manages. A provisioning admin provisioned it (the
 * customer's admins agreed): it sees the customer's name and the subscriptions it sold, and sets
 * those up. A full admin (granted by a customer admin) runs the organization with them: it also
 * sees its users and domains and every subscription of the customer, whoever sold it, and may set
 * up any of them.
 */
export function mayManageCustomerOrganization(actor: Actor, access: PartnerAccess | null): boolean {
  if (actor.type === 'system') return true;
  if (access !== 'full_admin') return false;
  if (actor.type === 'api_key') return actor.orgKind === 'partner' || actor.orgKind === 'distributor';
  return actor.type === 'user' && (actor.role === 'partner_admin' || actor.role === 'partner_user');
}

/** What decides who may set up a mapped subscription's services. */
export interface SetupAccessFacts {
  /** The order's owner and placer: their API keys are the integrator's way in (X1). */
  order: { partnerOrgId: string; placedByOrgId: string };
  partnerOrgId: string;
  customerOrgId: string;
  /** The partner organization has a managed_customers row for the customer (any access). */
  partnerManagesCustomer: boolean;
  /**
   * The caller's own organization's access to the customer, when the caller is another partner
   * than the subscription's: a full admin may set up every subscription of the customer.
   */
  viewerAccess?: PartnerAccess | null | undefined;
}

/**
 * May set up services, Provision and read a mapped subscription's setup (S1–S7): the customer's
 * admins; the partner's admins and users, and the ordering side's API keys, while the partner
 * manages the customer (not when "the customer will set up", W2); and Provisio itself.
 */
export function maySetUpServices(actor: Actor, s: SetupAccessFacts): boolean {
  if (actor.type === 'system') return true;
  if (
    (actor.type === 'user' || actor.type === 'api_key') &&
    actor.orgId !== s.partnerOrgId &&
    actor.orgId !== s.customerOrgId &&
    mayManageCustomerOrganization(actor, s.viewerAccess ?? null)
  )
    return true;
  if (actor.type === 'user') {
    if (actor.orgId === s.customerOrgId && actor.role === 'customer_admin') return true;
    // An order "for my company" maps the partner as its own customer: no managed_customers row
    // (a partner cannot manage itself), and its admins and users set it up.
    const ownCompany = s.partnerOrgId === s.customerOrgId;
    return (
      actor.orgId === s.partnerOrgId &&
      (s.partnerManagesCustomer || ownCompany) &&
      (actor.role === 'partner_admin' || actor.role === 'partner_user')
    );
  }
  if (actor.type === 'api_key') {
    const ordering = [s.order.partnerOrgId, s.order.placedByOrgId, s.partnerOrgId];
    return ordering.includes(actor.orgId) && s.partnerManagesCustomer;
  }
  return false;
}

/** An organization's admin in the admin hub: partner and customer admins of their own organization. */
export function mayAdministerOrganization(actor: Actor, orgId: string): boolean {
  if (actor.type === 'system') return true;
  return (
    actor.type === 'user' &&
    actor.orgId === orgId &&
    (actor.role === 'partner_admin' || actor.role === 'customer_admin')
  );
}

/**
 * Whose webhook endpoints an actor manages (docs/adr/0031): a partner's or distributor's admins and
 * API keys (keys are issued by its admins) manage the organization's own, which receive the events of
 * its orders; the vendor's operators and the vendor organization's API keys manage the vendor's, which
 * receive every partner's events; Provisio itself acts for the vendor. Anyone else finds nothing.
 */
export type WebhookOwner = { orgId: string } | 'vendor';

export function webhookOwner(actor: Actor): WebhookOwner {
  if (actor.type === 'system' || mayOperate(actor)) return 'vendor';
  if (actor.type === 'api_key' && actor.orgKind === 'vendor') return 'vendor';
  const ordering = (kind: OrgKind) => kind === 'partner' || kind === 'distributor';
  if (actor.type === 'api_key' && ordering(actor.orgKind)) return { orgId: actor.orgId };
  if (actor.type === 'user' && actor.role === 'partner_admin' && ordering(actor.orgKind))
    return { orgId: actor.orgId };
  throw notFound();
}

/** May manage this endpoint: its owner only; another organization's endpoint does not exist for it. */
export function mayManageWebhookEndpoint(actor: Actor, endpointOrgId: string | null): boolean {
  const owner = webhookOwner(actor);
  return owner === 'vendor' ? endpointOrgId === null : owner.orgId === endpointOrgId;
}

/** An actor whose changes can be recorded in history: anyone but an anonymous caller. */
export type AccountableActor = Exclude<Actor, { type: 'anonymous' }>;

export function requireAccountable(actor: Actor): AccountableActor {
  if (actor.type === 'anonymous') throw forbidden();
  return actor;
}
