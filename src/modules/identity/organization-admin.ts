import { type Ctx, inTransaction, type OrgKind, type Role, type TxCtx } from '../../platform/context.ts';
import { displayEmail } from '../../platform/email.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { ORGANIZATION_NAME_MAX_LENGTH } from '../../platform/limits.ts';
import { isCountryCode, isTimeZone } from '../../platform/regions.ts';
import { hasBidiControls, isInvisibleOnly, unprintable } from '../../platform/text.ts';
import { recordAudit } from '../audit/service.ts';
import * as repo from './organization-admin-repository.ts';
import { mayAdministerOrganization } from './policy.ts';
import { ROLES_BY_KIND } from './service.ts';

/**
 * What an organization's admins change in the admin hub (docs/adr/0035): its profile, its users'
 * roles, and who stays a user. Each change locks the organization's row first and checks, under that
 * lock, that the caller is still one of its admins; the last admin can be neither demoted nor removed
 * (also a trigger, migration 0014, for every other writer). Another organization's user is not found.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const ADMIN_ROLES: readonly Role[] = ['partner_admin', 'customer_admin'];
export const isAdminRole = (role: Role) => ADMIN_ROLES.includes(role);

export const lastAdmin = () => new DomainError('hub_last_admin', 409);

/** The roles an organization of this kind gives its users, admin first. */
export function rolesOf(kind: OrgKind): Role[] {
  return ROLES_BY_KIND[kind];
}

export interface OrganizationProfile {
  kind: OrgKind;
  name: string;
  businessVertical: string | null;
  country: string | null;
  timeZone: string;
}

export interface ProfileChange {
  name: string;
  businessVertical: string | null;
  country: string;
  timeZone: string;
}

/**
 * The rules of an organization's name (those of createOrganization and the wizard, and text that
 * shows something), country and time zone; business verticals are the caller's to check.
 */
export function profileProblems(input: ProfileChange): FieldError[] {
  const fields: FieldError[] = [];
  const name = input.name.trim();
  const odd = unprintable(name);
  if (!name) fields.push({ field: 'name', rule: 'required' });
  else if (odd) fields.push({ field: 'name', rule: odd });
  else if (isInvisibleOnly(name)) fields.push({ field: 'name', rule: 'invisible_only' });
  else if (hasBidiControls(name)) fields.push({ field: 'name', rule: 'bidi_controls' });
  else if (name.length > ORGANIZATION_NAME_MAX_LENGTH)
    fields.push({ field: 'name', rule: 'max_length', params: { count: ORGANIZATION_NAME_MAX_LENGTH } });
  if (!isCountryCode(input.country)) fields.push({ field: 'country', rule: 'choose_from_list' });
  // The dispatch query computes midnight in this zone: an unknown name would break it for everyone.
  if (!isTimeZone(input.timeZone)) fields.push({ field: 'timeZone', rule: 'choose_from_list' });
  return fields;
}

function requireAdmin(ctx: Ctx, orgId: string): { userId: string } {
  const actor = ctx.actor;
  if (actor.type !== 'user' || !mayAdministerOrganization(actor, orgId)) throw notFound();
  return { userId: actor.userId };
}

/** Locks the organization and checks the caller is still its admin (a concurrent change may have demoted them). */
async function lockAsAdmin(tx: TxCtx, orgId: string) {
  const { userId } = requireAdmin(tx, orgId);
  const org = await repo.lockOrganization(tx.db, orgId);
  if (!org) throw notFound();
  const me = await repo.findOrganizationUser(tx.db, orgId, userId);
  if (!me || !isAdminRole(me.role)) throw notFound();
  return { org, me };
}

export async function organizationProfile(ctx: Ctx, orgId: string): Promise<OrganizationProfile> {
  requireAdmin(ctx, orgId);
  const row = await repo.findOrganizationProfile(ctx.db, orgId);
  if (!row) throw notFound();
  return {
    kind: row.kind,
    name: row.name,
    businessVertical: row.business_vertical,
    country: row.country,
    timeZone: row.time_zone,
  };
}

