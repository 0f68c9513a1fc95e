import type { Executor } from '../../platform/db.ts';

/**
 * The admin hub's reads. The hub is a read model over other modules' tables (organizations, users,
 * subscriptions, sites, locations): each list is one query over a set of ids, so a page costs the
 * same number of queries however many customers, subscriptions or sites it shows. The only rows it
 * writes are managed_customers' access (request and grant full admin).
 */

export function findOrganizations(db: Executor, ids: string[]) {
  if (!ids.length) return Promise.resolve([]);
  return db
    .selectFrom('organizations')
    .select(['id', 'name', 'kind', 'country', 'business_vertical', 'time_zone'])
    .where('id', 'in', ids)
    .execute();
}

export function findDomains(db: Executor, orgIds: string[]) {
  if (!orgIds.length) return Promise.resolve([]);
  return db
    .selectFrom('organization_domains')
    .select(['organization_id', 'domain', 'status'])
    .where('organization_id', 'in', orgIds)
    .orderBy('domain')
    .execute();
}

export function findUsers(db: Executor, orgIds: string[]) {
  if (!orgIds.length) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', 'organization_id', 'email', 'role', 'last_active_at', 'display_name'])
    .where('organization_id', 'in', orgIds)
    .orderBy('email')
    .execute();
}

/** The customers a partner manages (as partner), or the partners managing a customer (as customer). */
export function findManagedRelations(db: Executor, side: 'partner' | 'customer', orgId: string) {
  const column = side === 'partner' ? 'm.partner_org_id' : 'm.customer_org_id';
  const other = side === 'partner' ? 'm.customer_org_id' : 'm.partner_org_id';
  return db
    .selectFrom('managed_customers as m')
    .innerJoin('organizations as o', 'o.id', other)
    .select([
      'm.partner_org_id',
      'm.customer_org_id',
      'm.access',
      'm.full_admin_requested_at',
      'm.granted_at',
      'o.name as other_name',
    ])
    .where(column, '=', orgId)
    .orderBy('o.name')
    .execute();
}

/**
 * Mapped subscriptions of these customer organizations, and (when `partnerOrgId` is given) only
 * those that partner provisions: what the hub lists under each organization.
 */
export function findSubscriptions(db: Executor, customerOrgIds: string[], partnerOrgId: string | null) {
  if (!customerOrgIds.length) return Promise.resolve([]);
  let query = db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('offers as f', 'f.code', 'l.offer_code')
    .leftJoin('managed_customers as m', (join) =>
      join
        .onRef('m.partner_org_id', '=', 's.partner_org_id')
        .onRef('m.customer_org_id', '=', 's.customer_org_id'),
    )
    .select([
      's.id',
      's.line_id',
      's.partner_org_id',
      's.customer_org_id',
      's.mapped_at',
      's.setup_assignee',
      's.stage',
      's.provisioned_at',
      's.billing_started_at',
      'm.access as partner_access',
      'l.quantity',
      'l.offer_code',
      'f.name as offer_name',
      'o.order_number',
      'o.partner_org_id as order_partner_org_id',
      'o.placed_by_org_id',
    ])
    .where('s.customer_org_id', 'in', customerOrgIds)
    .where('s.mapped_at', 'is not', null);
  if (partnerOrgId) query = query.where('s.partner_org_id', '=', partnerOrgId);
  return query.orderBy('s.mapped_at', 'desc').orderBy('s.id').execute();
}

export function findLineServices(db: Executor, lineIds: string[]) {
  if (!lineIds.length) return Promise.resolve([]);
  return db
    .selectFrom('order_line_services')
    .select(['line_id', 'service_code', 'quantity'])
    .where('line_id', 'in', lineIds)
    .orderBy('service_code')
    .execute();
}

export function findMeetingSites(db: Executor, subscriptionIds: string[]) {
  if (!subscriptionIds.length) return Promise.resolve([]);
  return db
    .selectFrom('meeting_sites')
    .select(['subscription_id', 'name', 'time_zone', 'licenses', 'early_release'])
    .where('subscription_id', 'in', subscriptionIds)
    .orderBy('position')
    .execute();
}

export function findCallingLocations(db: Executor, subscriptionIds: string[]) {
  if (!subscriptionIds.length) return Promise.resolve([]);
  return db
    .selectFrom('calling_locations')
    .select(['subscription_id', 'name', 'country', 'city', 'time_zone', 'is_main'])
    .where('subscription_id', 'in', subscriptionIds)
    .orderBy('is_main', 'desc')
    .orderBy('name')
    .execute();
}

export function findSubdomains(db: Executor, orgIds: string[]) {
  if (!orgIds.length) return Promise.resolve([]);
  return db
    .selectFrom('enterprise_subdomains')
    .select(['organization_id', 'subdomain', 'reserved_until'])
    .where('organization_id', 'in', orgIds)
    .execute();
}

/** Asks for full admin once: only a provisioning admin, only while not asked yet. */
export async function markFullAdminRequested(
  db: Executor,
  partnerOrgId: string,
  customerOrgId: string,
  at: Date,
  requestedByUserId: string | null = null,
): Promise<boolean> {
  const result = await db
    .updateTable('managed_customers')
    .set({ full_admin_requested_at: at, full_admin_requested_by_user_id: requestedByUserId })
    .where('partner_org_id', '=', partnerOrgId)
    .where('customer_org_id', '=', customerOrgId)
    .where('access', '=', 'provisioning_admin')
    .where('full_admin_requested_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Makes a provisioning admin a full admin; false when it was not one (already full, or no relation). */
export async function markFullAdminGranted(
  db: Executor,
  partnerOrgId: string,
  customerOrgId: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('managed_customers')
    .set({ access: 'full_admin', granted_at: at })
    .where('partner_org_id', '=', partnerOrgId)
    .where('customer_org_id', '=', customerOrgId)
    .where('access', '=', 'provisioning_admin')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export function findRelation(db: Executor, partnerOrgId: string, customerOrgId: string) {
  return db
    .selectFrom('managed_customers')
    .select(['access', 'full_admin_requested_at', 'full_admin_requested_by_user_id'])
    .where('partner_org_id', '=', partnerOrgId)
    .where('customer_org_id', '=', customerOrgId)
    .executeTakeFirst();
}

/** A customer organization's admins, who are asked for full admin. */
export function findCustomerAdmins(db: Executor, customerOrgId: string) {
  return db
    .selectFrom('users')
    .select(['email', 'locale'])
    .where('organization_id', '=', customerOrgId)
    .where('role', '=', 'customer_admin')
    .orderBy('email')
    .execute();
}

/** An organization's users for its admins' table: who still has to accept an invitation shows. */
export function findOrganizationUsers(db: Executor, orgId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'last_active_at', 'created_at'])
    .select((eb) => eb('password_hash', 'is', null).as('invited'))
    .where('organization_id', '=', orgId)
    .orderBy('email')
    .execute();
}

/** Who hears that full admin was granted: the user who asked, else the partner's admins. */
export function findUsersToTell(db: Executor, partnerOrgId: string, userId: string | null) {
  let query = db.selectFrom('users').select(['email', 'locale']).where('organization_id', '=', partnerOrgId);
  query = userId ? query.where('id', '=', userId) : query.where('role', '=', 'partner_admin');
  return query.orderBy('email').execute();
}
