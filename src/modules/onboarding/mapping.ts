import { type Actor, type Ctx, inTransaction, type TxCtx } from '../../platform/context.ts';
import { emailHost, isFreeMailDomain, registrableDomain } from '../../platform/domains.ts';
import { normalizeEmail } from '../../platform/email.ts';
import {
  DomainError,
  type FieldError,
  forbidden,
  notFound,
  validationFailed,
} from '../../platform/errors.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { createInvitation } from '../identity/invitations.ts';
import { type MatchSide, matchOrganizations, searchOrganizationsByDomain } from '../identity/matching.ts';
import { mayMapSubscription } from '../identity/policy.ts';
import { createOrganization, createUser, organizationNames, userByEmail } from '../identity/service.ts';
import { mapSubscription } from '../provisioning/service.ts';
import { type ConsentNeeded, consentedOrganizations, requestConsent } from './consent.ts';
import { renderInvitationEmail } from './mapping-email.ts';
import {
  checkedAddress,
  type NewOrganizationInput,
  newOrganizationProblems,
  type OrganizationChoice,
} from './mapping-input.ts';
import * as repo from './mapping-repository.ts';
import { findSetupRow } from './repository.ts';
import { admitMappingCreations } from './setup-limits.ts';

export interface MappingInput {
  /** 'customer': this order is for a customer; 'my_company': for the contact's own company. */
  role: 'customer' | 'my_company';
  /** Who sets up the services: the one mapping, or the customer admin (W2). */
  setupBy: 'self' | 'customer';
  /** The partner side; for 'my_company' the order's partner organization is used. */
  partner?: OrganizationChoice | undefined;
  /** For 'my_company' the contact's own address is the customer admin's. */
  customerAdminEmail?: string | undefined;
  customer: OrganizationChoice;
  /** W7: the customer admin is asked to set up too; the partner keeps access. */
  customerSetsUpServices?: boolean | undefined;
}

export type MappingResult =
  | { next: 'set_password'; url: string }
  | { next: 'sign_in'; url: string }
  | { next: 'customer_invited' }
  /** An integrator mapped through the API: the contact got their set-password link by email. */
  | { next: 'contact_invited' }
  /** An existing organization's admins must agree first (docs/adr/0022): nothing was granted. */
  | { next: 'awaiting_approval'; organizationName: string; requestId: string };

const ERR_ORG_NOT_OFFERED = 'wizard_organization_not_offered';

/** A new organization's domain: its admin's registrable domain, claimed; none for free mail. */
function claimedDomains(address: string): { domain: string; status: 'claimed' }[] {
  const host = emailHost(address);
  const domain = registrableDomain(host);
  if (!domain || isFreeMailDomain(host)) return [];
  return [{ domain, status: 'claimed' }];
}

/**
 * Where one side lands, decided before anything is written: the address's own organization
 * (exact: membership proven), a new one, or an existing one it does not belong to (proposed by
 * its domain or a search: joining it needs its admins' consent).
 */
type SidePlan =
  | { kind: 'exact'; orgId: string; userId: string; hasPassword: boolean }
  | { kind: 'create'; create: NewOrganizationInput }
  | { kind: 'join'; orgId: string };

interface Resolved {
  orgId: string;
  created: boolean;
  userId: string;
  hasPassword: boolean;
}

async function planSide(
  tx: TxCtx,
  subscriptionId: string,
  side: MatchSide,
  field: string,
  email: string,
  choice: OrganizationChoice,
): Promise<SidePlan> {
  const match = await matchOrganizations(tx, subscriptionId, { email, side });
  if (match.outcome === 'taken')
    throw new DomainError('wizard_email_in_other_organization', 409, { email }, [
      { field, rule: 'wizard_email_in_other_organization', params: { organization: match.organizationName } },
    ]);
  if (match.outcome === 'exact') {
    if (!('organizationId' in choice) || choice.organizationId !== match.organization.id)
      throw orgNotOffered(side);
    const user = await userByEmail(tx, email);
    if (!user) throw new Error('matched user vanished inside the transaction');
    return {
      kind: 'exact',
      orgId: match.organization.id,
      userId: user.id,
      hasPassword: !!user.password_hash,
    };
  }
  if ('create' in choice) return { kind: 'create', create: choice.create };
  const searched =
    choice.searchedDomain !== undefined
      ? await searchOrganizationsByDomain(tx, subscriptionId, { domain: choice.searchedDomain, side })
      : [];
  const offered = [...(match.outcome === 'domain' ? match.candidates : []), ...searched];
  if (!offered.some((c) => c.id === choice.organizationId)) throw orgNotOffered(side);
  return { kind: 'join', orgId: choice.organizationId };
}