export async function updateOrganizationProfile(
  ctx: Ctx,
  orgId: string,
  input: ProfileChange,
): Promise<{ changed: string[] }> {
  requireAdmin(ctx, orgId);
  const problems = profileProblems(input);
  if (problems.length) throw validationFailed(problems);
  const next = {
    name: input.name.trim(),
    business_vertical: input.businessVertical,
    country: input.country,
    time_zone: input.timeZone,
  };
  return inTransaction(ctx, async (tx) => {
    const { org } = await lockAsAdmin(tx, orgId);
    const changed = (Object.keys(next) as (keyof typeof next)[]).filter((k) => org[k] !== next[k]);
    if (!changed.length) return { changed };
    await repo.updateOrganization(tx.db, orgId, next);
    await recordAudit(tx, [
      {
        action: 'organization.updated',
        entityType: 'organization',
        entityId: orgId,
        organizationId: orgId,
        payload: { changed, name: next.name },
      },
    ]);
    return { changed };
  });
}

export interface OrganizationUser {
  id: string;
  email: string;
  role: Role;
  locale: string;
  invited: boolean;
  lastActiveAt: Date | null;
}

/** One of the organization's users, for its admin; another organization's (or no) user: not found. */
export async function organizationUser(ctx: Ctx, orgId: string, userId: string): Promise<OrganizationUser> {
  requireAdmin(ctx, orgId);
  if (!UUID.test(userId)) throw notFound();
  const row = await repo.findOrganizationUser(ctx.db, orgId, userId);
  if (!row) throw notFound();
  return {
    id: row.id,
    email: displayEmail(row.email),
    role: row.role,
    locale: row.locale,
    invited: row.password_hash === null,
    lastActiveAt: row.last_active_at,
  };
}

/** The trigger of migration 0014 refused: another writer got there first. */
function isLastAdminViolation(error: unknown): boolean {
  if (!error || typeof error !== 'object') return false;
  const e = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return (
    e.code === 'P0001' &&
    (e.constraint === 'users_keep_an_admin' || /keeps at least one admin/.test(String(e.message)))
  );
}

async function keepingAnAdmin<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isLastAdminViolation(error)) throw lastAdmin();
    throw error;
  }
}

/** Gives a user another of the organization's roles; the last admin stays one. */
export async function changeUserRole(
  ctx: Ctx,
  orgId: string,
  userId: string,
  role: string,
): Promise<{ from: Role; to: Role; email: string }> {
  requireAdmin(ctx, orgId);
  if (!UUID.test(userId)) throw notFound();
  return keepingAnAdmin(() =>
    inTransaction(ctx, async (tx) => {
      const { org } = await lockAsAdmin(tx, orgId);
      const user = await repo.findOrganizationUser(tx.db, orgId, userId);
      if (!user) throw notFound();
      const roles = rolesOf(org.kind);
      const to = roles.find((r) => r === role);
      if (!to) throw validationFailed([{ field: 'role', rule: 'choose_from_list' }]);
      if (to === user.role) return { from: user.role, to, email: user.email };
      if (isAdminRole(user.role) && !isAdminRole(to) && (await repo.countAdmins(tx.db, orgId, userId)) === 0)
        throw lastAdmin();
      await repo.updateUserRole(tx.db, userId, to);
      await recordAudit(tx, [
        {
          action: 'user.role_changed',
          entityType: 'user',
          entityId: userId,
          organizationId: orgId,
          payload: { email: user.email, from: user.role, to },
        },
      ]);
      return { from: user.role, to, email: user.email };
    }),
  );
}

/** Removes a user from the organization (their sessions and invitations go with them); never the last admin. */
export async function removeUser(ctx: Ctx, orgId: string, userId: string): Promise<{ email: string }> {
  requireAdmin(ctx, orgId);
  if (!UUID.test(userId)) throw notFound();
  return keepingAnAdmin(() =>
    inTransaction(ctx, async (tx) => {
      await lockAsAdmin(tx, orgId);
      const user = await repo.findOrganizationUser(tx.db, orgId, userId);
      if (!user) throw notFound();
      if (isAdminRole(user.role) && (await repo.countAdmins(tx.db, orgId, userId)) === 0) throw lastAdmin();
      await repo.deleteUser(tx.db, userId);
      await recordAudit(tx, [
        {
          action: 'user.removed',
          entityType: 'user',
          entityId: userId,
          organizationId: orgId,
          payload: { email: user.email, role: user.role },
        },
      ]);
      return { email: user.email };
    }),
  );
}

/** The organization's admins (address and language), to tell them of something that concerns it. */
export async function organizationAdmins(ctx: Ctx, orgId: string) {
  return repo.findAdmins(ctx.db, orgId);
}
