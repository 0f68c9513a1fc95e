import type { ExpressionBuilder } from 'kysely';
import type { Database } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

/**
 * Stages in which a fulfilment request waits, failed or asked for information (docs/adr/0032): the
 * names the customer chose stay theirs whatever `reserved_until` says, so a failure releases nothing
 * and a resubmission finds its names where it left them.
 */
const HELD_FOR_FULFILMENT = ['provisioning', 'needs_info', 'provisioning_failed'] as const;

type NameTables = 'meeting_sites' | 'enterprise_subdomains';

function heldForFulfilment<T extends NameTables>(eb: ExpressionBuilder<Database, T>, table: T) {
  const inner = eb as unknown as ExpressionBuilder<Database, NameTables>;
  return inner.exists(
    inner
      .selectFrom('subscriptions as held')
      .select('held.id')
      .whereRef('held.id', '=', `${table}.subscription_id` as 'meeting_sites.subscription_id')
      .where('held.stage', 'in', [...HELD_FOR_FULFILMENT]),
  );
}

/**
 * The subscription row, locked: Provision and every save take it first (the same order, so they
 * never deadlock), so a save either commits before Provision reads the steps or sees it provisioned.
 */
export async function lockSubscription(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('subscriptions')
    .select(['id', 'stage', 'provisioned_at', 'billing_started_at', 'billing_start_reason'])
    .where('id', '=', subscriptionId)
    .forUpdate()
    .executeTakeFirst();
}

export async function listSites(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('meeting_sites')
    .select(['name', 'time_zone', 'early_release', 'licenses', 'position', 'reserved_until'])
    .where('subscription_id', '=', subscriptionId)
    .orderBy('position')
    .execute();
}

export async function findMainLocation(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('calling_locations')
    .selectAll()
    .where('subscription_id', '=', subscriptionId)
    .where('is_main', '=', true)
    .executeTakeFirst();
}

export async function findOrganizationSubdomain(db: Executor, organizationId: string) {
  return db
    .selectFrom('enterprise_subdomains')
    .select(['subdomain', 'subscription_id', 'reserved_until'])
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
}

/** Who holds a site name now: a provisioned site, or a reservation that has not run out. */
export async function siteNameHolder(db: Executor, name: string, now: Date) {
  return db
    .selectFrom('meeting_sites')
    .select(['subscription_id'])
    .where('name', '=', name)
    .where((eb) =>
      eb.or([
        eb('reserved_until', 'is', null),
        eb('reserved_until', '>', now),
        heldForFulfilment(eb, 'meeting_sites'),
      ]),
    )
    .executeTakeFirst();
}

export async function subdomainHolder(db: Executor, subdomain: string, now: Date) {
  return db
    .selectFrom('enterprise_subdomains')
    .select(['organization_id'])
    .where('subdomain', '=', subdomain)
    .where((eb) =>
      eb.or([
        eb('reserved_until', 'is', null),
        eb('reserved_until', '>', now),
        heldForFulfilment(eb, 'enterprise_subdomains'),
      ]),
    )
    .executeTakeFirst();
}

/** An expired reservation of these names is free for anyone: drop it before claiming the names. */
export async function dropExpiredSiteNames(db: Executor, names: string[], now: Date): Promise<void> {
  if (names.length === 0) return;
  await db
    .deleteFrom('meeting_sites')
    .where('name', 'in', names)
    .where('reserved_until', 'is not', null)
    .where('reserved_until', '<=', now)
    .where((eb) => eb.not(heldForFulfilment(eb, 'meeting_sites')))
    .execute();
}

export async function dropExpiredSubdomain(db: Executor, subdomain: string, now: Date): Promise<void> {
  await db
    .deleteFrom('enterprise_subdomains')
    .where('subdomain', '=', subdomain)
    .where('reserved_until', 'is not', null)
    .where('reserved_until', '<=', now)
    .where((eb) => eb.not(heldForFulfilment(eb, 'enterprise_subdomains')))
    .execute();
}

export interface SiteRow {
  name: string;
  timeZone: string;
  earlyRelease: boolean;
  licenses: number;
}

/**
 * A save replaces the subscription's sites; the unique name constraint settles races. Each site is
 * reserved until its own time: a renewal never outlasts the name's maximum lifetime.
 */
export async function replaceSites(
  db: Executor,
  s: { subscriptionId: string; organizationId: string; now: Date },
  sites: (SiteRow & { reservedUntil: Date })[],
): Promise<void> {
  await db.deleteFrom('meeting_sites').where('subscription_id', '=', s.subscriptionId).execute();
  await db
    .insertInto('meeting_sites')
    .values(
      sites.map((site, i) => ({
        subscription_id: s.subscriptionId,
        organization_id: s.organizationId,
        name: site.name,
        time_zone: site.timeZone,
        early_release: site.earlyRelease,
        licenses: site.licenses,
        position: i + 1,
        reserved_until: site.reservedUntil,
        created_at: s.now,
      })),
    )
    .execute();
}

/**
 * When this setup first reserved each of `names` (now, for a name it never held): the record stays
 * after the reservation ends, so letting a name lapse does not start its lifetime again.
 */
