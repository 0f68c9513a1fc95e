import { type Ctx, inTransaction, type OrgKind, type Role } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db.ts';
import { toAsciiDomain } from '../../platform/domains.ts';
import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n.ts';
import {
  COUNTRY_CODE_PATTERN,
  EMAIL_MAX_LENGTH,
  ORGANIZATION_NAME_MAX_LENGTH,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from '../../platform/limits.ts';
import { isCountryCode, isTimeZone } from '../../platform/regions.ts';
import { hashPassword, hashToken, randomToken, verifyPassword } from '../../platform/secrets.ts';
import { isInvisibleOnly, unprintable } from '../../platform/text.ts';
import { recordAudit } from '../audit/service.ts';
import * as repo from './repository.ts';
import { admitSignInAttempt, settleSignIn, signInBucketKeys } from './sign-in-limits.ts';

export interface NewOrganization {
  kind: OrgKind;
  name: string;
  businessVertical?: string | null;
  country?: string | null;
  domains?: { domain: string; status: 'verified' | 'claimed' }[];
  id?: string;
  /** IANA name; start dates are calendar dates in this zone. */
  timeZone?: string;
  /** The vendor's account representative, told when provisioning stalls. */
  accountRepEmail?: string | null;
}

export async function createOrganization(ctx: Ctx, input: NewOrganization): Promise<repo.OrganizationRow> {
  const fields: FieldError[] = [];
  const name = input.name.trim();
  const nameProblem = unprintable(name);
  if (!name) fields.push({ field: 'name', rule: 'required' });
  else if (nameProblem) fields.push({ field: 'name', rule: nameProblem });
  else if (isInvisibleOnly(name)) fields.push({ field: 'name', rule: 'invisible_only' });
  else if (name.length > ORGANIZATION_NAME_MAX_LENGTH)
    fields.push({ field: 'name', rule: 'max_length', params: { count: ORGANIZATION_NAME_MAX_LENGTH } });
  if (input.country && !(COUNTRY_CODE_PATTERN.test(input.country) && isCountryCode(input.country)))
    fields.push({ field: 'country', rule: 'country' });
  // The dispatch query computes midnight in this zone: an unknown name would break it for everyone.
  if (input.timeZone !== undefined && !isTimeZone(input.timeZone))
    fields.push({ field: 'timeZone', rule: 'time_zone' });
  const domains: { domain: string; status: 'verified' | 'claimed' }[] = [];
  for (const [i, d] of (input.domains ?? []).entries()) {
    const ascii = toAsciiDomain(d.domain);
    if (ascii === null || !isValidEmailAddress(`a@${ascii}`))
      fields.push({ field: `domains.${i}`, rule: 'invalid' });
    else domains.push({ domain: ascii, status: d.status });
  }
  if (fields.length) throw validationFailed(fields);
  return inTransaction(ctx, async (tx) => {
    const org = await repo.insertOrganization(tx.db, {
      ...(input.id ? { id: input.id } : {}),
      kind: input.kind,
      name,
      business_vertical: input.businessVertical ?? null,
      country: input.country ?? null,
      ...(input.timeZone ? { time_zone: input.timeZone } : {}),
      account_rep_email: input.accountRepEmail ? normalizeEmail(input.accountRepEmail) : null,
    });
    await repo.insertDomains(tx.db, org.id, domains).catch((error: unknown) => {
      if (isUniqueViolation(error, 'organization_domains_verified_once')) {
        throw new DomainError('domain_taken', 409, {}, [{ field: 'domains', rule: 'domain_taken' }]);
      }
      throw error;
    });
    await recordAudit(tx, [
      {
        action: 'organization.created',
        entityType: 'organization',
        entityId: org.id,
        organizationId: org.id,
        payload: { name: org.name, kind: org.kind },
      },
    ]);
    return org;
  });
}

export function findOrganization(ctx: Ctx, id: string) {
  return repo.findOrganization(ctx.db, id);
}

/** Lets a distributor place orders on behalf of a reseller partner. */
export async function addReseller(ctx: Ctx, distributorId: string, resellerId: string): Promise<void> {
  const [distributor, reseller] = await Promise.all([
    repo.findOrganization(ctx.db, distributorId),
    repo.findOrganization(ctx.db, resellerId),
  ]);
  if (distributor?.kind !== 'distributor' || reseller?.kind !== 'partner') {
    throw new DomainError('reseller_link_invalid', 422);
  }
  await repo.insertReseller(ctx.db, distributorId, resellerId);
}

/** Display names of organizations the caller already has a reason to know (e.g. on an order it may see). */
export function organizationNames(ctx: Ctx, ids: string[]): Promise<Map<string, string>> {
  return repo.findOrganizationNames(ctx.db, [...new Set(ids)]);
}

export function hasOrganizations(ctx: Ctx): Promise<boolean> {
  return repo.anyOrganization(ctx.db);
}

export function isResellerOf(ctx: Ctx, distributorId: string, resellerId: string): Promise<boolean> {
  return repo.isResellerOf(ctx.db, distributorId, resellerId);
}

export const ROLES_BY_KIND: Record<OrgKind, Role[]> = {
  partner: ['partner_admin', 'partner_user', 'partner_viewer'],
  distributor: ['partner_admin', 'partner_user', 'partner_viewer'],
  customer: ['customer_admin', 'customer_user'],
  vendor: ['operator'],
};

export interface NewUser {
  organizationId: string;
  email: string;
  role: Role;
  password?: string;
  /** Instead of `password`, one hashPassword() result: the demo gives many users one password, hashed once. */
  passwordHash?: string;
  displayName?: string | null;
  locale?: Locale;
  lastActiveAt?: Date | null;
}

/** A new password's problems, under the name of the field that holds it. */
export function newPasswordProblems(password: string, field: string): FieldError[] {
  if (password.length < PASSWORD_MIN_LENGTH) {
    return [{ field, rule: 'min_length', params: { count: PASSWORD_MIN_LENGTH } }];
  }
  if (password.length > PASSWORD_MAX_LENGTH) {
    return [{ field, rule: 'max_length', params: { count: PASSWORD_MAX_LENGTH } }];
  }
  return [];
}

export async function createUser(ctx: Ctx, input: NewUser): Promise<repo.UserRow> {
  const email = normalizeEmail(input.email);
  const org = await repo.findOrganization(ctx.db, input.organizationId);
  const fields: FieldError[] = [];
  if (!org) fields.push({ field: 'organizationId', rule: 'unknown_organization' });
  if (!isValidEmailAddress(email)) fields.push({ field: 'email', rule: 'email' });
  if (org && !ROLES_BY_KIND[org.kind].includes(input.role)) {
    fields.push({ field: 'role', rule: 'one_of', params: { values: ROLES_BY_KIND[org.kind].join(', ') } });
  }
  if (input.password !== undefined) fields.push(...newPasswordProblems(input.password, 'password'));
  if (fields.length) throw validationFailed(fields);
  const passwordHash =
    input.passwordHash ?? (input.password === undefined ? null : await hashPassword(input.password));
  return inTransaction(ctx, async (tx) => {
    const user = await repo
      .insertUser(tx.db, {
        organization_id: input.organizationId,
        email,
        role: input.role,
        display_name: input.displayName ?? null,
        locale: input.locale ?? 'en',
        password_hash: passwordHash,
        last_active_at: input.lastActiveAt ?? null,
      })
      .catch((error: unknown) => {
        // A user belongs to exactly one organization at a time: the unique email decides, even under races.
        if (isUniqueViolation(error, 'users_email_unique')) {
          throw new DomainError('email_taken', 409, { email }, [{ field: 'email', rule: 'email_taken' }]);
        }
        throw error;
      });
    await recordAudit(tx, [
      {
        action: 'user.created',
        entityType: 'user',
        entityId: user.id,
        organizationId: input.organizationId,
        payload: { email, role: input.role },
      },
    ]);
    return user;
  });
}

/** Sets a user's password (CLI, demo seed) and ends every session the user has. */
export async function setPassword(ctx: Ctx, email: string, password: string): Promise<void> {
  const problems = newPasswordProblems(password, 'password');
  if (problems.length) throw validationFailed(problems);
  const user = await repo.findUserByEmail(ctx.db, normalizeEmail(email));
  if (!user) throw new DomainError('not_found', 404);
  const passwordHash = await hashPassword(password);
  await inTransaction(ctx, async (tx) => {
    await repo.updateUserPassword(tx.db, user.id, passwordHash);
    const sessionsEnded = await repo.deleteSessionsOfUser(tx.db, user.id);
    await recordPasswordChanged(tx, user, sessionsEnded);
  });
}

function recordPasswordChanged(
  ctx: Ctx,
  user: { id: string; organization_id: string },
  sessionsEnded: number,
): Promise<void> {
  return recordAudit(ctx, [
    {
      action: 'user.password_changed',
      entityType: 'user',
      entityId: user.id,
      organizationId: user.organization_id,
      payload: { sessionsEnded },
    },
  ]);
}

export interface PasswordChange {
  currentPassword: string;
  newPassword: string;
  confirmation: string;
  /** The caller's client address (platform/client-address.ts): wrong current passwords are counted. */
  client: string;
  /** The session making the change: it stays, every other session of the user ends. */
  sessionToken: string;
}

/**
 * A signed-in user changes their own password. The current password is checked like a sign-in (and
 * counted against the same limits); the new hash is saved and the user's other sessions are ended
 * in one transaction.
 */
export async function changePassword(ctx: Ctx, change: PasswordChange): Promise<{ sessionsEnded: number }> {
  const actor = ctx.actor;
  if (actor.type !== 'user') throw notFound();
  const fields: FieldError[] = [];
  if (!change.currentPassword) fields.push({ field: 'currentPassword', rule: 'required' });
  else if (change.currentPassword.length > PASSWORD_MAX_LENGTH) {
    fields.push({ field: 'currentPassword', rule: 'max_length', params: { count: PASSWORD_MAX_LENGTH } });
  }
  fields.push(...newPasswordProblems(change.newPassword, 'newPassword'));
  if (change.confirmation !== change.newPassword) {
    fields.push({ field: 'confirmation', rule: 'password_mismatch' });
  }
  if (fields.length) throw validationFailed(fields);
  const user = await repo.findUserById(ctx.db, actor.userId);
  const currentHash = user?.password_hash;
  if (!user || !currentHash) throw notFound();
  const wrongCurrent = () => validationFailed([{ field: 'currentPassword', rule: 'current_password' }]);
  const keys = signInBucketKeys(user.email, change.client);
  await admitSignInAttempt(ctx, keys);
  if (!(await verifyPassword(change.currentPassword, currentHash))) throw wrongCurrent();
  await settleSignIn(ctx, keys);
  const passwordHash = await hashPassword(change.newPassword);
  return inTransaction(ctx, async (tx) => {
    // Only over the hash just verified: a password changed meanwhile elsewhere is not overwritten.
    if (!(await repo.updateUserPassword(tx.db, user.id, passwordHash, currentHash))) {
      throw wrongCurrent();
    }
    const sessionsEnded = await repo.deleteSessionsOfUser(tx.db, user.id, hashToken(change.sessionToken));
    await recordPasswordChanged(tx, user, sessionsEnded);
    return { sessionsEnded };
  });
}

/**
 * A user who has never had a password chooses one (an invitation link proved they read the
 * address). Only while the user still has none: false when a password was set meanwhile.
 */
export async function setFirstPassword(ctx: Ctx, userId: string, passwordHash: string): Promise<boolean> {
  const user = await repo.findUserById(ctx.db, userId);
  if (!user) return false;
  if (!(await repo.updateUserPassword(ctx.db, userId, passwordHash, null))) return false;
  await recordPasswordChanged(ctx, user, 0);
  return true;
}

export function userByEmail(ctx: Ctx, email: string) {
  return repo.findUserByEmail(ctx.db, normalizeEmail(email));
}

// A hash to verify against when the email is unknown, so a wrong address costs as long as a wrong password.
const decoyHash = hashPassword(randomToken(16));

export interface SignInAttempt {
  email: string;
  password: string;
  /** Where the attempt comes from (platform/client-address.ts), for the sign-in limits. */
  client: string;
}

/**
 * Checks a login. Partner and distributor users sign in to the commerce workspace, customer users to
 * the admin hub (the workspace refuses them: middleware.ts). Over-long input is refused before
 * anything is counted or hashed; every other attempt is counted before its password is checked
 * (sign-in-limits.ts).
 */
export async function signIn(
  ctx: Ctx,
  attempt: SignInAttempt,
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date; locale: string; orgKind: OrgKind }> {
  const fields: FieldError[] = [];
  if (attempt.email.length > EMAIL_MAX_LENGTH) {
    fields.push({ field: 'email', rule: 'max_length', params: { count: EMAIL_MAX_LENGTH } });
  }
  if (attempt.password.length > PASSWORD_MAX_LENGTH) {
    fields.push({ field: 'password', rule: 'max_length', params: { count: PASSWORD_MAX_LENGTH } });
  }
  if (fields.length) throw validationFailed(fields);
  const address = normalizeEmail(attempt.email);
  // No account has such an address, and the database could not even look it up (NUL).
  if (unprintable(address)) throw new DomainError('invalid_credentials', 401);
  const keys = signInBucketKeys(address, attempt.client);
  await admitSignInAttempt(ctx, keys);
  const user = await repo.findUserByEmail(ctx.db, address);
  const passwordOk = await verifyPassword(attempt.password, user?.password_hash ?? (await decoyHash));
  if (!user?.password_hash || !passwordOk) throw new DomainError('invalid_credentials', 401);
  await settleSignIn(ctx, keys);
  return { ...(await startSession(ctx, user.id, ttlHours)), locale: user.locale, orgKind: user.org_kind };
}

/**
 * Opens a session for a user whose identity was proven some other way than a password here: a
 * password check above, or a one-time invitation link sent to their address (invitations.ts).
 */
export async function startSession(
  ctx: Ctx,
  userId: string,
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date }> {
  const now = ctx.clock.now();
  await repo.deleteExpiredSessions(ctx.db, userId, now);
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await repo.insertSession(ctx.db, {
    token_hash: hashToken(token),
    user_id: userId,
    created_at: now,
    expires_at: expiresAt,
  });
  await repo.touchUser(ctx.db, userId, now);
  return { token, expiresAt };
}

export interface SessionUser {
  userId: string;
  email: string;
  role: Role;
  locale: string;
  orgId: string;
  orgKind: OrgKind;
  orgName: string;
  /** The organization's IANA zone: the user reads every time in it (platform/format.ts). */
  timeZone: string;
}

const ACTIVITY_RESOLUTION_MS = 5 * 60_000;

export async function resolveSession(ctx: Ctx, token: string): Promise<SessionUser | undefined> {
  const now = ctx.clock.now();
  const row = await repo.findLiveSession(ctx.db, hashToken(token), now);
  if (!row) return undefined;
  if (!row.last_active_at || now.getTime() - row.last_active_at.getTime() > ACTIVITY_RESOLUTION_MS) {
    await repo.touchUser(ctx.db, row.user_id, now);
  }
  return {
    userId: row.user_id,
    email: row.email,
    role: row.role,
    locale: row.locale,
    orgId: row.org_id,
    orgKind: row.org_kind,
    orgName: row.org_name,
    timeZone: row.org_time_zone,
  };
}

export async function signOut(ctx: Ctx, token: string): Promise<void> {
  await repo.deleteSession(ctx.db, hashToken(token));
}

/** The user who acted for an organization, or its admins when an API key did: where replies go. */
export function organizationContactsFor(ctx: Ctx, organizationId: string, userId: string | null) {
  return repo.findOrgUserEmails(ctx.db, organizationId, userId);
}

/** The vendor's operators, each with their language. */
export async function vendorOperators(
  ctx: Ctx,
): Promise<{ id: string; email: string; locale: Locale; timeZone: string }[]> {
  const rows = await repo.findOperators(ctx.db);
  return rows.map((r) => ({ id: r.id, email: r.email, locale: r.locale as Locale, timeZone: r.time_zone }));
}
