import type { Ctx } from '../../platform/context.ts';
import { DomainError, forbidden } from '../../platform/errors.ts';
import { maySetUpServices } from '../identity/policy.ts';
import { getSetup, type SetupView, viewerAccess } from '../onboarding/setup.ts';
import { admitNameCheck } from '../onboarding/setup-limits.ts';
import * as repo from './services-repository.ts';

/**
 * Service setup (S1–S7) of a mapped subscription: meeting sites, the main calling location and the
 * enterprise subdomain, each saved on its own so a setup left halfway resumes where it stopped.
 * Names are reserved while the setup is open; Provision (provision.ts) makes them permanent. The
 * saves are in service-saves.ts.
 */

export type SetupStep = 'meetings' | 'calling' | 'enterprise';

/** A DNS label: what a site URL name and a subdomain must be. */
export const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
export const NAME_MIN = 3;
export const NAME_MAX = 63;
export const MAX_SITES = 10;
/** The languages a calling location's announcements and phones may use (BCP 47). */
export const LOCATION_LANGUAGES = ['en', 'it', 'pt-BR', 'ru', 'uk', 'de', 'fr', 'es'] as const;

export type MappedSetup = SetupView & { mapping: NonNullable<SetupView['mapping']> };

export interface MeetingSite {
  name: string;
  timeZone: string;
  earlyRelease: boolean;
  licenses: number;
}

export interface CallingLocation {
  name: string;
  country: string;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  stateRegion: string | null;
  postalCode: string | null;
  timeZone: string;
  language: string;
}

export interface SetupProgress {
  setup: MappedSetup;
  steps: SetupStep[];
  sites: MeetingSite[];
  location: CallingLocation | null;
  subdomain: string | null;
  /** The meetings licences ordered: what the sites' licences add up to. */
  meetingsQuantity: number;
  missing: SetupStep[];
  /** Where the wizard resumes (S6): the first incomplete step, else Provision, else the summary. */
  next: SetupStep | 'provision' | 'done';
}

/** The mapped subscription, if this actor may set it up; with `change`, only before Provision. */
export async function loadForSetUp(
  ctx: Ctx,
  subscriptionId: string,
  opts: { change: boolean },
): Promise<MappedSetup> {
  const setup = await getSetup(ctx, subscriptionId);
  const mapping = setup.mapping;
  if (!mapping) throw new DomainError('setup_not_mapped', 409);
  const facts = {
    order: { partnerOrgId: setup.order.partnerOrgId, placedByOrgId: setup.order.placedByOrgId },
    partnerOrgId: mapping.partner.id,
    customerOrgId: mapping.customer.id,
    partnerManagesCustomer: mapping.partnerAccess !== null,
    viewerAccess: await viewerAccess(ctx, {
      partnerOrgId: mapping.partner.id,
      customerOrgId: mapping.customer.id,
    }),
  };
  if (!maySetUpServices(ctx.actor, facts)) throw forbidden();
  if (opts.change && setup.provisionedAt) throw new DomainError('already_provisioned', 409);
  // The vendor works from the setup it was sent: it changes again once they answer (docs/adr/0032).
  if (opts.change && setup.stage === 'provisioning') throw new DomainError('setup_awaiting_fulfilment', 409);
  return { ...setup, mapping };
}

export async function setupProgress(ctx: Ctx, subscriptionId: string): Promise<SetupProgress> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: false });
  return progressOf(ctx, setup);
}

export async function progressOf(ctx: Ctx, setup: MappedSetup): Promise<SetupProgress> {
  const codes = new Set(setup.services.map((s) => s.code));
  const [siteRows, locationRow, orgSubdomain] = await Promise.all([
    repo.listSites(ctx.db, setup.subscriptionId),
    repo.findMainLocation(ctx.db, setup.subscriptionId),
    repo.findOrganizationSubdomain(ctx.db, setup.mapping.customer.id),
  ]);
  const ownSubdomain = orgSubdomain?.subscription_id === setup.subscriptionId ? orgSubdomain.subdomain : null;
  const steps: SetupStep[] = [];
  if (codes.has('meetings')) steps.push('meetings');
  if (codes.has('calling')) steps.push('calling');
  // An organization has one subdomain: set up once, by the first subscription that gets there.
  if (!orgSubdomain || ownSubdomain) steps.push('enterprise');
  const sites = siteRows.map((s) => ({
    name: s.name,
    timeZone: s.time_zone,
    earlyRelease: s.early_release,
    licenses: s.licenses,
  }));
  const location = locationRow
    ? {
        name: locationRow.name,
        country: locationRow.country,
        addressLine1: locationRow.address_line1,
        addressLine2: locationRow.address_line2,
        city: locationRow.city,
        stateRegion: locationRow.state_region,
        postalCode: locationRow.postal_code,
        timeZone: locationRow.time_zone,
        language: locationRow.language,
      }
    : null;
  const done: Record<SetupStep, boolean> = {
    meetings: sites.length > 0,
    calling: location !== null,
    enterprise: ownSubdomain !== null,
  };
  const missing = steps.filter((s) => !done[s]);
  return {
    setup,
    steps,
    sites,
    location,
    subdomain: ownSubdomain,
    meetingsQuantity: setup.services.find((s) => s.code === 'meetings')?.quantity ?? setup.quantity,
    missing,
    next: setup.provisionedAt ? 'done' : (missing[0] ?? 'provision'),
  };
}

export function labelProblem(name: string): 'invalid' | null {
  return name.length < NAME_MIN || name.length > NAME_MAX || !DNS_LABEL.test(name) ? 'invalid' : null;
}

export interface Availability {
  available: boolean;
  reason: 'invalid' | 'taken' | null;
}

/** Is this site URL name free across every organization? (An expired reservation is.) */
export async function checkSiteNameAvailability(ctx: Ctx, name: string): Promise<Availability> {
  if (ctx.actor.type === 'anonymous') throw forbidden();
  await admitNameCheck(ctx);
  if (labelProblem(name)) return { available: false, reason: 'invalid' };
  const holder = await repo.siteNameHolder(ctx.db, name, ctx.clock.now());
  return holder ? { available: false, reason: 'taken' } : { available: true, reason: null };
}

export async function checkSubdomainAvailability(ctx: Ctx, subdomain: string): Promise<Availability> {
  if (ctx.actor.type === 'anonymous') throw forbidden();
  await admitNameCheck(ctx);
  if (labelProblem(subdomain)) return { available: false, reason: 'invalid' };
  const holder = await repo.subdomainHolder(ctx.db, subdomain, ctx.clock.now());
  return holder ? { available: false, reason: 'taken' } : { available: true, reason: null };
}

/** When a name first reserved at `first` stops being this setup's, unless Provision comes first. */
export function lifetimeEnd(ctx: Ctx, first: Date): Date {
  return new Date(first.getTime() + ctx.config.setupReservationMaxDays * 86_400_000);
}

/**
 * How long a save (or a renewal, i.e. saving again) reserves a name first reserved at `first`:
 * SETUP_RESERVATION_HOURS from now, never past the name's lifetime; null once that has ended.
 */
export function reservedUntil(ctx: Ctx, first: Date): Date | null {
  const now = ctx.clock.now();
  const end = lifetimeEnd(ctx, first);
  if (end <= now) return null;
  const renewed = new Date(now.getTime() + ctx.config.setupReservationHours * 3600_000);
  return renewed < end ? renewed : end;
}

export function actorUserId(ctx: Ctx): string | null {
  return ctx.actor.type === 'user' ? ctx.actor.userId : null;
}
