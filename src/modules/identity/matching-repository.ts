import { type RawBuilder, sql } from 'kysely';
import type { OrgKind } from '../../platform/context.ts';
import type { Executor } from '../../platform/db.ts';

/**
 * The queries behind organization matching (W3). Every lookup is a constant number of statements
 * whatever the number of candidates: per-candidate figures come from correlated subqueries that
 * read the users_by_organization_activity index, never from a query per organization.
 */

/** Who a subscription's mapping is for: the order's owner and placer (mayMapSubscription). */
export async function findSubscriptionParties(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .select([
      's.id as subscription_id',
      'o.partner_org_id',
      'o.placed_by_org_id',
      'l.provisioning_contact_email',
    ])
    .where('s.id', '=', subscriptionId)
    .executeTakeFirst();
}

export interface CandidateRow {
  /** The registrable domain the row was found under, or null when found by id. */
  query_domain: string | null;
  id: string;
  name: string;
  kind: OrgKind;
  country: string | null;
  business_vertical: string | null;
  matched_domain: string | null;
  last_active_at: Date | string | null;
  active_users: number;
  domains: { domain: string; status: 'verified' | 'claimed' }[] | string | null;
}

/** Most recent user activity first (organizations without users last), then by name. */
const CANDIDATE_ORDER = sql`order by act.last_active_at desc nulls last, o.name, o.id`;

/** The statistics every candidate carries, from the organization `o` and its latest user `act`. */
function candidateColumns(activeSince: Date): RawBuilder<unknown> {
  return sql`o.id, o.name, o.kind, o.country, o.business_vertical, act.last_active_at,
    (select count(*) from users au
      where au.organization_id = o.id and au.last_active_at >= ${activeSince}::timestamptz)::int as active_users,
    (select json_agg(json_build_object('domain', od.domain, 'status', od.status)
                     order by od.status = 'verified' desc, od.domain)
       from organization_domains od where od.organization_id = o.id) as domains`;
}

const LATEST_USER = sql`left join lateral (
    select lu.last_active_at from users lu where lu.organization_id = o.id
    order by lu.last_active_at desc nulls last limit 1) act on true`;

