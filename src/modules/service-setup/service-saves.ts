import type { Ctx, TxCtx } from '../../platform/context.ts';
import { isUniqueViolation } from '../../platform/db.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { isCountryCode, isTimeZone } from '../../platform/regions.ts';
import { isInvisibleOnly, unprintable } from '../../platform/text.ts';
import { inRetriedTransaction } from '../../platform/transaction-retry.ts';
import { recordAudit } from '../audit/service.ts';
import { admitReservations } from '../onboarding/setup-limits.ts';
import {
  type CallingLocation,
  LOCATION_LANGUAGES,
  labelProblem,
  loadForSetUp,
  MAX_SITES,
  type MeetingSite,
  progressOf,
  reservedUntil,
} from './services.ts';
import * as repo from './services-repository.ts';

/**
 * The setup steps' saves (S2–S4). Each checks its input whole (field errors naming every field at
 * fault), then writes in one transaction; name uniqueness is the database's, so a race has one winner.
 * Each transaction first locks the subscription, as Provision does, and checks there that it is not
 * provisioned: a save and a Provision that race are ordered, and a save never lands after Provision
 * as a reservation that would later be released (docs/adr/0026).
 */

/**
 * Locks the subscription for a save; refuses once it is provisioned, and while a fulfilment request
 * waits (the vendor works from the setup it was sent). Returns whether its names are held for a
 * request that failed or asked for information (docs/adr/0032).
 */
async function lockUnprovisioned(tx: TxCtx, subscriptionId: string): Promise<{ held: boolean }> {
  const row = await repo.lockSubscription(tx.db, subscriptionId);
  if (!row) throw notFound();
  if (row.provisioned_at) throw new DomainError('already_provisioned', 409);
  if (row.stage === 'provisioning') throw new DomainError('setup_awaiting_fulfilment', 409);
  return { held: repo.isHeldForFulfilment(row.stage) };
}

/**
 * How long a save reserves a name: as always (SETUP_RESERVATION_HOURS, within the name's lifetime),
 * except that names held for a fulfilment request have no lifetime: the customer is answering the vendor.
 */
function reservation(tx: TxCtx, first: Date, held: boolean): Date | null {
  if (!held) return reservedUntil(tx, first);
  return new Date(tx.clock.now().getTime() + tx.config.setupReservationHours * 3_600_000);
}

/** Names a setup has held for SETUP_RESERVATION_MAX_DAYS are not renewed: the field saying so. */
function lifetimeOver(ctx: Ctx, field: string): FieldError {
  return {
    field,
    rule: 'services_reservation_lifetime_over',
    params: { count: ctx.config.setupReservationMaxDays },
  };
}

