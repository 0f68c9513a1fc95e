import { type Insertable, type Selectable, sql } from 'kysely';
import type { OrganizationsTable, UsersTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import { prepared } from '../../platform/prepared-statements.ts';

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

export async function findUserById(db: Executor, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Sets a user's password hash. With `expectedHash`, only while the stored hash is still that one
 * (so a password changed meanwhile by someone else is not silently overwritten); false when not set.
 */
export async function updateUserPassword(
  db: Executor,
  userId: string,
  passwordHash: string,
  /** Only over this hash; null: only while the user has no password yet. */
  expectedHash?: string | null,
): Promise<boolean> {
  let update = db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId);
  if (expectedHash === null) update = update.where('password_hash', 'is', null);
  else if (expectedHash !== undefined) update = update.where('password_hash', '=', expectedHash);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Ends a user's sessions, all of them or all but the one whose token hash is `keep`; returns how many. */
export async function deleteSessionsOfUser(db: Executor, userId: string, keep?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keep !== undefined) query = query.where('token_hash', '<>', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
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
      'organizations.time_zone as org_time_zone',
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
  row: {
    organization_id: string;
    name: string;
    key_prefix: string;
    key_hash: string;
    created_at: Date;
    created_by_user_id: string | null;
  },
) {
  return db.insertInto('api_keys').values(row).returning(['id']).executeTakeFirstOrThrow();
}

/**
 * Finds a live (unrevoked) key by its hash through the unique index on key_hash, and in the same
 * statement records its use when the last recorded one is older than `touchBefore` (or missing):
 * one round trip per request, at most one write per key and interval. Concurrent requests that all
 * see an old `last_used_at` queue on the row, and only the first one's update passes the condition.
 * Prepared once per connection: every API request runs it (docs/adr/0020).
 */
export async function resolveLiveApiKey(db: Executor, keyHash: string, at: Date, touchBefore: Date) {
  const { rows } = await sql<{
    id: string;
    organization_id: string;
    org_kind: OrganizationRow['kind'];
  }>`${prepared('resolve_live_api_key')}
    with found as (
      select k.id, k.organization_id, o.kind as org_kind, k.last_used_at
      from api_keys k
      join organizations o on o.id = k.organization_id
      where k.key_hash = ${keyHash} and k.revoked_at is null
    ), touched as (
      update api_keys set last_used_at = ${at}::timestamptz
      where id = (select id from found)
        and (last_used_at is null or last_used_at < ${touchBefore}::timestamptz)
    )
    select id, organization_id, org_kind from found`.execute(db);
  return rows[0];
}

function apiKeysWithCreator(db: Executor) {
  return db
    .selectFrom('api_keys')
    .leftJoin('users', 'users.id', 'api_keys.created_by_user_id')
    .select([
      'api_keys.id',
      'api_keys.organization_id',
      'api_keys.name',
      'api_keys.key_prefix',
      'api_keys.created_at',
      'api_keys.last_used_at',
      'api_keys.revoked_at',
      'api_keys.created_by_user_id',
      'users.email as created_by_email',
    ]);
}

export async function listApiKeys(db: Executor, organizationId: string) {
  return apiKeysWithCreator(db)
    .where('api_keys.organization_id', '=', organizationId)
    .orderBy('api_keys.created_at', 'desc')
    .orderBy('api_keys.id')
    .execute();
}

export type ApiKeyRow = Awaited<ReturnType<typeof listApiKeys>>[number];

export async function findApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
  return apiKeysWithCreator(db).where('api_keys.id', '=', id).executeTakeFirst();
}

/** Revokes one key unless it is revoked already; returns it when this call revoked it. */
export async function revokeApiKey(db: Executor, id: string, at: Date) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .returning(['id', 'organization_id', 'name', 'key_prefix'])
    .executeTakeFirst();
}

export async function anyOrganization(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}

export async function revokeApiKeysNamed(db: Executor, organizationId: string, name: string, at: Date) {
  return db
    .updateTable('api_keys')
    .set({ revoked_at: at })
    .where('organization_id', '=', organizationId)
    .where('name', '=', name)
    .where('revoked_at', 'is', null)
    .returning(['id', 'organization_id', 'name', 'key_prefix'])
    .execute();
}

