import type { Ctx, OrgKind } from '../../platform/context.ts';
import {
  emailHost,
  isFreeMailDomain,
  isPublicSuffix,
  registrableDomain,
  toAsciiDomain,
  toUnicodeDomain,
} from '../../platform/domains.ts';
import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { ORGANIZATION_SEARCH_LIMIT } from '../../platform/limits.ts';
import { hashToken } from '../../platform/secrets.ts';
import * as repo from './matching-repository.ts';
import { mayMapSubscription, mayOperate } from './policy.ts';

/**
 * Organization matching (W3): where a provisioning contact's or customer admin's address lands.
 * Exact address first (one organization per user, W5), then the address's registrable domain under
 * the Public Suffix List; free mail and bare public suffixes never match. A lookup costs a constant
 * number of queries however many candidates there are (see matching-repository.ts).
 */

/** Which side of the mapping is being matched: partner (partner or distributor orgs) or customer. */
export type MatchSide = 'partner' | 'customer';

export interface OrganizationCandidate {
  id: string;
  name: string;
  kind: OrgKind;
  country: string | null;
  businessVertical: string | null;
  /** Domains in Unicode for display, verified first. */
  domains: { domain: string; status: 'verified' | 'claimed' }[];
  /** Users active in the last 90 days. */
  activeUsers: number;
  lastUserActivityAt: Date | null;
  /** No verified domain and no user activity for a year: probably not the right one. */
  stale: boolean;
  /** Why it is listed: the exact address, its registrable domain, or a search by domain. */
  matchedBy: 'email' | 'domain' | 'search';
  /** The organization domain that matched (Unicode), when matchedBy is domain or search. */
  matchedDomain: string | null;
}

export type MatchOutcome =
  /** The exact address is a user of an organization of this side: "associated … based on your email". */
  | { outcome: 'exact'; organization: OrganizationCandidate; userId: string }
  /** The address is unknown but its registrable domain belongs to organizations: most recent activity first. */
  | { outcome: 'domain'; domain: string; candidates: OrganizationCandidate[] }
  /** Nothing matches: create one. reason says why a domain could not match. */
  | { outcome: 'none'; reason: 'no_match' | 'free_mail' | 'public_suffix'; domain: string | null }
  /** The address belongs to a user of an organization that cannot be this side (one org per user, W5). */
  | { outcome: 'taken'; organizationName: string };

/** The organization kinds on each side of a mapping. */
export const SIDE_KINDS: Record<MatchSide | 'any', OrgKind[]> = {
  partner: ['partner', 'distributor'],
  customer: ['customer'],
  /** Either side: the order page's preview, before anyone has said whose address it is. */
  any: ['partner', 'distributor', 'customer'],
};

/** At most this many candidates are offered per domain: past that, the user searches. */
export const MAX_CANDIDATES = 20;
const DAY = 86_400_000;
/** A user counts as active when seen within this many days. */
const ACTIVE_DAYS = 90;
/** An organization without a verified domain and without activity for this long is probably stale. */
const STALE_DAYS = 365;

const SUBSCRIPTION_ID = /^SUB-\d{1,18}$/;

/** Only those who may map the subscription learn which organizations exist: anyone else gets 404. */
async function requireMapper(ctx: Ctx, subscriptionId: string): Promise<void> {
  if (!SUBSCRIPTION_ID.test(subscriptionId)) throw notFound();
  const s = await repo.findSubscriptionParties(ctx.db, subscriptionId);
  if (!s) throw notFound();
  if (ctx.actor.type === 'system' || mayOperate(ctx.actor)) return;
  const facts = { subscriptionId, partnerOrgId: s.partner_org_id, placedByOrgId: s.placed_by_org_id };
  if (!mayMapSubscription(ctx.actor, facts)) throw notFound();
}

function toCandidate(
  ctx: Ctx,
  row: repo.CandidateRow,
  matchedBy: OrganizationCandidate['matchedBy'],
): OrganizationCandidate {
  const raw = typeof row.domains === 'string' ? JSON.parse(row.domains) : row.domains;
  const domains = ((raw ?? []) as OrganizationCandidate['domains']).map((d) => ({
    domain: toUnicodeDomain(d.domain),
    status: d.status,
  }));
  const last = row.last_active_at === null ? null : new Date(row.last_active_at);
  const now = ctx.clock.now().getTime();
  const recentlyActive = last !== null && last.getTime() >= now - STALE_DAYS * DAY;
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    country: row.country,
    businessVertical: row.business_vertical,
    domains,
    activeUsers: Number(row.active_users),
    lastUserActivityAt: last,
    stale: !domains.some((d) => d.status === 'verified') && !recentlyActive,
    matchedBy,
    matchedDomain: row.matched_domain === null ? null : toUnicodeDomain(row.matched_domain),
  };
}

