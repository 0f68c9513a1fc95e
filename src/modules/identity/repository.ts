import type { Insertable, Selectable } from 'kysely';
import type { OrganizationsTable, UsersTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

export type OrganizationRow = Selectable<OrganizationsTable>;
export type UserRow = Selectable<UsersTable>;

export async function insertOrganization(
  db: Executor,
  row: Insertable<OrganizationsTable>,
): Promise<OrganizationRow> {
  return db.insertInto('organizations').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findOrganization(db: Executor, id: string): Promise<OrganizationRow | undefined> {
  return db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertDomains(
  db: Executor,
  organizationId: string,
  domains: { domain: string; status: 'verified' | 'claimed' }[],
): Promise<void> {
  if (domains.length === 0) return;
  await db
    .insertInto('organization_domains')
    .values(domains.map((d) => ({ organization_id: organizationId, domain: d.domain, status: d.status })))
    .execute();
}

export async function insertReseller(db: Executor, distributorId: string, resellerId: string): Promise<void> {
  await db
    .insertInto('distributor_resellers')
    .values({ distributor_id: distributorId, reseller_id: resellerId })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function isResellerOf(
  db: Executor,
  distributorId: string,
  resellerId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('distributor_resellers')
    .select('reseller_id')
    .where('distributor_id', '=', distributorId)
    .where('reseller_id', '=', resellerId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertUser(db: Executor, row: Insertable<UsersTable>): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findUserByEmail(db: Executor, email: string) {
  return db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .selectAll('users')
    .select(['organizations.kind as org_kind'])
    .where('users.email', '=', email)
    .executeTakeFirst();
}

export async function updateUserPassword(db: Executor, userId: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute();
}

export async function touchUser(db: Executor, userId: string, at: Date): Promise<void> {
  await db.updateTable('users').set({ last_active_at: at }).where('id', '=', userId).execute();
}

export async function insertSession(
  db: Executor,
  row: { token_hash: string; user_id: string; created_at: Date; expires_at: Date },
) {
  await db.insertInto('sessions').values(row).execute();
}

export async function findLiveSession(db: Executor, tokenHash: string, at: Date) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select([
      'users.id as user_id',
      'users.email',
      'users.role',
      'users.locale',
      'users.last_active_at',
      'organizations.id as org_id',
      'organizations.kind as org_kind',
      'organizations.name as org_name',
    ])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', at)
    .executeTakeFirst();
}

/** Expired sessions are useless: a user's are cleared whenever they sign in again. */
export async function deleteExpiredSessions(db: Executor, userId: string, at: Date): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', at).execute();
}

/** Everyone's sessions that ended at or before `at` (the hourly purge job); returns how many went. */
export async function deleteExpiredSessionsBefore(db: Executor, at: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', at).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export async function deleteSession(db: Executor, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
}

export async function insertApiKey(
  db: Executor,
  row: { organization_id: string; name: string; key_prefix: string; key_hash: string; created_at: Date },
) {
  return db.insertInto('api_keys').values(row).returning(['id']).executeTakeFirstOrThrow();
}

export async function findLiveApiKey(db: Executor, keyHash: string) {
  return db
    .selectFrom('api_keys')
    .innerJoin('organizations', 'organizations.id', 'api_keys.organization_id')
    .select(['api_keys.id', 'api_keys.organization_id', 'organizations.kind as org_kind'])
    .where('api_keys.key_hash', '=', keyHash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
}

export async function touchApiKey(db: Executor, id: string, at: Date): Promise<void> {
  await db.updateTable('api_keys').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function anyOrganization(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function revokeApiKeys(
  db: Executor,
  organizationId: string,
  name: string,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function findOrganizationNames(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}