export interface SignInBuckets {
  /** SHA-256 (hex) naming the (address, client) pair's bucket. */
  pairKey: string;
  /** SHA-256 (hex) naming the client's bucket. */
  clientKey: string;
  pairLimit: number;
  clientLimit: number;
}

/**
 * Counts one sign-in attempt, atomically, before its password is checked, and says whether it may
 * go on. One statement: (1) purges a few buckets whose window began at or before `windowStart`
 * (skipping rows another attempt holds); (2) upserts the pair's bucket, counting the attempt only
 * while the bucket is under its limit or its window has passed (then it starts again at 1);
 * (3) only when (2) counted, does the same for the client's bucket. Concurrent attempts on a bucket
 * queue on its row, so no more than the limit ever pass, in any number of processes.
 */
export async function countSignInAttempt(
  db: Executor,
  buckets: SignInBuckets,
  at: Date,
  windowStart: Date,
  purgeBatch: number,
): Promise<{ pairAdmitted: boolean; clientAdmitted: boolean }> {
  const { pairKey, clientKey, pairLimit, clientLimit } = buckets;
  const { rows } = await sql<{ pair: number; client: number }>`
    with purged as (
      delete from sign_in_attempts
      where key_hash in (
        select key_hash from sign_in_attempts
        where window_started_at <= ${windowStart}::timestamptz
          and key_hash <> ${pairKey}::text and key_hash <> ${clientKey}::text
        order by window_started_at
        limit ${purgeBatch}::int
        for update skip locked
      )
    ), pair as (
      insert into sign_in_attempts as a (key_hash, scope, window_started_at, attempts)
      values (${pairKey}::text, 'address_client', ${at}::timestamptz, 1)
      on conflict (key_hash) do update set
        window_started_at = case when a.window_started_at <= ${windowStart}::timestamptz
          then excluded.window_started_at else a.window_started_at end,
        attempts = case when a.window_started_at <= ${windowStart}::timestamptz then 1 else a.attempts + 1 end
      where a.window_started_at <= ${windowStart}::timestamptz or a.attempts < ${pairLimit}::int
      returning 1
    ), client as (
      insert into sign_in_attempts as a (key_hash, scope, window_started_at, attempts)
      select ${clientKey}::text, 'client', ${at}::timestamptz, 1 from pair
      on conflict (key_hash) do update set
        window_started_at = case when a.window_started_at <= ${windowStart}::timestamptz
          then excluded.window_started_at else a.window_started_at end,
        attempts = case when a.window_started_at <= ${windowStart}::timestamptz then 1 else a.attempts + 1 end
      where a.window_started_at <= ${windowStart}::timestamptz or a.attempts < ${clientLimit}::int
      returning 1
    )
    select (select count(*) from pair)::int as pair, (select count(*) from client)::int as client`.execute(
    db,
  );
  const row = rows[0];
  return { pairAdmitted: (row?.pair ?? 0) > 0, clientAdmitted: (row?.client ?? 0) > 0 };
}

/** After a successful sign-in: the pair starts afresh, and the client gets its attempt back. */
export async function settleSignIn(db: Executor, pairKey: string, clientKey: string): Promise<void> {
  await sql`
    with cleared as (delete from sign_in_attempts where key_hash = ${pairKey}::text)
    update sign_in_attempts set attempts = attempts - 1
    where key_hash = ${clientKey}::text and attempts > 0`.execute(db);
}

export async function findOrganizationNames(db: Executor, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('organizations').select(['id', 'name']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** The organization's user with this id, or (without one) its admins: who hears about what was opened for it. */
export async function findOrgUserEmails(db: Executor, organizationId: string, userId: string | null) {
  let query = db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.email', 'users.locale', 'organizations.time_zone'])
    .where('users.organization_id', '=', organizationId);
  query = userId ? query.where('users.id', '=', userId) : query.where('users.role', '=', 'partner_admin');
  return query.orderBy('users.email').execute();
}

/** The vendor's operators, each with their language: who hears about the vendor's own webhook endpoints. */
export async function findOperators(db: Executor) {
  return db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.id', 'users.email', 'users.locale', 'organizations.time_zone'])
    .where('users.role', '=', 'operator')
    .orderBy('users.email')
    .execute();
}
