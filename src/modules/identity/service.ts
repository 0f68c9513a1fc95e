import { type Ctx, inTransaction, type OrgKind, type Role } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db.ts';
import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { DomainError, type FieldError, validationFailed } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n.ts';
import { hashPassword, hashToken, randomToken, verifyPassword } from '../../platform/secrets.ts';
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
}

export async function createOrganization(ctx: Ctx, input: NewOrganization): Promise<repo.OrganizationRow> {
  const fields: FieldError[] = [];
  if (!input.name.trim()) fields.push({ field: 'name', rule: 'required' });
  if (input.country && !/^[A-Z]{2}$/.test(input.country)) fields.push({ field: 'country', rule: 'country' });
  if (fields.length) throw validationFailed(fields);
  return inTransaction(ctx, async (tx) => {
    const org = await repo.insertOrganization(tx.db, {
      ...(input.id ? { id: input.id } : {}),
      kind: input.kind,
      name: input.name.trim(),
      business_vertical: input.businessVertical ?? null,
      country: input.country ?? null,
    });
    const domains = (input.domains ?? []).map((d) => ({ domain: d.domain.toLowerCase(), status: d.status }));
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

const ROLES_BY_KIND: Record<OrgKind, Role[]> = {
  partner: ['partner_admin', 'partner_user'],
  distributor: ['partner_admin', 'partner_user'],
  customer: ['customer_admin', 'customer_user'],
};

export interface NewUser {
  organizationId: string;
  email: string;
  role: Role;
  password?: string;
  displayName?: string | null;
  locale?: Locale;
  lastActiveAt?: Date | null;
}

export const MIN_PASSWORD_LENGTH = 10;
/** Longer input is refused before it is stored, counted or hashed. */
export const MAX_PASSWORD_LENGTH = 1024;
/** The longest address SMTP can carry (users.email has the same check). */
export const MAX_EMAIL_LENGTH = 254;

/** A new password's problems, under the name of the field that holds it. */
function newPasswordProblems(password: string, field: string): FieldError[] {
  if (password.length < MIN_PASSWORD_LENGTH) {
    return [{ field, rule: 'min_length', params: { count: MIN_PASSWORD_LENGTH } }];
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    return [{ field, rule: 'max_length', params: { count: MAX_PASSWORD_LENGTH } }];
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
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
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

export async function setPassword(ctx: Ctx, email: string, password: string): Promise<void> {
  const user = await repo.findUserByEmail(ctx.db, normalizeEmail(email));
  if (!user) throw new DomainError('not_found', 404);
  await repo.updateUserPassword(ctx.db, user.id, await hashPassword(password));
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
 * Checks a workspace login. Only partner and distributor users may sign in to the commerce
 * workspace. Over-long input is refused before anything is counted or hashed; every other attempt
 * is counted before its password is checked (sign-in-limits.ts).
 */
export async function signIn(
  ctx: Ctx,
  attempt: SignInAttempt,
  ttlHours: number,
): Promise<{ token: string; expiresAt: Date; locale: string }> {
  const fields: FieldError[] = [];
  if (attempt.email.length > MAX_EMAIL_LENGTH) {
    fields.push({ field: 'email', rule: 'max_length', params: { count: MAX_EMAIL_LENGTH } });
  }
  if (attempt.password.length > MAX_PASSWORD_LENGTH) {
    fields.push({ field: 'password', rule: 'max_length', params: { count: MAX_PASSWORD_LENGTH } });
  }
  if (fields.length) throw validationFailed(fields);
  const address = normalizeEmail(attempt.email);
  const keys = signInBucketKeys(address, attempt.client);
  await admitSignInAttempt(ctx, keys);
  const user = await repo.findUserByEmail(ctx.db, address);
  const passwordOk = await verifyPassword(attempt.password, user?.password_hash ?? (await decoyHash));
  if (!user?.password_hash || !passwordOk || user.org_kind === 'customer') {
    throw new DomainError('invalid_credentials', 401);
  }
  await settleSignIn(ctx, keys);
  const now = ctx.clock.now();
  await repo.deleteExpiredSessions(ctx.db, user.id, now);
  const token = randomToken(32);
  const expiresAt = new Date(now.getTime() + ttlHours * 3_600_000);
  await repo.insertSession(ctx.db, {
    token_hash: hashToken(token),
    user_id: user.id,
    created_at: now,
    expires_at: expiresAt,
  });
  await repo.touchUser(ctx.db, user.id, now);
  return { token, expiresAt, locale: user.locale };
}

export interface SessionUser {
  userId: string;
  email: string;
  role: Role;
  locale: string;
  orgId: string;
  orgKind: OrgKind;
  orgName: string;
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
  };
}

export async function signOut(ctx: Ctx, token: string): Promise<void> {
  await repo.deleteSession(ctx.db, hashToken(token));
}

const API_KEY_PREFIX = 'pvk_';

/** Issues an API key for a partner or distributor organization; only its SHA-256 is stored. */
export async function createApiKey(
  ctx: Ctx,
  organizationId: string,
  name: string,
): Promise<{ id: string; key: string }> {
  const org = await repo.findOrganization(ctx.db, organizationId);
  if (!org) throw validationFailed([{ field: 'organizationId', rule: 'unknown_organization' }]);
  if (org.kind === 'customer') throw validationFailed([{ field: 'organizationId', rule: 'not_a_partner' }]);
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
  return inTransaction(ctx, async (tx) => {
    const { id } = await repo.insertApiKey(tx.db, {
      organization_id: organizationId,
      name,
      key_prefix: prefix,
      key_hash: hashToken(key),
      created_at: tx.clock.now(),
    });
    await recordAudit(tx, [
      {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: id,
        organizationId,
        payload: { name, prefix },
      },
    ]);
    return { id, key };
  });
}

interface ResolvedKey {
  apiKeyId: string;
  orgId: string;
  orgKind: OrgKind;
}

/**
 * Integrators call in bursts; looking the key up on every call would add a round trip to each.
 * A resolved key is remembered for 30 seconds (keyed by its hash, never the key itself): revoking
 * a key must also clear this cache, and takes effect everywhere within that time.
 */
const KEY_CACHE_MS = 30_000;
const KEY_CACHE_MAX = 10_000;
const keyCache = new Map<string, { key: ResolvedKey; expiresAt: number }>();

export async function resolveApiKey(ctx: Ctx, key: string): Promise<ResolvedKey | undefined> {
  if (!key.startsWith(API_KEY_PREFIX)) return undefined;
  const hash = hashToken(key);
  const now = ctx.clock.now().getTime();
  const hit = keyCache.get(hash);
  if (hit && hit.expiresAt > now) return hit.key;
  const row = await repo.findLiveApiKey(ctx.db, hash);
  if (!row) {
    keyCache.delete(hash);
    return undefined;
  }
  const resolved = { apiKeyId: row.id, orgId: row.organization_id, orgKind: row.org_kind };
  // Last use is recorded when the key is looked up, so at most twice a minute: enough to audit keys.
  await repo.touchApiKey(ctx.db, row.id, new Date(now));
  if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
  keyCache.set(hash, { key: resolved, expiresAt: now + KEY_CACHE_MS });
  return resolved;
}

/** Revokes an organization's keys of that name; they stop working at once in this process. */
export async function revokeApiKeys(ctx: Ctx, organizationId: string, name: string): Promise<number> {
  const revoked = await repo.revokeApiKeys(ctx.db, organizationId, name, ctx.clock.now());
  keyCache.clear();
  return revoked;
}
