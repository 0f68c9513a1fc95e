import { type RawBuilder, sql } from 'kysely';
import type { Executor } from '../../platform/db.ts';
import { afterKeyset, exactTime, type Keyset } from '../../platform/keyset.ts';
import { searchesPartOfText } from '../../platform/search-text.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { LineStatus } from './lifecycle.ts';

export interface OrderSearch {
  /**
   * The start of a reference, a whole order number or subscription id, or (with three letters or
   * digits in a row, see searchesPartOfText) part of a customer name or contact email.
   */
  q?: string;
  status?: LineStatus;
  startFrom?: string;
  startTo?: string;
  after?: Keyset;
  /** Operators only (scope `all`): the orders of one partner (not those it placed for another). */
  partnerOrgId?: string;
  /** Orders created strictly before this instant (the back office's "older than" filter). */
  createdBefore?: Date;
  limit: number;
}

/** The text with LIKE's wildcards and escape character taken literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Who may see an order: its partner, or whoever placed it. An OR of the two would defeat the
 * newest-first index walk, so a tenant's search runs once per side, each on its own index: the
 * orders it is the partner of, then those it placed for another partner (never the same order twice;
 * `placed_for_other` is stored, so that the planner knows how rare the second side is).
 */
type Side = { column: 'partner' | 'placer'; orgId: string } | 'all';

function sidesOf(scope: OrderScope): Side[] {
  if (scope === 'all') return ['all'];
  return [
    { column: 'partner', orgId: scope.orgId },
    { column: 'placer', orgId: scope.orgId },
  ];
}

/** The side's condition on a table that carries the order's tenant columns under these names. */
function onSide(side: Side, alias: 'o' | 'l'): RawBuilder<unknown> {
  if (side === 'all') return sql`true`;
  if (side.column === 'partner') return sql`${sql.ref(`${alias}.partner_org_id`)} = ${side.orgId}::uuid`;
  return sql`${sql.ref(`${alias}.placed_for_other`)} and ${sql.ref(`${alias}.placed_by_org_id`)} = ${side.orgId}::uuid`;
}

/** The keyset position and the age bound: both upper bounds on the newest-first walk. */
function after(search: OrderSearch, createdAt: string, id: string): RawBuilder<unknown> {
  const position = search.after ? afterKeyset(search.after, createdAt, id) : sql`true`;
  if (!search.createdBefore) return position;
  return sql`${position} and ${sql.ref(createdAt)} < ${search.createdBefore}`;
}

function lineConditions(search: OrderSearch, alias: string): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (search.status) parts.push(sql`${sql.ref(`${alias}.status`)} = ${search.status}`);
  if (search.startFrom)
    parts.push(sql`${sql.ref(`${alias}.requested_start_date`)} >= ${search.startFrom}::date`);
  if (search.startTo) parts.push(sql`${sql.ref(`${alias}.requested_start_date`)} <= ${search.startTo}::date`);
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

function hasLineFilter(search: OrderSearch): boolean {
  return Boolean(search.status || search.startFrom || search.startTo);
}

/** With a line filter: some line of the order (not necessarily the one that matched the text) passes it. */
function orderHasLine(search: OrderSearch, orderId: string): RawBuilder<unknown> {
  if (!hasLineFilter(search)) return sql`true`;
  return sql`exists (select 1 from order_lines f where f.order_id = ${sql.ref(orderId)} and ${lineConditions(search, 'f')})`;
}

/**
 * The ways an order can qualify, each a newest-first, limited walk or index lookup of its own (the
 * planner picks, per way, between walking the tenant's index and filtering, when many rows match,
 * and a trigram or b-tree lookup then a sort, when few do). Their union's first `limit` rows are the
 * page. Identifiers are matched whole (the reference by its start) on b-trees: a trigram search for
 * `PRV-1234567` reads the long posting lists of trigrams every order number shares. A text without
 * three letters or digits in a row has no trigram to look up: it matches identifiers only, since
 * looking for it inside names and addresses would read every row of the tenant (docs/adr/0024).
 */
function candidateQueries(side: Side, search: OrderSearch): RawBuilder<unknown>[] {
  const n = search.limit;
  const orderKeyset = after(search, 'o.created_at', 'o.id');
  const lineKeyset = after(search, 'l.order_created_at', 'l.order_id');
  if (!search.q) {
    if (!hasLineFilter(search)) {
      return [
        sql`select o.created_at, o.id from orders o where ${onSide(side, 'o')} and ${orderKeyset}
            order by o.created_at desc, o.id desc limit ${n}`,
      ];
    }
    return [
      sql`select distinct l.order_created_at as created_at, l.order_id as id from order_lines l
          where ${onSide(side, 'l')} and ${lineConditions(search, 'l')} and ${lineKeyset}
          order by l.order_created_at desc, l.order_id desc limit ${n}`,
    ];
  }
  const part = `%${escapeLike(search.q)}%`;
  const start = `${escapeLike(search.q)}%`;
  const byOrder = (condition: RawBuilder<unknown>) =>
    sql`select o.created_at, o.id from orders o
        where ${onSide(side, 'o')} and ${condition} and ${orderKeyset} and ${orderHasLine(search, 'o.id')}
        order by o.created_at desc, o.id desc limit ${n}`;
  const identifiers = [
    byOrder(sql`lower(o.reference) like lower(${start})`),
    byOrder(sql`o.order_number = upper(${search.q})`),
    sql`select l.order_created_at as created_at, l.order_id as id
        from subscriptions s join order_lines l on l.id = s.line_id
        where s.id = upper(${search.q}) and ${onSide(side, 'l')} and ${lineKeyset}
          and ${orderHasLine(search, 'l.order_id')}`,
  ];
  if (!searchesPartOfText(search.q)) return identifiers;
  return [
    ...identifiers,
    byOrder(sql`o.end_customer_name ilike ${part}`),
    sql`select distinct l.order_created_at as created_at, l.order_id as id from order_lines l
        where ${onSide(side, 'l')} and l.provisioning_contact_email ilike ${part} and ${lineKeyset}
          and ${orderHasLine(search, 'l.order_id')}
        order by l.order_created_at desc, l.order_id desc limit ${n}`,
  ];
}

/** The search as one statement (tests EXPLAIN it to see which indexes it may use). */
export function orderSearchQuery(scope: OrderScope, search: OrderSearch) {
  // An operator's partner filter walks that partner's own index, as the partner's own search does.
  const sides: Side[] =
    scope === 'all' && search.partnerOrgId
      ? [{ column: 'partner', orgId: search.partnerOrgId }]
      : sidesOf(scope);
  const candidates = sides.flatMap((side) => candidateQueries(side, search));
  const union = sql.join(
    candidates.map((query) => sql`(${query})`),
    sql` union `,
  );
  return sql<{
    id: string;
    order_number: string;
    reference: string;
    end_customer_name: string;
    created_at: Date;
    created_at_exact: string;
  }>`
    select o.id, o.order_number, o.reference, o.end_customer_name, o.created_at,
           ${exactTime('o.created_at')} as created_at_exact
    from (${union}) c join orders o on o.id = c.id
    order by c.created_at desc, c.id desc
    limit ${search.limit}`;
}

/** Newest first, keyset-paged on (created_at, id); no count of the whole tenant. */
export async function searchOrders(db: Executor, scope: OrderScope, search: OrderSearch) {
  const { rows } = await orderSearchQuery(scope, search).execute(db);
  return rows;
}
