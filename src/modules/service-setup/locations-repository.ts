import type { Executor } from '../../platform/db.ts';

/**
 * Calling locations as the admin hub manages them (docs/adr/0035): every location of an
 * organization, whichever subscription holds it. The main location stays service setup's to write.
 */

const COLUMNS = [
  'c.id',
  'c.subscription_id',
  'c.name',
  'c.country',
  'c.address_line1',
  'c.address_line2',
  'c.city',
  'c.state_region',
  'c.postal_code',
  'c.time_zone',
  'c.language',
  'c.is_main',
  's.provisioned_at',
] as const;

export async function listOrganizationLocations(db: Executor, orgId: string) {
  return db
    .selectFrom('calling_locations as c')
    .innerJoin('subscriptions as s', 's.id', 'c.subscription_id')
    .select(COLUMNS)
    .where('c.organization_id', '=', orgId)
    .orderBy('c.subscription_id')
    .orderBy('c.is_main', 'desc')
    .orderBy('c.name')
    .execute();
}

export async function findOrganizationLocation(db: Executor, orgId: string, id: string) {
  return db
    .selectFrom('calling_locations as c')
    .innerJoin('subscriptions as s', 's.id', 'c.subscription_id')
    .select(COLUMNS)
    .where('c.organization_id', '=', orgId)
    .where('c.id', '=', id)
    .executeTakeFirst();
}

/** The organization's mapped subscriptions that include the Calling service: where a location may go. */
export async function callingSubscriptions(db: Executor, orgId: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('offers as f', 'f.code', 'l.offer_code')
    .select(['s.id', 'f.name as offer_name', 's.provisioned_at'])
    .where('s.customer_org_id', '=', orgId)
    .where('s.mapped_at', 'is not', null)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('order_line_services as x')
          .select('x.line_id')
          .whereRef('x.line_id', '=', 's.line_id')
          .where('x.service_code', '=', 'calling'),
      ),
    )
    .orderBy('s.id')
    .execute();
}

export interface LocationValues {
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

/** A further location: never the main one, which the Calling step of service setup writes. */
export async function insertLocation(
  db: Executor,
  s: { subscriptionId: string; organizationId: string; now: Date },
  values: LocationValues,
): Promise<string> {
  const row = await db
    .insertInto('calling_locations')
    .values({
      ...values,
      subscription_id: s.subscriptionId,
      organization_id: s.organizationId,
      is_main: false,
      created_at: s.now,
      updated_at: s.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateLocation(
  db: Executor,
  orgId: string,
  id: string,
  values: LocationValues,
  now: Date,
): Promise<void> {
  await db
    .updateTable('calling_locations')
    .set({ ...values, updated_at: now })
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function deleteLocation(db: Executor, orgId: string, id: string): Promise<void> {
  await db
    .deleteFrom('calling_locations')
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}
