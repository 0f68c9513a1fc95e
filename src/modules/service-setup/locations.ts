import { type Ctx, inTransaction } from '../../platform/context.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { isCountryCode, isTimeZone } from '../../platform/regions.ts';
import { hasBidiControls, isInvisibleOnly, unprintable } from '../../platform/text.ts';
import { recordAudit } from '../audit/service.ts';
import { mayAdministerOrganization } from '../identity/policy.ts';
import * as repo from './locations-repository.ts';
import { LOCATION_LANGUAGES } from './services.ts';
import { lockSubscription } from './services-repository.ts';

/**
 * Calling locations in the admin hub (docs/adr/0035): the Calling step of service setup saves a
 * subscription's main location and promises "more locations are added later in the admin hub". Its
 * organization's admins list, add, edit and remove them here. A main location cannot be removed: its
 * subscription's Calling service uses it (it can be edited). Another organization's location is not found.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface HubCallingLocation {
  id: string;
  subscriptionId: string;
  name: string;
  country: string;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  stateRegion: string | null;
  postalCode: string | null;
  timeZone: string;
  language: string;
  isMain: boolean;
  /** Its subscription is provisioned: the location is in use. */
  provisioned: boolean;
}

export type LocationInput = Partial<
  Record<Exclude<keyof HubCallingLocation, 'id' | 'isMain' | 'provisioned'>, string>
>;

type Row = Awaited<ReturnType<typeof repo.listOrganizationLocations>>[number];

function present(r: Row): HubCallingLocation {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    name: r.name,
    country: r.country,
    addressLine1: r.address_line1,
    addressLine2: r.address_line2,
    city: r.city,
    stateRegion: r.state_region,
    postalCode: r.postal_code,
    timeZone: r.time_zone,
    language: r.language,
    isMain: r.is_main,
    provisioned: r.provisioned_at !== null,
  };
}

function requireAdmin(ctx: Ctx, orgId: string): void {
  if (ctx.actor.type !== 'user' || !mayAdministerOrganization(ctx.actor, orgId)) throw notFound();
}

export async function organizationLocations(ctx: Ctx, orgId: string): Promise<HubCallingLocation[]> {
  requireAdmin(ctx, orgId);
  return (await repo.listOrganizationLocations(ctx.db, orgId)).map(present);
}

export async function organizationLocation(ctx: Ctx, orgId: string, id: string): Promise<HubCallingLocation> {
  requireAdmin(ctx, orgId);
  if (!UUID.test(id)) throw notFound();
  const row = await repo.findOrganizationLocation(ctx.db, orgId, id);
  if (!row) throw notFound();
  return present(row);
}

/** The subscriptions with the Calling service that a location may be added to. */
export async function callingSubscriptions(
  ctx: Ctx,
  orgId: string,
): Promise<{ id: string; offerName: string; provisioned: boolean }[]> {
  requireAdmin(ctx, orgId);
  return (await repo.callingSubscriptions(ctx.db, orgId)).map((s) => ({
    id: s.id,
    offerName: s.offer_name,
    provisioned: s.provisioned_at !== null,
  }));
}

function text(f: FieldError[], field: string, value: string | undefined, max: number, required: boolean) {
  const v = (value ?? '').trim();
  const broken = unprintable(v);
  if (broken) f.push({ field, rule: broken });
  else if (required && v.length === 0) f.push({ field, rule: 'required' });
  else if (isInvisibleOnly(v)) f.push({ field, rule: 'invisible_only' });
  else if (hasBidiControls(v)) f.push({ field, rule: 'bidi_controls' });
  else if (v.length > max) f.push({ field, rule: 'max_length', params: { count: max } });
  return v.length ? v : null;
}