/** Writes what a plan needs: the organization when new, the user when not one yet. */
async function applySide(
  tx: TxCtx,
  subscriptionId: string,
  side: MatchSide,
  email: string,
  plan: SidePlan,
): Promise<Resolved> {
  if (plan.kind === 'exact') return { ...plan, created: false };
  let orgId: string;
  if (plan.kind === 'create') {
    const org = await createOrganization(tx, {
      kind: side === 'partner' ? 'partner' : 'customer',
      name: plan.create.name,
      businessVertical: plan.create.businessVertical,
      country: plan.create.country,
      domains: claimedDomains(email),
    });
    await repo.markCreatedBy(tx.db, org.id, subscriptionId);
    orgId = org.id;
  } else orgId = plan.orgId;
  const created = plan.kind === 'create';
  // A new partner organization's first user is its admin (W4). Joining an existing partner
  // organization (its admins agreed) gives a user's role only: enough to set up its customers,
  // not to run it. The customer admin named in the wizard is what W5 asks for.
  const role = side === 'customer' ? 'customer_admin' : created ? 'partner_admin' : 'partner_user';
  const user = await createUser(tx, { organizationId: orgId, email, role, locale: tx.locale });
  return { orgId, created, userId: user.id, hasPassword: false };
}

const orgNotOffered = (side: MatchSide) =>
  new DomainError(ERR_ORG_NOT_OFFERED, 422, {}, [{ field: side, rule: ERR_ORG_NOT_OFFERED }]);

function checkInput(input: MappingInput, contact: string): { adminEmail: string } {
  const fields: FieldError[] = [];
  if (input.role === 'customer' && !input.partner) fields.push({ field: 'partner', rule: 'required' });
  if (input.partner && 'create' in input.partner)
    fields.push(...newOrganizationProblems('partner.create', input.partner.create));
  if ('create' in input.customer)
    fields.push(...newOrganizationProblems('customer.create', input.customer.create));
  const admin =
    input.role === 'my_company' ? contact : checkedAddress('customerAdminEmail', input.customerAdminEmail);
  if (typeof admin !== 'string') fields.push(admin);
  if (fields.length || typeof admin !== 'string') throw validationFailed(fields);
  if (input.role === 'customer' && admin === contact)
    throw validationFailed([{ field: 'customerAdminEmail', rule: 'wizard_admin_is_contact' }]);
  return { adminEmail: admin };
}

type SetupRow = NonNullable<Awaited<ReturnType<typeof findSetupRow>>>;

/**
 * The Point of No Return from the wizard (W3–W8): creates what the choices need (organizations,
 * users, the partner's access to the customer) and maps the subscription, all in one transaction.
 * Nothing about organizations or users is written before this call. When a choice needs an
 * existing organization's consent, only the request is written (docs/adr/0022).
 */
export async function completeMapping(
  ctx: Ctx,
  subscriptionId: string,
  input: MappingInput,
): Promise<MappingResult> {
  const row = await findSetupRow(ctx.db, subscriptionId);
  if (!row) throw notFound();
  const order = { partnerOrgId: row.order_partner_org_id, placedByOrgId: row.placed_by_org_id };
  if (!mayMapSubscription(ctx.actor, { subscriptionId, ...order })) throw notFound();
  if (row.mapped_at) throw new DomainError('already_mapped', 409);
  // Before the start date no email went out and the line's lifecycle cannot reach Provision yet.
  if (row.line_status === 'scheduled')
    throw new DomainError('setup_not_started', 409, { date: row.requested_start_date });
  // Counted per caller before any write; an approval replaying the mapping later is not a new creation.
  await admitMappingCreations(ctx, input);
  return inTransaction({ ...ctx, locale: row.order_locale }, (tx) => mapInTransaction(tx, row, input));
}

