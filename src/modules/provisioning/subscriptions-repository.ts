import type { Executor } from '../../platform/db.ts';
import { afterKeyset, exactTime, type Keyset } from '../../platform/keyset.ts';
import type { OrderScope } from '../identity/policy.ts';

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export interface PendingSearch {
  /** An exact subscription id (upper case): that subscription, if pending and visible. */
  subscriptionId?: string;
  /** Part of a provisioning contact email. */
  contact?: string;
  after?: Keyset;
  limit: number;
}

/** The rows of the tenant one branch reads; each is one partial index of pending subscriptions. */
type Branch = { partner: string } | { placerOnly: string } | { anyOf: string } | 'all';

/**
 * One branch of the pending list, ordered and limited on its own. Its index leads with the order's
 * tenant, then `(created_at, id)` compared as a row (one index range from the cursor on). The
 * contact is a plain condition on the joined line, so the planner may walk the index newest first
 * and filter (common text) or start from the trigram index on the lines (rare text).
 */
function branch(db: Executor, from: Branch, match: 'none' | 'id' | 'contact', search: PendingSearch) {
  let query = db
    .selectFrom('subscriptions as s')
    .select(['s.id', 's.created_at', 's.line_id'])
    .where('s.mapped_at', 'is', null);
  if (from !== 'all' && 'partner' in from) query = query.where('s.order_partner_org_id', '=', from.partner);
  if (from !== 'all' && 'placerOnly' in from)
    query = query
      .where('s.order_placed_by_org_id', '=', from.placerOnly)
      // The partial placer index's predicate: a stored flag, whose statistics tell the planner how
      // rare these rows are (it cannot tell from comparing the two columns).
      .where('s.placed_for_other', '=', true);
  if (from !== 'all' && 'anyOf' in from) {
    // Only beside an exact id: one row read by its primary key, so the OR costs nothing.
    const org = from.anyOf;
    query = query.where((eb) =>
      eb.or([eb('s.order_partner_org_id', '=', org), eb('s.order_placed_by_org_id', '=', org)]),
    );
  }
  if (match === 'id' && search.subscriptionId) query = query.where('s.id', '=', search.subscriptionId);
  if (match === 'contact' && search.contact) {
    // A join on the line's primary key (one line per subscription), not a subquery: either side
    // may then lead the plan.
    query = query
      .innerJoin('order_lines as l', 'l.id', 's.line_id')
      .where('l.provisioning_contact_email', 'ilike', likePattern(search.contact));
    // An id-shaped text is searched both ways; the subscription it names is the id branch's row.
    if (search.subscriptionId) query = query.where('s.id', '<>', search.subscriptionId);
  }
  const after = search.after;
  if (after) query = query.where(afterKeyset(after, 's.created_at', 's.id'));
  return query.orderBy('s.created_at', 'desc').orderBy('s.id', 'desc').limit(search.limit);
}

function branches(db: Executor, scope: OrderScope, search: PendingSearch) {
  const walks: Branch[] = scope === 'all' ? ['all'] : [{ partner: scope.orgId }, { placerOnly: scope.orgId }];
  const match = search.contact ? 'contact' : 'none';
  const parts =
    match === 'contact' || !search.subscriptionId ? walks.map((w) => branch(db, w, match, search)) : [];
  if (search.subscriptionId)
    parts.push(branch(db, scope === 'all' ? 'all' : { anyOf: scope.orgId }, 'id', search));
  const [first, ...rest] = parts.map((p, i) => db.selectFrom(p.as(`b${i}`)).selectAll());
  if (!first) throw new Error('a pending search has at least one branch');
  return rest.reduce((union, part) => union.unionAll(part), first);
}

/**
 * Subscriptions not yet mapped to an organization (provisioning pending), closed lines included,
 * newest first, keyset-paged on (subscription created_at, id). A tenant sees the subscriptions of
 * the orders it is the partner of or placed for another partner: a union of index walks, each row
 * in exactly one branch.
 */
export async function searchPendingSubscriptions(db: Executor, scope: OrderScope, search: PendingSearch) {
  return db
    .selectFrom(branches(db, scope, search).as('s'))
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders', 'orders.id', 'l.order_id')
    .select([
      's.id as subscriptionId',
      's.created_at as createdAt',
      exactTime('s.created_at').as('createdAtExact'),
      'l.id as lineId',
      'l.line_number as lineNumber',
      'l.offer_code as offerCode',
      'l.status',
      'l.provisioning_contact_email as contactEmail',
      'orders.id as orderId',
      'orders.reference as orderReference',
      'orders.order_number as orderNumber',
    ])
    .orderBy('s.created_at', 'desc')
    .orderBy('s.id', 'desc')
    .limit(search.limit)
    .execute();
}
