import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import type { Harness, Tenant } from './harness.ts';

/** An event as the feed gives it. */
export interface FeedItem {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
}
export interface FeedPage {
  data: FeedItem[];
  nextCursor: string;
}

/** One page of the feed as this tenant reads it. */
export async function feedPage(
  h: Pick<Harness, 'api'>,
  tenant: Tenant,
  query: Record<string, string> = {},
): Promise<FeedPage> {
  const res = await h.api(tenant, 'GET', `/api/v1/events?${new URLSearchParams(query)}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as FeedPage;
}

/** Every page from `after` until one comes back short: the reader is up to date. */
export async function feedToEnd(
  h: Pick<Harness, 'api'>,
  tenant: Tenant,
  query: Record<string, string> = {},
): Promise<FeedPage> {
  const data: FeedItem[] = [];
  let cursor = query.after;
  const limit = Number(query.limit ?? 100);
  for (;;) {
    const page = await feedPage(h, tenant, { ...query, ...(cursor ? { after: cursor } : {}) });
    data.push(...page.data);
    cursor = page.nextCursor;
    if (page.data.length < limit) return { data, nextCursor: cursor };
  }
}

/**
 * Reads to the end until `enough` holds. On PostgreSQL the feed waits for every transaction of the
 * server that began writing before an event's own to end, another test database's included: a read
 * right after a commit may come a moment early. This waits for that, it asserts nothing about time.
 */
export async function feedUntil(
  h: Pick<Harness, 'api'>,
  tenant: Tenant,
  enough: (items: FeedItem[]) => boolean,
  query: Record<string, string> = {},
): Promise<FeedItem[]> {
  const seen: FeedItem[] = [];
  let cursor = query.after;
  for (let round = 0; round < 200; round++) {
    const page = await feedToEnd(h, tenant, { ...query, ...(cursor ? { after: cursor } : {}) });
    seen.push(...page.data);
    cursor = page.nextCursor;
    if (enough(seen)) return seen;
    await sleep(50);
  }
  assert.fail(`the feed never had what was expected; it had ${JSON.stringify(seen.map((e) => e.type))}`);
}

/** The rows a type of event left in the table, oldest first, with who may see them. */
export async function eventRows(h: Pick<Harness, 'db'>, type: string) {
  return h.db
    .selectFrom('events')
    .select(['id', 'type', 'data', 'partner_org_id', 'placed_by_org_id', 'subscription_id', 'order_id'])
    .where('type', '=', type)
    .orderBy('seq')
    .execute();
}

/** Every event write fails while this is on: what a failure after the change itself looks like. */
export async function failEventWrites(h: Pick<Harness, 'db'>, on: boolean): Promise<void> {
  if (on) {
    await sql`create function refuse_events() returns trigger language plpgsql as
      $$ begin raise exception 'events refused for this test'; end $$`.execute(h.db);
    await sql`create trigger refuse_events before insert on events
      for each row execute function refuse_events()`.execute(h.db);
  } else {
    await sql`drop trigger refuse_events on events`.execute(h.db);
    await sql`drop function refuse_events()`.execute(h.db);
  }
}