export async function saveMeetingSites(
  ctx: Ctx,
  subscriptionId: string,
  input: { name: string; timeZone: string; earlyRelease: boolean; licenses?: number | undefined }[],
): Promise<MeetingSite[]> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: true });
  const progress = await progressOf(ctx, setup);
  if (!progress.steps.includes('meetings')) throw new DomainError('services_step_not_ordered', 409);
  const fields: FieldError[] = [];
  if (input.length < 1 || input.length > MAX_SITES) {
    throw validationFailed([
      {
        field: 'sites',
        rule: input.length < 1 ? 'min_items' : 'max_items',
        params: { count: input.length < 1 ? 1 : MAX_SITES },
      },
    ]);
  }
  const ordered = progress.meetingsQuantity;
  const sites = input.map((s, i) => ({
    name: s.name.trim().toLowerCase(),
    timeZone: s.timeZone,
    earlyRelease: s.earlyRelease,
    // One site gets the whole quantity; several share it as the caller says.
    licenses: input.length === 1 ? ordered : (s.licenses ?? 0),
    index: i,
  }));
  const seen = new Set<string>();
  for (const s of sites) {
    if (labelProblem(s.name))
      fields.push({ field: `sites[${s.index}].name`, rule: 'services_site_name_invalid' });
    else if (seen.has(s.name))
      fields.push({ field: `sites[${s.index}].name`, rule: 'services_site_name_taken' });
    seen.add(s.name);
    if (!isTimeZone(s.timeZone))
      fields.push({ field: `sites[${s.index}].timeZone`, rule: 'services_time_zone' });
    if (!Number.isInteger(s.licenses) || s.licenses < 1)
      fields.push({ field: `sites[${s.index}].licenses`, rule: 'min', params: { count: 1 } });
  }
  const total = sites.reduce((sum, s) => sum + (Number.isInteger(s.licenses) ? s.licenses : 0), 0);
  if (sites.length > 1 && total !== ordered && fields.length === 0)
    fields.push({ field: 'sites', rule: 'services_licences_sum', params: { total, ordered } });
  if (fields.length) throw validationFailed(fields);
  const now = ctx.clock.now();
  const taken = async () => {
    const found: FieldError[] = [];
    for (const s of sites) {
      const holder = await repo.siteNameHolder(ctx.db, s.name, now);
      if (holder && holder.subscription_id !== subscriptionId)
        found.push({ field: `sites[${s.index}].name`, rule: 'services_site_name_taken' });
    }
    return found;
  };
  const held = new Set(progress.sites.map((s) => s.name));
  await admitReservations(ctx, sites.filter((s) => !held.has(s.name)).length);
  const before = await taken();
  if (before.length) throw validationFailed(before);
  try {
    await inRetriedTransaction(ctx, async (tx) => {
      const { held } = await lockUnprovisioned(tx, subscriptionId);
      const now = tx.clock.now();
      const names = sites.map((s) => s.name);
      const firsts = await repo.firstReservations(tx.db, subscriptionId, 'site', names, now);
      const reserved = sites.map((s) => ({
        ...s,
        reservedUntil: reservation(tx, firsts.get(s.name) ?? now, held),
      }));
      const over = reserved.filter((s) => s.reservedUntil === null);
      if (over.length) throw validationFailed(over.map((s) => lifetimeOver(tx, `sites[${s.index}].name`)));
      await repo.dropExpiredSiteNames(tx.db, names, now);
      await repo.replaceSites(
        tx.db,
        { subscriptionId, organizationId: setup.mapping.customer.id, now },
        reserved.map((s) => ({ ...s, reservedUntil: s.reservedUntil ?? now })),
      );
      await recordAudit(tx, [
        {
          action: 'setup.meeting_sites_saved',
          entityType: 'subscription',
          entityId: subscriptionId,
          organizationId: setup.mapping.customer.id,
          payload: { sites: names },
        },
      ]);
    });
  } catch (error) {
    // Someone claimed one of the names between the check and the insert: that save won.
    if (isUniqueViolation(error, 'meeting_sites_name_unique')) {
      const lost = await taken();
      throw validationFailed(lost.length ? lost : [{ field: 'sites', rule: 'services_site_name_taken' }]);
    }
    throw error;
  }
  return sites.map(({ index: _, ...s }) => s);
}

function text(
  fields: FieldError[],
  field: string,
  value: string | null | undefined,
  max: number,
  required: boolean,
) {
  const v = (value ?? '').trim();
  // The printable-text rule of every other field (platform/text.ts), checked first: PostgreSQL
  // cannot store NUL, and half a surrogate pair cannot be encoded at all.
  const broken = unprintable(v);
  if (broken) fields.push({ field, rule: broken });
  else if (required && v.length === 0) fields.push({ field, rule: 'required' });
  else if (isInvisibleOnly(v)) fields.push({ field, rule: 'invisible_only' });
  else if (v.length > max) fields.push({ field, rule: 'max_length', params: { count: max } });
  return v.length ? v : null;
}