/** A LIKE pattern matching a reversed name's subdomains: 'acme.com' gives 'moc.emca.%'. */
export function reversedSubdomainPattern(domain: string): string {
  const reversed = `.${domain}`.split('').reverse().join('');
  return `${reversed.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * One branch per registrable domain: organizations of these kinds whose domains are it or one of
 * its subdomains, at most `limit`. Each branch binds its own pattern, so it can use
 * organization_domains_by_reversed (a pattern computed per row could not). With `unlessUsers`, the
 * branch runs only if one of those addresses is nobody's (a one-time filter, checked first).
 */
function domainBranch(
  domain: string,
  kinds: OrgKind[],
  activeSince: Date,
  limit: number,
  unlessUsers?: string[],
): RawBuilder<unknown> {
  const gate = unlessUsers
    ? sql`and exists (select 1 from unnest(${unlessUsers}::text[]) a(email)
                       where not exists (select 1 from users x where x.email = a.email))`
    : sql``;
  return sql`(select null::text as email, null::uuid as user_id, ${domain}::text as query_domain,
            m.matched_domain, ${candidateColumns(activeSince)}
      from (select d.organization_id,
                   (array_agg(d.domain order by d.domain = ${domain}::text desc, length(d.domain), d.domain))[1]
                     as matched_domain
              from organization_domains d
             where (d.domain = ${domain}::text or reverse(d.domain) like ${reversedSubdomainPattern(domain)}::text)
                   ${gate}
             group by d.organization_id) m
      join organizations o on o.id = m.organization_id and o.kind = any(${kinds}::text[])
      ${LATEST_USER}
      ${CANDIDATE_ORDER}
      limit ${limit})`;
}

/** The global search: organizations under each registrable domain. */
export async function findCandidatesByDomains(
  db: Executor,
  domains: string[],
  kinds: OrgKind[],
  activeSince: Date,
  limit: number,
): Promise<CandidateRow[]> {
  if (domains.length === 0) return [];
  const branches = domains.map((domain) => domainBranch(domain, kinds, activeSince, limit));
  const { rows } = await sql<CandidateRow>`${sql.join(branches, sql` union all `)}`.execute(db);
  return rows;
}

/** These organizations, if of these kinds, as candidates. */
export async function findCandidatesByIds(
  db: Executor,
  ids: string[],
  kinds: OrgKind[],
  activeSince: Date,
): Promise<CandidateRow[]> {
  if (ids.length === 0) return [];
  return candidatesWhere(db, sql`o.id = any(${ids}::uuid[])`, kinds, activeSince);
}

export type MatchRow = CandidateRow & { email: string | null; user_id: string | null };

/**
 * Everything a match needs in one statement, one round trip: the users with these (normalized)
 * addresses, each with its organization whatever its kind (the caller tells an exact match from
 * the other side's), and, for each registrable domain, its candidates of these kinds unless every
 * address under it turned out to be a user's. User rows have user_id; domain rows query_domain.
 */
export async function findMatches(
  db: Executor,
  emails: string[],
  domains: { domain: string; emails: string[] }[],
  kinds: OrgKind[],
  activeSince: Date,
  limit: number,
): Promise<MatchRow[]> {
  if (emails.length === 0) return [];
  const users = sql`(select u.email, u.id as user_id, null::text as query_domain, null::text as matched_domain,
           ${candidateColumns(activeSince)}
      from users u
      join organizations o on o.id = u.organization_id
      ${LATEST_USER}
     where u.email = any(${emails}::text[]))`;
  const branches = domains.map((d) => domainBranch(d.domain, kinds, activeSince, limit, d.emails));
  const { rows } = await sql<MatchRow>`${sql.join([users, ...branches], sql` union all `)}`.execute(db);
  return rows;
}

async function candidatesWhere(
  db: Executor,
  condition: RawBuilder<unknown>,
  kinds: OrgKind[],
  activeSince: Date,
): Promise<CandidateRow[]> {
  const { rows } = await sql<CandidateRow>`
    select null::text as query_domain, null::text as matched_domain, ${candidateColumns(activeSince)}
      from organizations o
      ${LATEST_USER}
     where ${condition} and o.kind = any(${kinds}::text[])
     ${CANDIDATE_ORDER}`.execute(db);
  return rows;
}

/**
 * Counts one search in the caller's fixed window (organization_search_attempts). Answers when the
 * window started if admitted, or undefined when the window is full. Purges a few expired windows.
 */
export async function countOrganizationSearch(
  db: Executor,
  keyHash: string,
  at: Date,
  windowStart: Date,
  limit: number,
): Promise<{ admitted: boolean; windowStartedAt: Date | null }> {
  const { rows } = await sql<{ admitted: Date | null; current: Date | null }>`
    with purged as (
      delete from organization_search_attempts
      where key_hash in (
        select key_hash from organization_search_attempts
        where window_started_at <= ${windowStart}::timestamptz and key_hash <> ${keyHash}::text
        order by window_started_at limit 20 for update skip locked
      )
    ), counted as (
      insert into organization_search_attempts as a (key_hash, window_started_at, attempts)
      values (${keyHash}::text, ${at}::timestamptz, 1)
      on conflict (key_hash) do update set
        window_started_at = case when a.window_started_at <= ${windowStart}::timestamptz
          then excluded.window_started_at else a.window_started_at end,
        attempts = case when a.window_started_at <= ${windowStart}::timestamptz then 1 else a.attempts + 1 end
      where a.window_started_at <= ${windowStart}::timestamptz or a.attempts < ${limit}::int
      returning window_started_at
    )
    select (select window_started_at from counted) as admitted,
      (select window_started_at from organization_search_attempts where key_hash = ${keyHash}::text) as current`.execute(
    db,
  );
  const row = rows[0];
  if (row?.admitted) return { admitted: true, windowStartedAt: new Date(row.admitted) };
  return { admitted: false, windowStartedAt: row?.current ? new Date(row.current) : null };
}