/** The mapping itself, in the caller's transaction: completeMapping, or an approval replaying it. */
export async function mapInTransaction(
  tx: TxCtx,
  row: SetupRow,
  input: MappingInput,
): Promise<MappingResult> {
  const subscriptionId = row.subscription_id;
  const contact = normalizeEmail(
    tx.actor.type === 'setup_link' ? tx.actor.email : row.provisioning_contact_email,
  );
  const { adminEmail } = checkInput(input, contact);
  const locked = await repo.lockSubscriptionLine(tx.db, subscriptionId);
  if (!locked) throw notFound();
  if (locked.mapped_at) throw new DomainError('already_mapped', 409);

  const forCustomer = input.role === 'customer' && input.partner !== undefined;
  const partnerPlan =
    forCustomer && input.partner
      ? await planSide(tx, subscriptionId, 'partner', 'partner', contact, input.partner)
      : null;
  refuseOwnOrganizationByKey(tx.actor, partnerPlan);
  const customerPlan = await planSide(
    tx,
    subscriptionId,
    'customer',
    'customerAdminEmail',
    adminEmail,
    input.customer,
  );
  const partnerOrgOf = (p: SidePlan | null) =>
    p && p.kind !== 'create' ? p.orgId : row.order_partner_org_id;
  if (customerPlan.kind !== 'create' && customerPlan.orgId === partnerOrgOf(partnerPlan))
    throw orgNotOffered('customer');
  const customerSetsUp = input.role === 'customer' && input.setupBy === 'customer';
  const partnerSetsUp = input.role === 'customer' && !customerSetsUp;

  // Consent first: each existing organization the choices would open, unless its admins agreed.
  const needed: ConsentNeeded[] = [];
  if (partnerPlan?.kind === 'join')
    needed.push({ orgId: partnerPlan.orgId, reason: 'join', side: 'partner', subjectEmail: contact });
  if (customerPlan.kind === 'join')
    needed.push({ orgId: customerPlan.orgId, reason: 'join', side: 'customer', subjectEmail: adminEmail });
  else if (
    customerPlan.kind === 'exact' &&
    partnerSetsUp &&
    !(
      partnerPlan?.kind !== 'create' &&
      (await repo.managesCustomer(tx.db, partnerOrgOf(partnerPlan), customerPlan.orgId))
    )
  )
    needed.push({
      orgId: customerPlan.orgId,
      reason: 'partner_access',
      side: 'customer',
      subjectEmail: adminEmail,
    });
  const consented = await consentedOrganizations(tx, subscriptionId, contact);
  const missing = needed.find((n) => !consented.has(n.orgId));
  if (missing) return requestConsent(tx, row, contact, input, missing);

  let partner: Resolved | null = null;
  let partnerOrgId = row.order_partner_org_id;
  if (partnerPlan) {
    partner = await applySide(tx, subscriptionId, 'partner', contact, partnerPlan);
    partnerOrgId = partner.orgId;
  }
  const customer = await applySide(tx, subscriptionId, 'customer', adminEmail, customerPlan);

  if (partnerSetsUp) {
    const access = customer.created ? 'full_admin' : 'provisioning_admin';
    await repo.insertManagedCustomer(tx.db, {
      partner_org_id: partnerOrgId,
      customer_org_id: customer.orgId,
      access,
      granted_at: tx.clock.now(),
    });
    await recordAudit(tx, [
      {
        action: 'managed_customer.added',
        entityType: 'organization',
        entityId: customer.orgId,
        organizationId: partnerOrgId,
        payload: { partnerOrgId, customerOrgId: customer.orgId, access },
      },
    ]);
  }
  const contactUser = input.role === 'customer' ? partner : customer;
  await mapSubscription(tx, subscriptionId, {
    partnerOrgId,
    customerOrgId: customer.orgId,
    setupAssignee: partnerSetsUp ? 'partner' : 'customer',
    mappedByUserId: tx.actor.type === 'user' ? tx.actor.userId : (contactUser?.userId ?? null),
  });

  const names = await organizationNames(tx, [partnerOrgId]);
  const locale = row.order_locale;
  const emailFacts = {
    locale,
    orderReference: row.reference,
    subscriptionId,
    offerName: row.offer_name,
    partnerName: names.get(partnerOrgId) ?? '',
  };
  if (customerSetsUp || (partnerSetsUp && input.customerSetsUpServices)) {
    const invite = await createInvitation(tx, {
      userId: customer.userId,
      organizationId: customer.orgId,
      purpose: 'set_up_services',
      subscriptionId,
    });
    await queueEmail(tx, {
      kind: 'setup.set_up_services',
      to: adminEmail,
      locale,
      ...renderInvitationEmail({ ...emailFacts, purpose: 'set_up_services', url: invite.url }),
    });
  }
  if (customerSetsUp) return { next: 'customer_invited' };
  if (!contactUser) throw forbidden();
  if (contactUser.hasPassword)
    return { next: 'sign_in', url: `${tx.config.publicUrl}/login?next=/hub/setups/${subscriptionId}` };
  const invite = await createInvitation(tx, {
    userId: contactUser.userId,
    organizationId: input.role === 'customer' ? partnerOrgId : customer.orgId,
    purpose: 'set_password',
    subscriptionId,
  });
  // The link holder proved the mailbox; anyone else (an integrator's key, an approving admin) must
  // not get the login: the contact gets it by email.
  if (tx.actor.type === 'setup_link') return { next: 'set_password', url: invite.url };
  await queueEmail(tx, {
    kind: 'setup.set_password',
    to: input.role === 'customer' ? contact : adminEmail,
    locale,
    ...renderInvitationEmail({ ...emailFacts, purpose: 'set_password', url: invite.url }),
  });
  return { next: 'contact_invited' };
}

/**
 * An integrator's key may put the mapping on its own partner organization only for a contact who
 * is already one of its users (as the wizard shows "associated … based on your email"); for
 * anyone else the key would be adding a user to its organization, which its admins do in the hub.
 */
function refuseOwnOrganizationByKey(actor: Actor, plan: SidePlan | null): void {
  if (actor.type !== 'api_key' || plan?.kind !== 'join' || plan.orgId !== actor.orgId) return;
  throw new DomainError('mapping_contact_not_in_partner_organization', 422, {}, [
    { field: 'partner', rule: 'mapping_contact_not_in_partner_organization' },
  ]);
}
