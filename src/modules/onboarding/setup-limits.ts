import type { Ctx } from '../../platform/context.ts';
import { admitRate, type RateLimit } from '../../platform/rate-limits.ts';

/**
 * What keeps one caller from squatting names (docs/adr/0026): how many organizations it may create,
 * names it may look up and names it may newly reserve per hour, each per organization (its users
 * and API keys together) or per setup link. The numbers are settings (config.ts).
 */
const HOUR = 3600;

export function organizationsLimit(ctx: Ctx): RateLimit {
  return {
    name: 'setup.organizations',
    code: 'setup_organizations_rate_limited',
    max: ctx.config.setupOrganizationsPerHour,
    windowSeconds: HOUR,
  };
}

export function nameChecksLimit(ctx: Ctx): RateLimit {
  return {
    name: 'setup.name_checks',
    code: 'setup_name_checks_rate_limited',
    max: ctx.config.setupNameChecksPerHour,
    windowSeconds: HOUR,
  };
}

export function reservationsLimit(ctx: Ctx): RateLimit {
  return {
    name: 'setup.reservations',
    code: 'setup_reservations_rate_limited',
    max: ctx.config.setupNamesReservedPerHour,
    windowSeconds: HOUR,
  };
}

/** Before a mapping creates `count` organizations: counted even when the mapping then fails. */
export function admitOrganizationCreations(ctx: Ctx, count: number): Promise<void> {
  return admitRate(ctx, organizationsLimit(ctx), count);
}

export function admitNameCheck(ctx: Ctx): Promise<void> {
  return admitRate(ctx, nameChecksLimit(ctx));
}

/** Before a save reserves `count` names its setup does not hold yet. */
export function admitReservations(ctx: Ctx, count: number): Promise<void> {
  return admitRate(ctx, reservationsLimit(ctx), count);
}

type Choice = object | undefined;

/** The organizations a mapping's choices would create (a choice `{ create: … }` is a new one). */
export function admitMappingCreations(
  ctx: Ctx,
  input: { role: 'customer' | 'my_company'; partner?: Choice; customer: Choice },
): Promise<void> {
  const partner = input.role === 'customer' ? input.partner : undefined;
  const count = [partner, input.customer].filter((c) => c !== undefined && 'create' in c).length;
  return admitOrganizationCreations(ctx, count);
}