export async function firstReservations(
  db: Executor,
  subscriptionId: string,
  kind: 'site' | 'subdomain',
  names: string[],
  now: Date,
): Promise<Map<string, Date>> {
  if (names.length === 0) return new Map();
  await db
    .insertInto('setup_name_holds')
    .values(names.map((name) => ({ subscription_id: subscriptionId, kind, name, first_reserved_at: now })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  const rows = await db
    .selectFrom('setup_name_holds')
    .select(['name', 'first_reserved_at'])
    .where('subscription_id', '=', subscriptionId)
    .where('kind', '=', kind)
    .where('name', 'in', names)
    .execute();
  return new Map(rows.map((r) => [r.name, r.first_reserved_at]));
}

export interface LocationRow {
  name: string;
  country: string;
  address_line1: string;
  address_line2: string | null;
  city: string;
  state_region: string | null;
  postal_code: string | null;
  time_zone: string;
  language: string;
}

export async function upsertMainLocation(
  db: Executor,
  s: { subscriptionId: string; organizationId: string; now: Date },
  location: LocationRow,
): Promise<void> {
  await db
    .insertInto('calling_locations')
    .values({
      ...location,
      subscription_id: s.subscriptionId,
      organization_id: s.organizationId,
      is_main: true,
      created_at: s.now,
      updated_at: s.now,
    })
    .onConflict((oc) =>
      oc
        .column('subscription_id')
        .where('is_main', '=', true)
        .doUpdateSet({ ...location, updated_at: s.now }),
    )
    .execute();
}

/** Claims or changes the organization's subdomain, only while it is this subscription's reservation. */
export async function upsertSubdomain(
  db: Executor,
  s: { subscriptionId: string; organizationId: string; reservedUntil: Date; now: Date },
  subdomain: string,
): Promise<boolean> {
  const row = await db
    .insertInto('enterprise_subdomains')
    .values({
      organization_id: s.organizationId,
      subdomain,
      subscription_id: s.subscriptionId,
      reserved_until: s.reservedUntil,
      created_at: s.now,
    })
    .onConflict((oc) =>
      oc
        .column('organization_id')
        .doUpdateSet({ subdomain, reserved_until: s.reservedUntil })
        .where('enterprise_subdomains.subscription_id', '=', s.subscriptionId)
        .where('enterprise_subdomains.reserved_until', 'is not', null),
    )
    .returning('organization_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** The names held for these setups become theirs for good (Provision, or the vendor's success). */
export async function makeReservationsPermanent(
  db: Executor,
  subscriptionIds: readonly string[],
): Promise<void> {
  if (subscriptionIds.length === 0) return;
  await db
    .updateTable('meeting_sites')
    .set({ reserved_until: null })
    .where('subscription_id', 'in', [...subscriptionIds])
    .execute();
  await db
    .updateTable('enterprise_subdomains')
    .set({ reserved_until: null })
    .where('subscription_id', 'in', [...subscriptionIds])
    .execute();
}

/**
 * Abandoned reservations (only unprovisioned setups have any): deleted, with whose they were. Names held
 * for a fulfilment request are not abandoned, however old their reservation.
 */
export async function releaseExpiredReservations(db: Executor, now: Date) {
  const sites = await db
    .deleteFrom('meeting_sites')
    .where('reserved_until', 'is not', null)
    .where('reserved_until', '<=', now)
    .where((eb) => eb.not(heldForFulfilment(eb, 'meeting_sites')))
    .returning(['subscription_id', 'organization_id'])
    .execute();
  const subdomains = await db
    .deleteFrom('enterprise_subdomains')
    .where('reserved_until', 'is not', null)
    .where('reserved_until', '<=', now)
    .where((eb) => eb.not(heldForFulfilment(eb, 'enterprise_subdomains')))
    .returning(['subscription_id', 'organization_id'])
    .execute();
  return { sites, subdomains };
}

/** Whom Provision tells: an organization's admins, with their language. */
export async function organizationAdmins(
  db: Executor,
  organizationId: string,
  role: 'partner_admin' | 'customer_admin',
) {
  return db
    .selectFrom('users')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.email', 'users.locale', 'organizations.time_zone'])
    .where('users.organization_id', '=', organizationId)
    .where('users.role', '=', role)
    .orderBy('users.email')
    .limit(20)
    .execute();
}

/** The user who placed the order, when a person (not an API key) did. */
export async function orderPlacer(db: Executor, orderId: string) {
  return db
    .selectFrom('orders')
    .innerJoin('users', 'users.id', 'orders.placed_by_user_id')
    .innerJoin('organizations', 'organizations.id', 'users.organization_id')
    .select(['users.email', 'users.locale', 'organizations.time_zone'])
    .where('orders.id', '=', orderId)
    .executeTakeFirst();
}

/** True while a fulfilment request holds the setup's names (saves then renew without a lifetime). */
export function isHeldForFulfilment(stage: string): boolean {
  return (HELD_FOR_FULFILMENT as readonly string[]).includes(stage);
}
