import type { Updateable } from 'kysely';
import type { OrganizationsTable } from '../../db-types.ts';
import type { Role } from '../../platform/context.ts';
import type { Executor } from '../../platform/db.ts';

/**
 * The writes of an organization's admins (docs/adr/0035). Every change to its users or profile
 * starts by locking the organization's row, so changes to one organization run one at a time.
 */

export async function lockOrganization(db: Executor, orgId: string) {
  return db
    .selectFrom('organizations')
    .select(['id', 'kind', 'name', 'business_vertical', 'country', 'time_zone'])
    .where('id', '=', orgId)
    .forUpdate()
    .executeTakeFirst();
}

export async function findOrganizationProfile(db: Executor, orgId: string) {
  return db
    .selectFrom('organizations')
    .select(['id', 'kind', 'name', 'business_vertical', 'country', 'time_zone'])
    .where('id', '=', orgId)
    .executeTakeFirst();
}

export async function updateOrganization(
  db: Executor,
  orgId: string,
  values: Updateable<OrganizationsTable>,
): Promise<void> {
  await db.updateTable('organizations').set(values).where('id', '=', orgId).execute();
}

/** A user of this organization (another organization's user is not found). */
export async function findOrganizationUser(db: Executor, orgId: string, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'locale', 'password_hash', 'last_active_at', 'created_at'])
    .where('organization_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
}

export async function countAdmins(db: Executor, orgId: string, except: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('organization_id', '=', orgId)
    .where('id', '<>', except)
    .where('role', 'in', ['partner_admin', 'customer_admin'])
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateUserRole(db: Executor, userId: string, role: Role): Promise<void> {
  await db.updateTable('users').set({ role }).where('id', '=', userId).execute();
}

export async function deleteUser(db: Executor, userId: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', userId).execute();
}

/** The organization's admins, who are told of what concerns it (in their language). */
export async function findAdmins(db: Executor, orgId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'locale'])
    .where('organization_id', '=', orgId)
    .where('role', 'in', ['partner_admin', 'customer_admin'])
    .orderBy('email')
    .execute();
}