/** The Calling step's rules (service-saves.ts), every problem named by its field. */
function checked(input: LocationInput): repo.LocationValues {
  const f: FieldError[] = [];
  const values: repo.LocationValues = {
    name: text(f, 'name', input.name, 80, true) ?? '',
    country: (input.country ?? '').trim().toUpperCase(),
    address_line1: text(f, 'addressLine1', input.addressLine1, 200, true) ?? '',
    address_line2: text(f, 'addressLine2', input.addressLine2, 200, false),
    city: text(f, 'city', input.city, 100, true) ?? '',
    state_region: text(f, 'stateRegion', input.stateRegion, 100, false),
    postal_code: text(f, 'postalCode', input.postalCode, 20, false),
    time_zone: (input.timeZone ?? '').trim(),
    language: (input.language ?? '').trim(),
  };
  if (!isCountryCode(values.country)) f.push({ field: 'country', rule: 'choose_from_list' });
  if (!isTimeZone(values.time_zone)) f.push({ field: 'timeZone', rule: 'choose_from_list' });
  if (!(LOCATION_LANGUAGES as readonly string[]).includes(values.language))
    f.push({ field: 'language', rule: 'choose_from_list' });
  if (f.length) throw validationFailed(f);
  return values;
}

export async function addCallingLocation(ctx: Ctx, orgId: string, input: LocationInput): Promise<string> {
  requireAdmin(ctx, orgId);
  const subscriptionId = (input.subscriptionId ?? '').trim();
  const subscriptions = await repo.callingSubscriptions(ctx.db, orgId);
  const fields: FieldError[] = [];
  let values: repo.LocationValues | undefined;
  try {
    values = checked(input);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    fields.push(...error.fields);
  }
  if (!subscriptions.some((s) => s.id === subscriptionId))
    fields.unshift({ field: 'subscriptionId', rule: 'choose_from_list' });
  if (fields.length || !values) throw validationFailed(fields);
  const row = values;
  return inTransaction(ctx, async (tx) => {
    // The subscription's lock, as every setup save and Provision take it.
    if (!(await lockSubscription(tx.db, subscriptionId))) throw notFound();
    const id = await repo.insertLocation(
      tx.db,
      { subscriptionId, organizationId: orgId, now: tx.clock.now() },
      row,
    );
    await recordAudit(tx, [
      {
        action: 'calling_location.added',
        entityType: 'calling_location',
        entityId: id,
        organizationId: orgId,
        payload: { subscriptionId, name: row.name, country: row.country },
      },
    ]);
    return id;
  });
}

export async function updateCallingLocation(
  ctx: Ctx,
  orgId: string,
  id: string,
  input: LocationInput,
): Promise<void> {
  const existing = await organizationLocation(ctx, orgId, id);
  const values = checked(input);
  await inTransaction(ctx, async (tx) => {
    const subscription = await lockSubscription(tx.db, existing.subscriptionId);
    // While the vendor provisions from the setup it was sent, the main location is that setup's.
    if (existing.isMain && subscription?.stage === 'provisioning')
      throw new DomainError('setup_awaiting_fulfilment', 409);
    await repo.updateLocation(tx.db, orgId, id, values, tx.clock.now());
    await recordAudit(tx, [
      {
        action: 'calling_location.updated',
        entityType: 'calling_location',
        entityId: id,
        organizationId: orgId,
        payload: { subscriptionId: existing.subscriptionId, name: values.name, country: values.country },
      },
    ]);
  });
}

/** Removes a further location; a main location is its subscription's, in use: refused. */
export async function removeCallingLocation(ctx: Ctx, orgId: string, id: string): Promise<void> {
  const existing = await organizationLocation(ctx, orgId, id);
  await inTransaction(ctx, async (tx) => {
    await lockSubscription(tx.db, existing.subscriptionId);
    const row = await repo.findOrganizationLocation(tx.db, orgId, id);
    if (!row) throw notFound();
    if (row.is_main)
      throw new DomainError('calling_location_in_use', 409, {
        name: row.name,
        subscription: row.subscription_id,
      });
    await repo.deleteLocation(tx.db, orgId, id);
    await recordAudit(tx, [
      {
        action: 'calling_location.removed',
        entityType: 'calling_location',
        entityId: id,
        organizationId: orgId,
        payload: { subscriptionId: row.subscription_id, name: row.name, country: row.country },
      },
    ]);
  });
}