function activeSince(ctx: Ctx): Date {
  return new Date(ctx.clock.now().getTime() - ACTIVE_DAYS * DAY);
}

/** Where the address's domain stands before any organization is looked at. */
type DomainVerdict =
  | { kind: 'free_mail' | 'public_suffix'; display: string | null }
  | { kind: 'registrable'; domain: string };

function domainVerdict(normalizedEmail: string): DomainVerdict {
  const host = emailHost(normalizedEmail);
  if (isFreeMailDomain(host))
    return { kind: 'free_mail', display: toUnicodeDomain(registrableDomain(host) ?? host) };
  const domain = registrableDomain(host);
  if (!domain) return { kind: 'public_suffix', display: toUnicodeDomain(host) };
  return { kind: 'registrable', domain };
}

/**
 * Matches several addresses for one side in one statement, however many (the order page's
 * preview). The caller has already checked that the actor may see where they would land.
 * Keys of the result are the addresses as given.
 */
export async function matchAddresses(
  ctx: Ctx,
  emails: string[],
  side: MatchSide | 'any',
): Promise<Map<string, MatchOutcome>> {
  const kinds = SIDE_KINDS[side];
  const normalized = new Map(emails.map((e) => [e, normalizeEmail(e)]));
  const addresses = [...new Set(normalized.values())];
  const verdicts = new Map(addresses.map((n) => [n, domainVerdict(n)]));
  const underDomain = new Map<string, string[]>();
  for (const address of addresses) {
    const v = verdicts.get(address);
    if (v?.kind === 'registrable') underDomain.set(v.domain, [...(underDomain.get(v.domain) ?? []), address]);
  }
  // Exact and by domain in one round trip; a domain's candidates are only read when one of its
  // addresses is nobody's (exact beats domain).
  const rows = await repo.findMatches(
    ctx.db,
    addresses,
    [...underDomain].map(([domain, of]) => ({ domain, emails: of })),
    kinds,
    activeSince(ctx),
    MAX_CANDIDATES,
  );
  const userByEmail = new Map(
    rows.flatMap((r) => (r.email && r.user_id ? [[r.email, { ...r, user_id: r.user_id }]] : [])),
  );
  const byDomain = rows.filter((r) => r.user_id === null);
  const result = new Map<string, MatchOutcome>();
  for (const [given, email] of normalized) {
    const user = userByEmail.get(email);
    if (user) {
      result.set(
        given,
        kinds.includes(user.kind)
          ? { outcome: 'exact', organization: toCandidate(ctx, user, 'email'), userId: user.user_id }
          : { outcome: 'taken', organizationName: user.name },
      );
      continue;
    }
    const verdict = verdicts.get(email) ?? { kind: 'public_suffix', display: null };
    if (verdict.kind !== 'registrable') {
      result.set(given, { outcome: 'none', reason: verdict.kind, domain: verdict.display });
      continue;
    }
    const candidates = byDomain
      .filter((r) => r.query_domain === verdict.domain)
      .map((r) => toCandidate(ctx, r, 'domain'));
    const display = toUnicodeDomain(verdict.domain);
    result.set(
      given,
      candidates.length > 0
        ? { outcome: 'domain', domain: display, candidates }
        : { outcome: 'none', reason: 'no_match', domain: display },
    );
  }
  return result;
}

/**
 * Matches an address for one side of a subscription's mapping. The caller must be allowed to map
 * that subscription (mayMapSubscription): matching reveals organization names.
 */
export async function matchOrganizations(
  ctx: Ctx,
  subscriptionId: string,
  input: { email: string; side: MatchSide },
): Promise<MatchOutcome> {
  await requireMapper(ctx, subscriptionId);
  if (!isValidEmailAddress(input.email.trim())) {
    throw new DomainError('matching_email_invalid', 400, {}, [
      { field: 'email', rule: 'matching_email_invalid' },
    ]);
  }
  const outcomes = await matchAddresses(ctx, [input.email], input.side);
  const outcome = outcomes.get(input.email);
  if (!outcome) throw new Error('matchAddresses answered without the address');
  return outcome;
}

function addressDomain(email: string): string | null {
  const ascii = toAsciiDomain(emailHost(normalizeEmail(email)));
  return ascii ? (registrableDomain(ascii) ?? ascii) : null;
}

