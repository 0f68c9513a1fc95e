import { type Ctx, inTransaction, type Role } from '../../platform/context.ts';
import { displayEmail, isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { isLocale, type Locale } from '../../platform/i18n.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { createInvitation, INVITATION_TTL_HOURS } from '../identity/invitations.ts';
import {
  organizationProfile,
  profileProblems,
  rolesOf,
  updateOrganizationProfile,
} from '../identity/organization-admin.ts';
import { mayAdministerOrganization } from '../identity/policy.ts';
import { createUser } from '../identity/service.ts';
import { BUSINESS_VERTICALS } from '../onboarding/mapping-input.ts';
import { renderUserInvitationEmail } from './email.tsx';
import * as repo from './repository.ts';

/**
 * The admin hub runs the organization (issue 16 item 5, docs/adr/0035): its admins invite users in
 * the invitee's language, and edit the organization's profile. Roles, removal and the last-admin rule
 * are identity's (organization-admin.ts); calling locations are service setup's (locations.ts).
 */

type AdminActor = { userId: string; orgId: string; email: string };

export function requireOrgAdmin(ctx: Ctx): AdminActor {
  const actor = ctx.actor;
  if (actor.type !== 'user' || !mayAdministerOrganization(actor, actor.orgId)) throw notFound();
  return { userId: actor.userId, orgId: actor.orgId, email: actor.email };
}

export interface HubUser {
  id: string;
  email: string;
  role: Role;
  /** Invited, no password set yet. */
  invited: boolean;
  lastActiveAt: Date | null;
}

export async function organizationUsers(ctx: Ctx): Promise<{ users: HubUser[]; roles: Role[] }> {
  const { orgId } = requireOrgAdmin(ctx);
  const [rows, profile] = await Promise.all([
    repo.findOrganizationUsers(ctx.db, orgId),
    organizationProfile(ctx, orgId),
  ]);
  return {
    users: rows.map((u) => ({
      id: u.id,
      email: displayEmail(u.email),
      role: u.role,
      invited: Boolean(u.invited),
      lastActiveAt: u.last_active_at,
    })),
    roles: rolesOf(profile.kind),
  };
}

export interface Invitee {
  email: string;
  role: string;
  locale: string;
}

/**
 * Adds a user without a password and emails them an invitation (set a password, then the hub), in
 * the language chosen for them: the user, the invitation, the email and the history in one transaction.
 */
export async function inviteUser(ctx: Ctx, input: Invitee): Promise<{ email: string }> {
  const admin = requireOrgAdmin(ctx);
  const profile = await organizationProfile(ctx, admin.orgId);
  const fields: FieldError[] = [];
  const raw = input.email.trim();
  if (!raw) fields.push({ field: 'email', rule: 'required' });
  else if (!isValidEmailAddress(normalizeEmail(raw))) fields.push({ field: 'email', rule: 'email' });
  const role = rolesOf(profile.kind).find((r) => r === input.role);
  if (!role) fields.push({ field: 'role', rule: 'choose_from_list' });
  const locale: Locale | undefined = isLocale(input.locale) ? input.locale : undefined;
  if (!locale) fields.push({ field: 'locale', rule: 'choose_from_list' });
  if (fields.length || !role || !locale) throw validationFailed(fields);
  return inTransaction(ctx, async (tx) => {
    const user = await createUser(tx, { organizationId: admin.orgId, email: raw, role, locale });
    const invite = await createInvitation(tx, {
      userId: user.id,
      organizationId: admin.orgId,
      purpose: 'set_password',
    });
    const email = renderUserInvitationEmail(locale, {
      organization: profile.name,
      inviter: displayEmail(admin.email),
      role,
      link: invite.url,
      days: INVITATION_TTL_HOURS / 24,
    });
    await queueEmail(tx, {
      kind: 'hub.user_invitation',
      to: user.email,
      locale,
      subjectRef: user.id,
      ...email,
    });
    return { email: displayEmail(user.email) };
  });
}

export interface ProfileInput {
  name: string;
  businessVertical: string;
  country: string;
  timeZone: string;
}

/** Edits the caller's organization: every field checked before anything is written. */
export async function editOrganization(ctx: Ctx, input: ProfileInput): Promise<{ changed: string[] }> {
  const { orgId } = requireOrgAdmin(ctx);
  const change = {
    name: input.name,
    businessVertical: input.businessVertical.trim() || null,
    country: input.country.trim().toUpperCase(),
    timeZone: input.timeZone.trim(),
  };
  const fields = profileProblems(change);
  // A vertical written as free text before the list existed stays as it is unless changed.
  const current = (await organizationProfile(ctx, orgId)).businessVertical;
  const known = [...BUSINESS_VERTICALS, ...(current ? [current] : [])];
  if (change.businessVertical && !known.includes(change.businessVertical))
    fields.push({ field: 'businessVertical', rule: 'choose_from_list' });
  const order = ['name', 'businessVertical', 'country', 'timeZone'];
  fields.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
  if (fields.length) throw validationFailed(fields);
  return updateOrganizationProfile(ctx, orgId, change);
}
