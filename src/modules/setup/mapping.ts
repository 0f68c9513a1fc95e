import { type Ctx, inTransaction, type TxCtx } from '../../platform/context.ts';
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

import { renderInvitationEmail } from './mapping-email.ts';
import { checkedAddress, newOrganizationProblems, type OrganizationChoice } from './mapping-input.ts';
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
  | { next: 'contact_invited' };

const ERR_ORG_NOT_OFFERED = 'wizard_organization_not_offered';

/** A new organization's domain: its admin's registrable domain, claimed; none for free mail. */
function claimedDomains(address: string): { domain: string; status: 'claimed' }[] {
  const host = emailHost(address);
  const domain = registrableDomain(host);
  if (!domain || isFreeMailDomain(host)) return [];
  return [{ domain, status: 'claimed' }];
}

interface Resolved {
  orgId: string;
  created: boolean;
  userId: string;
  hasPassword: boolean;
}

/**
 * One side of the mapping: the address's organization as a fresh match offers it, or a new one.
 * The user is created in it when the address is not one yet (a user belongs to one organization).
 */
async function resolveSide(
  tx: TxCtx,
  subscriptionId: string,
  side: MatchSide,
  field: string,
  email: string,
  choice: OrganizationChoice,
): Promise<Resolved> {
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
      orgId: match.organization.id,
      created: false,
      userId: user.id,
      hasPassword: !!user.password_hash,
    };
  }
  const kind = side === 'partner' ? 'partner' : 'customer';
  let orgId: string;
  let created = false;
  if ('create' in choice) {
    const org = await createOrganization(tx, {
      kind,
      name: choice.create.name,
      businessVertical: choice.create.businessVertical,
      country: choice.create.country,
      domains: claimedDomains(email),
    });
    await repo.markCreatedBy(tx.db, org.id, subscriptionId);
    orgId = org.id;
    created = true;
  } else {
    const searched =
      choice.searchedDomain !== undefined
        ? await searchOrganizationsByDomain(tx, subscriptionId, { domain: choice.searchedDomain, side })
        : [];
    const offered = [...(match.outcome === 'domain' ? match.candidates : []), ...searched];
    if (!offered.some((c) => c.id === choice.organizationId)) throw orgNotOffered(side);
    orgId = choice.organizationId;
  }
  // A new partner organization's first user is its admin (W4). Joining an existing partner
  // organization gives a user's role only: enough to set up its customers, not to run it. The
  // customer admin named in the wizard is what W5 asks for, so that side joins as an admin.
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

/**
 * The Point of No Return from the wizard (W3–W8): creates what the choices need (organizations,
 * users, the partner's access to the customer) and maps the subscription, all in one transaction.
 * Nothing about organizations or users is written before this call.
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
  const contact = normalizeEmail(
    ctx.actor.type === 'setup_link' ? ctx.actor.email : row.provisioning_contact_email,
  );
  const { adminEmail } = checkInput(input, contact);
  await admitMappingCreations(ctx, input);
  const locale = row.order_locale;
  return inTransaction({ ...ctx, locale }, async (tx) => {
    const locked = await repo.lockSubscriptionLine(tx.db, subscriptionId);
    if (!locked) throw notFound();
    if (locked.mapped_at) throw new DomainError('already_mapped', 409);

    let partner: Resolved | null = null;
    let partnerOrgId = row.order_partner_org_id;
    if (input.role === 'customer' && input.partner) {
      partner = await resolveSide(tx, subscriptionId, 'partner', 'partner', contact, input.partner);
      partnerOrgId = partner.orgId;
    }
    const customer = await resolveSide(
      tx,
      subscriptionId,
      'customer',
      'customerAdminEmail',
      adminEmail,
      input.customer,
    );
    if (customer.orgId === partnerOrgId) throw orgNotOffered('customer');

    const customerSetsUp = input.role === 'customer' && input.setupBy === 'customer';
    const partnerSetsUp = input.role === 'customer' && !customerSetsUp;
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
      mappedByUserId: ctx.actor.type === 'user' ? ctx.actor.userId : (contactUser?.userId ?? null),
    });

    const names = await organizationNames(tx, [partnerOrgId]);
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
    if (contactUser.hasPassword) return { next: 'sign_in', url: `/login?next=/hub/setups/${subscriptionId}` };
    const invite = await createInvitation(tx, {
      userId: contactUser.userId,
      organizationId: input.role === 'customer' ? partnerOrgId : customer.orgId,
      purpose: 'set_password',
      subscriptionId,
    });
    // The link holder proved the mailbox; anyone else (an integrator's key) must not get the login.
    if (ctx.actor.type === 'setup_link') return { next: 'set_password', url: invite.url };
    await queueEmail(tx, {
      kind: 'setup.set_password',
      to: input.role === 'customer' ? contact : adminEmail,
      locale,
      ...renderInvitationEmail({ ...emailFacts, purpose: 'set_password', url: invite.url }),
    });
    return { next: 'contact_invited' };
  });
}