/**
 * matchOrganizations for an API caller, who may type any address: an address outside the provisioning
 * contact's own domain is a look at a stranger's organizations, so it counts as a search by domain (the
 * same rate limit) and shows nothing about their people (`peopleShown: false`: no user counts, no
 * activity dates), as searchOrganizationsByDomain does (docs/adr/0022).
 */
export async function matchOrganizationsAsCaller(
  ctx: Ctx,
  subscriptionId: string,
  input: { email: string; side: MatchSide },
): Promise<{ outcome: MatchOutcome; peopleShown: boolean }> {
  const outcome = await matchOrganizations(ctx, subscriptionId, input);
  const parties = await repo.findSubscriptionParties(ctx.db, subscriptionId);
  const contactDomain = parties ? addressDomain(parties.provisioning_contact_email) : null;
  const ownDomain = contactDomain !== null && addressDomain(input.email) === contactDomain;
  if (ownDomain) return { outcome, peopleShown: true };
  await admitOrganizationSearch(ctx);
  return { outcome, peopleShown: false };
}

/** What a typed domain (or address) searches under: its registrable domain, or why it cannot. */
export function searchDomain(typed: string): string {
  const trimmed = typed.trim().replace(/\.$/, '');
  const host = trimmed.includes('@') ? emailHost(trimmed) : trimmed;
  const ascii = toAsciiDomain(host);
  const refuse = (rule: string) =>
    new DomainError('matching_domain_refused', 400, {}, [{ field: 'domain', rule }]);
  if (!ascii) throw refuse('matching_domain_invalid');
  if (isFreeMailDomain(ascii)) throw refuse('matching_domain_free_mail');
  const domain = registrableDomain(ascii);
  if (domain) return domain;
  throw refuse(isPublicSuffix(ascii) ? 'matching_domain_public_suffix' : 'matching_domain_invalid');
}

/** The global search by domain (W3): organizations of one side whose domains are under it. */
export async function searchOrganizationsByDomain(
  ctx: Ctx,
  subscriptionId: string,
  input: { domain: string; side: MatchSide },
): Promise<OrganizationCandidate[]> {
  await requireMapper(ctx, subscriptionId);
  const domain = searchDomain(input.domain);
  const rows = await repo.findCandidatesByDomains(
    ctx.db,
    [domain],
    SIDE_KINDS[input.side],
    activeSince(ctx),
    MAX_CANDIDATES,
  );
  return rows.map((r) => toCandidate(ctx, r, 'search'));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * One organization as a candidate (for the review screens), if it is of that side. It was chosen
 * rather than matched, so it reads as found by search, with no matched domain. The caller decides
 * who may see it (the wizard already holds the mapping right).
 */
export async function describeOrganization(
  ctx: Ctx,
  organizationId: string,
  side: MatchSide,
): Promise<OrganizationCandidate | undefined> {
  if (!UUID.test(organizationId)) return undefined;
  const [row] = await repo.findCandidatesByIds(ctx.db, [organizationId], SIDE_KINDS[side], activeSince(ctx));
  return row ? toCandidate(ctx, row, 'search') : undefined;
}

/** Who a search is counted against: the key, the subscription behind a link (a resend does not reset it), the user. */
function searchCaller(ctx: Ctx): string | null {
  const a = ctx.actor;
  if (a.type === 'api_key') return `api_key\n${a.apiKeyId}`;
  if (a.type === 'setup_link') return `subscription\n${a.subscriptionId}`;
  if (a.type === 'user' && !mayOperate(a)) return `user\n${a.userId}`;
  return null;
}

/**
 * Counts an explicit search of all organizations by domain (not the re-checks a wizard step makes
 * of a search already shown); refuses it with 429 and the seconds to wait when over the limit.
 */
export async function admitOrganizationSearch(ctx: Ctx): Promise<void> {
  const caller = searchCaller(ctx);
  if (!caller) return;
  const now = ctx.clock.now();
  const windowMs = ORGANIZATION_SEARCH_LIMIT.windowSeconds * 1000;
  const counted = await repo.countOrganizationSearch(
    ctx.db,
    hashToken(`organization_search\n${caller}`),
    now,
    new Date(now.getTime() - windowMs),
    ORGANIZATION_SEARCH_LIMIT.max,
  );
  if (counted.admitted) return;
  const endsAt = (counted.windowStartedAt?.getTime() ?? now.getTime()) + windowMs;
  // Bounded by the window, whatever the clock did meanwhile.
  const retryAfterSeconds = Math.min(
    ORGANIZATION_SEARCH_LIMIT.windowSeconds,
    Math.max(1, Math.ceil((endsAt - now.getTime()) / 1000)),
  );
  throw new DomainError('organization_search_rate_limited', 429, { retryAfterSeconds });
}
