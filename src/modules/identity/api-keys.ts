import { type Ctx, inTransaction, type OrgKind } from '../../platform/context.ts';
import { notFound, validationFailed } from '../../platform/errors.ts';
import { API_KEY_NAME_MAX_LENGTH } from '../../platform/limits.ts';
import { hashToken, randomToken } from '../../platform/secrets.ts';
import { recordAudit } from '../audit/service.ts';
import { mayManageApiKeys } from './policy.ts';
import * as repo from './repository.ts';

/** API keys of partners and distributors: issued, listed, revoked, and resolved on every API call. */

const API_KEY_PREFIX = 'pvk_';
/** What every issued key looks like: the prefix and 256 random bits, base64url. */
const API_KEY_FORMAT = /^pvk_[A-Za-z0-9_-]{43}$/;
/** A key's last use is recorded at most once per this interval. */
const API_KEY_USE_RESOLUTION_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Issues an API key for a partner or distributor organization; only its SHA-256 is stored. */
export async function createApiKey(
  ctx: Ctx,
  organizationId: string,
  name: string,
): Promise<{ id: string; key: string; name: string; prefix: string }> {
  if (!mayManageApiKeys(ctx.actor, organizationId)) throw notFound();
  const trimmed = name.trim();
  if (!trimmed) throw validationFailed([{ field: 'name', rule: 'required' }]);
  if (trimmed.length > API_KEY_NAME_MAX_LENGTH) {
    throw validationFailed([
      { field: 'name', rule: 'max_length', params: { count: API_KEY_NAME_MAX_LENGTH } },
    ]);
  }
  const org = UUID.test(organizationId) ? await repo.findOrganization(ctx.db, organizationId) : undefined;
  if (!org) throw validationFailed([{ field: 'organizationId', rule: 'unknown_organization' }]);
  if (org.kind === 'customer') throw validationFailed([{ field: 'organizationId', rule: 'not_a_partner' }]);
  const key = `${API_KEY_PREFIX}${randomToken(32)}`;
  const prefix = key.slice(0, API_KEY_PREFIX.length + 6);
  return inTransaction(ctx, async (tx) => {
    const { id } = await repo.insertApiKey(tx.db, {
      organization_id: organizationId,
      name: trimmed,
      key_prefix: prefix,
      key_hash: hashToken(key),
      created_at: tx.clock.now(),
      created_by_user_id: tx.actor.type === 'user' ? tx.actor.userId : null,
    });
    await recordAudit(tx, [
      {
        action: 'api_key.created',
        entityType: 'api_key',
        entityId: id,
        organizationId,
        payload: { name: trimmed, prefix },
      },
    ]);
    return { id, key, name: trimmed, prefix };
  });
}

export interface ApiKeyView {
  id: string;
  organizationId: string;
  name: string;
  /** The key's first characters, enough to tell keys apart; the key itself is never shown again. */
  prefix: string;
  /** Who issued it; null when the command line or Provisio itself did. */
  createdBy: { userId: string; email: string | null } | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

function apiKeyView(row: repo.ApiKeyRow): ApiKeyView {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    prefix: row.key_prefix,
    createdBy: row.created_by_user_id
      ? { userId: row.created_by_user_id, email: row.created_by_email }
      : null,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** An organization's keys, newest first, revoked ones included; never their secrets. */
export async function listApiKeys(ctx: Ctx, organizationId: string): Promise<ApiKeyView[]> {
  if (!mayManageApiKeys(ctx.actor, organizationId)) throw notFound();
  if (!UUID.test(organizationId)) return [];
  return (await repo.listApiKeys(ctx.db, organizationId)).map(apiKeyView);
}

/** One key the caller may manage, or 404 (also for another organization's key). */
export async function getApiKey(ctx: Ctx, id: string): Promise<ApiKeyView> {
  const key = UUID.test(id) ? await repo.findApiKey(ctx.db, id) : undefined;
  if (!key || !mayManageApiKeys(ctx.actor, key.organization_id)) throw notFound();
  return apiKeyView(key);
}

/**
 * Revokes a key: it stops working at once, in every process (keys are looked up on every request).
 * Revoking a revoked key changes nothing. Answers the key as it now is.
 */
export async function revokeApiKey(ctx: Ctx, id: string): Promise<ApiKeyView> {
  const key = await getApiKey(ctx, id);
  if (key.revokedAt) return key;
  return inTransaction(ctx, async (tx) => {
    const revoked = await repo.revokeApiKey(tx.db, id, tx.clock.now());
    if (revoked) await recordAudit(tx, [revokedEntry(revoked)]);
    return getApiKey(tx, id);
  });
}

/** Revokes an organization's live keys of that name (the demo seed replaces its keys this way). */
export async function revokeApiKeys(ctx: Ctx, organizationId: string, name: string): Promise<number> {
  if (!mayManageApiKeys(ctx.actor, organizationId)) throw notFound();
  return inTransaction(ctx, async (tx) => {
    const revoked = await repo.revokeApiKeysNamed(tx.db, organizationId, name, tx.clock.now());
    await recordAudit(tx, revoked.map(revokedEntry));
    return revoked.length;
  });
}

function revokedEntry(key: { id: string; organization_id: string; name: string; key_prefix: string }) {
  return {
    action: 'api_key.revoked' as const,
    entityType: 'api_key',
    entityId: key.id,
    organizationId: key.organization_id,
    payload: { name: key.name, prefix: key.key_prefix },
  };
}

interface ResolvedKey {
  apiKeyId: string;
  orgId: string;
  orgKind: OrgKind;
}

/**
 * Resolves a bearer key on every request, with no cache: one statement through the unique index on
 * its hash, which also records the key's use when the last record is a minute old or more
 * (docs/adr/0007). A revoked key fails on its next request, in every process.
 */
export async function resolveApiKey(ctx: Ctx, key: string): Promise<ResolvedKey | undefined> {
  if (!API_KEY_FORMAT.test(key)) return undefined;
  const now = ctx.clock.now();
  const row = await repo.resolveLiveApiKey(
    ctx.db,
    hashToken(key),
    now,
    new Date(now.getTime() - API_KEY_USE_RESOLUTION_MS),
  );
  return row ? { apiKeyId: row.id, orgId: row.organization_id, orgKind: row.org_kind } : undefined;
}
