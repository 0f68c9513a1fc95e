import type { Ctx, OrgKind } from '../../platform/context.ts';

/**
 * Organization matching (W3): where a provisioning contact's or customer admin's address lands.
 * CONTRACT for the wizard; the implementation lands with the matching work (helper A).
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

/**
 * Matches an address for one side of a subscription's mapping. The caller must be allowed to map
 * that subscription (mayMapSubscription): matching reveals organization names.
 */
export async function matchOrganizations(
  _ctx: Ctx,
  _subscriptionId: string,
  _input: { email: string; side: MatchSide },
): Promise<MatchOutcome> {
  throw new Error('matchOrganizations: not implemented yet');
}

/** The global search by domain (W3): organizations of one side whose domains are under it. */
export async function searchOrganizationsByDomain(
  _ctx: Ctx,
  _subscriptionId: string,
  _input: { domain: string; side: MatchSide },
): Promise<OrganizationCandidate[]> {
  throw new Error('searchOrganizationsByDomain: not implemented yet');
}

/** One organization as a candidate (for the review screens), if it is of that side. */
export async function describeOrganization(
  _ctx: Ctx,
  _organizationId: string,
  _side: MatchSide,
): Promise<OrganizationCandidate | undefined> {
  throw new Error('describeOrganization: not implemented yet');
}