export async function saveCallingLocation(
  ctx: Ctx,
  subscriptionId: string,
  input: Partial<Record<keyof CallingLocation, string | null>>,
): Promise<CallingLocation> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: true });
  if (!setup.services.some((s) => s.code === 'calling'))
    throw new DomainError('services_step_not_ordered', 409);
  const f: FieldError[] = [];
  const location: CallingLocation = {
    name: text(f, 'name', input.name, 80, true) ?? '',
    country: (input.country ?? '').trim().toUpperCase(),
    addressLine1: text(f, 'addressLine1', input.addressLine1, 200, true) ?? '',
    addressLine2: text(f, 'addressLine2', input.addressLine2, 200, false),
    city: text(f, 'city', input.city, 100, true) ?? '',
    stateRegion: text(f, 'stateRegion', input.stateRegion, 100, false),
    postalCode: text(f, 'postalCode', input.postalCode, 20, false),
    timeZone: (input.timeZone ?? '').trim(),
    language: (input.language ?? '').trim(),
  };
  if (!isCountryCode(location.country)) f.push({ field: 'country', rule: 'services_country' });
  if (!isTimeZone(location.timeZone)) f.push({ field: 'timeZone', rule: 'services_time_zone' });
  if (!(LOCATION_LANGUAGES as readonly string[]).includes(location.language))
    f.push({ field: 'language', rule: 'services_language' });
  if (f.length) throw validationFailed(f);
  await inRetriedTransaction(ctx, async (tx) => {
    await lockUnprovisioned(tx, subscriptionId);
    await repo.upsertMainLocation(
      tx.db,
      { subscriptionId, organizationId: setup.mapping.customer.id, now: tx.clock.now() },
      {
        name: location.name,
        country: location.country,
        address_line1: location.addressLine1,
        address_line2: location.addressLine2,
        city: location.city,
        state_region: location.stateRegion,
        postal_code: location.postalCode,
        time_zone: location.timeZone,
        language: location.language,
      },
    );
    await recordAudit(tx, [
      {
        action: 'setup.calling_location_saved',
        entityType: 'subscription',
        entityId: subscriptionId,
        organizationId: setup.mapping.customer.id,
        payload: { name: location.name, country: location.country },
      },
    ]);
  });
  return location;
}

export async function saveEnterpriseSubdomain(
  ctx: Ctx,
  subscriptionId: string,
  raw: string,
): Promise<string> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: true });
  const subdomain = raw.trim().toLowerCase();
  if (labelProblem(subdomain))
    throw validationFailed([{ field: 'subdomain', rule: 'services_subdomain_invalid' }]);
  const orgId = setup.mapping.customer.id;
  const holder = await repo.subdomainHolder(ctx.db, subdomain, ctx.clock.now());
  const takenError = validationFailed([{ field: 'subdomain', rule: 'services_subdomain_taken' }]);
  const own = await repo.findOrganizationSubdomain(ctx.db, orgId);
  const renewal = own?.subscription_id === subscriptionId && own.subdomain === subdomain;
  await admitReservations(ctx, renewal ? 0 : 1);
  if (holder && holder.organization_id !== orgId) throw takenError;
  try {
    await inRetriedTransaction(ctx, async (tx) => {
      const { held } = await lockUnprovisioned(tx, subscriptionId);
      const now = tx.clock.now();
      const firsts = await repo.firstReservations(tx.db, subscriptionId, 'subdomain', [subdomain], now);
      const until = reservation(tx, firsts.get(subdomain) ?? now, held);
      if (!until) throw validationFailed([lifetimeOver(tx, 'subdomain')]);
      await repo.dropExpiredSubdomain(tx.db, subdomain, now);
      const saved = await repo.upsertSubdomain(
        tx.db,
        { subscriptionId, organizationId: orgId, reservedUntil: until, now },
        subdomain,
      );
      // The organization got its subdomain through another subscription: that one is kept.
      if (!saved) throw new DomainError('services_subdomain_already_set', 409);
      await recordAudit(tx, [
        {
          action: 'setup.subdomain_saved',
          entityType: 'subscription',
          entityId: subscriptionId,
          organizationId: orgId,
          payload: { subdomain },
        },
      ]);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'enterprise_subdomains_unique')) throw takenError;
    throw error;
  }
  return subdomain;
}
