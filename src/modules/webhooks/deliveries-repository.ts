import { type Selectable, sql } from 'kysely';
import type { WebhookAttemptsTable, WebhookDeliveriesTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import { afterKeyset, exactTime, type Keyset } from '../../platform/keyset.ts';
import { prepared } from '../../platform/prepared-statements.ts';

/** Webhook deliveries and their attempts: the fan-out, the relay's claims and records, the log. */

/**
 * One delivery for every enabled endpoint that wants each event's type and may see it: the vendor's
 * endpoints every event, an organization's endpoints the events of orders it owns or placed. One
 * statement, in the events' own transaction. Returns how many were queued.
 */
export async function insertDeliveriesForEvents(
  db: Executor,
  eventIds: string[],
  now: Date,
): Promise<number> {
  if (eventIds.length === 0) return 0;
  const result = await sql`${prepared('webhooks_fan_out')}
    insert into webhook_deliveries
      (endpoint_id, event_id, event_seq, event_type, subscription_id, next_attempt_at, created_at)
    select w.id, e.id, e.seq, e.type, e.subscription_id, ${now}::timestamptz, ${now}::timestamptz
      from events e
      join webhook_endpoints w
        on w.enabled
       and (cardinality(w.event_types) = 0 or e.type = any(w.event_types))
       and (w.organization_id is null
            or w.organization_id = e.partner_org_id
            or w.organization_id = e.placed_by_org_id)
     where e.id = any(${eventIds}::uuid[])`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

export async function insertTestDelivery(
  db: Executor,
  row: { endpointId: string; type: string; data: unknown; now: Date },
): Promise<string> {
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values({
      endpoint_id: row.endpointId,
      event_type: row.type,
      test_data: JSON.stringify(row.data),
      next_attempt_at: row.now,
      created_at: row.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return inserted.id;
}

/**
 * Whether anything is due and unclaimed at an enabled endpoint: a probe of each endpoint's due
 * deliveries, so an idle relay can look often. A lease ending after `suspect` was taken on a clock that
 * has since gone back: it counts as over (see ClaimOptions.suspect).
 */
export async function anyDue(db: Executor, now: Date, suspect: Date): Promise<boolean> {
  const { rows } = await sql`${prepared('webhooks_any_due')}
    select 1 from webhook_endpoints w
     where w.enabled and exists (
       select 1 from webhook_deliveries d
        where d.endpoint_id = w.id and d.status = 'pending' and d.next_attempt_at <= ${now}::timestamptz
          and (d.claimed_until is null or d.claimed_until <= ${now}::timestamptz
               or d.claimed_until > ${suspect}::timestamptz))
     limit 1`.execute(db);
  return rows.length > 0;
}

export interface ClaimedDelivery {
  id: string;
  endpoint_id: string;
  event_id: string | null;
  event_type: string;
  /** Attempts of this round, the one just claimed included. */
  attempts: number;
  /** A test's data, as JSON text. */
  test_data: string | null;
  created_at: Date;
  occurred_at: Date | null;
  /** The event's data, as JSON text: sent as it is. */
  data: string | null;
  /** The endpoint, as it is now: where to send, whether it is failing, the secrets that sign. */
  url: string;
  failing_since: Date | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
}

export interface ClaimOptions {
  now: Date;
  /** The lease's end. */
  until: Date;
  /**
   * A lease ending after this was taken on a clock that has since gone back, and counts as over. Not
   * `until` itself: another relay's lease, taken a moment later by its own clock, ends a little after
   * ours, and must count as the live lease it is. Two leases ahead is beyond any such moment.
   */
  suspect: Date;
  token: string;
  /**
   * Deliveries of one healthy endpoint claimed at once, counting those already claimed: `windows` for the
   * endpoints named there, `window` for the others. A failing endpoint gets one.
   */
  window: number;
  windows: { endpointId: string; window: number }[];
  limit: number;
}

/**
 * Claims due deliveries in one statement, for a lease: other relays skip them (SKIP LOCKED now, the
 * lease after) and only this claim's token may record their outcome. Each endpoint gets at most its
 * window, counting what it already has claimed (an endpoint at its cap is skipped), walked in the
 * order they became due, and a delivery waits while an earlier delivery of the same subscription to
 * the same endpoint is unfinished. A lease ending after `suspect` was taken on a clock that has since
 * gone back: it counts as over.
 */
export async function claimDue(db: Executor, o: ClaimOptions): Promise<ClaimedDelivery[]> {
  const { rows } = await sql<ClaimedDelivery>`${prepared('webhooks_claim_due')}
    with picked as (
      select c.id, c.event_id, w.id as endpoint_id
        from webhook_endpoints w
        left join unnest(${o.windows.map((x) => x.endpointId)}::uuid[], ${o.windows.map((x) => x.window)}::int[])
             as lw(endpoint_id, size) on lw.endpoint_id = w.id
        cross join lateral (
          select count(*)::int as held from webhook_deliveries f
           where f.endpoint_id = w.id and f.claimed_until is not null
             and f.claimed_until > ${o.now}::timestamptz and f.claimed_until <= ${o.suspect}::timestamptz
        ) h
        cross join lateral (
          select d.id, d.event_id from webhook_deliveries d
           where d.endpoint_id = w.id and d.status = 'pending' and d.next_attempt_at <= ${o.now}::timestamptz
             and (d.claimed_until is null or d.claimed_until <= ${o.now}::timestamptz
                  or d.claimed_until > ${o.suspect}::timestamptz)
             and (d.subscription_id is null or not exists (
                   select 1 from webhook_deliveries p
                    where p.endpoint_id = d.endpoint_id and p.subscription_id = d.subscription_id
                      and p.status = 'pending' and p.event_seq < d.event_seq))
           order by d.next_attempt_at, d.event_seq
           limit greatest(0, (case when w.failing_since is null then coalesce(lw.size, ${o.window}::int) else 1 end)
                             - h.held)
           for update of d skip locked
        ) c
       where w.enabled
       order by random()
       limit ${o.limit}::int
    )
    update webhook_deliveries d
       set claimed_until = ${o.until}::timestamptz, claim_token = ${o.token}::uuid, attempts = d.attempts + 1
      from picked
      join webhook_endpoints w on w.id = picked.endpoint_id
      left join events e on e.id = picked.event_id
     where d.id = picked.id
    returning d.id, d.endpoint_id, d.event_id, d.event_type, d.attempts, d.test_data::text as test_data,
              d.created_at, e.occurred_at, e.data::text as data, w.url, w.failing_since, w.secret_sealed, w.previous_secret_sealed,
              w.previous_secret_expires_at`.execute(db);
  return rows;
}

export interface AttemptRecord {
  deliveryId: string;
  attemptedAt: Date;
  statusCode: number | null;
  latencyMs: number;
  excerpt: string | null;
  error: string | null;
}

export interface DeliveryOutcome {
  id: string;
  token: string;
  status: 'pending' | 'delivered' | 'failed';
  nextAttemptAt: Date | null;
  finishedAt: Date | null;
  statusCode: number | null;
  error: string | null;
}

/**
 * Records a batch in one statement: every attempt (kept whatever became of the lease), each
 * delivery's outcome under the lease that attempted it, and each endpoint's health (failing from its
 * first failure, healthy again on a success). Answers the failing endpoints whose failures began at
 * or before `failingBefore` and that are still enabled: the ones to disable.
 */
export async function recordOutcomes(
  db: Executor,
  batch: {
    attempts: AttemptRecord[];
    outcomes: DeliveryOutcome[];
    healthy: string[];
    failing: string[];
    now: Date;
    failingBefore: Date;
  },
): Promise<string[]> {
  const a = batch.attempts;
  const o = batch.outcomes;
  const { rows } = await sql<{ id: string }>`${prepared('webhooks_record_outcomes')}
    with attempts as (
      insert into webhook_attempts (delivery_id, attempted_at, status_code, latency_ms, response_excerpt, error)
      select * from unnest(${a.map((x) => x.deliveryId)}::uuid[], ${a.map((x) => x.attemptedAt)}::timestamptz[],
                           ${a.map((x) => x.statusCode)}::int[], ${a.map((x) => x.latencyMs)}::int[],
                           ${a.map((x) => x.excerpt)}::text[], ${a.map((x) => x.error)}::text[])
    ),
    outcomes as (
      update webhook_deliveries d
         set status = r.status,
             next_attempt_at = coalesce(r.next_at, d.next_attempt_at),
             finished_at = r.finished_at,
             claimed_until = null,
             claim_token = null,
             last_status_code = r.code,
             last_error = r.error
        from unnest(${o.map((x) => x.id)}::uuid[], ${o.map((x) => x.token)}::uuid[],
                    ${o.map((x) => x.status)}::text[], ${o.map((x) => x.nextAttemptAt)}::timestamptz[],
                    ${o.map((x) => x.finishedAt)}::timestamptz[], ${o.map((x) => x.statusCode)}::int[],
                    ${o.map((x) => x.error)}::text[])
             as r(id, token, status, next_at, finished_at, code, error)
       where d.id = r.id and d.claim_token = r.token and d.status = 'pending'
    ),
    healthy as (
      update webhook_endpoints set failing_since = null
       where id = any(${batch.healthy}::uuid[]) and failing_since is not null
    ),
    failing as (
      update webhook_endpoints set failing_since = ${batch.now}::timestamptz
       where id = any(${batch.failing}::uuid[]) and failing_since is null
    )
    select id from webhook_endpoints
     where id = any(${batch.failing}::uuid[]) and enabled
       and failing_since <= ${batch.failingBefore}::timestamptz`.execute(db);
  return rows.map((r) => r.id);
}

/** Claimed deliveries that were never sent (their endpoint was disabled meanwhile): free, attempt uncounted. */
export async function releaseClaims(db: Executor, claims: { id: string; token: string }[]): Promise<void> {
  if (claims.length === 0) return;
  await sql`
    update webhook_deliveries d
       set claimed_until = null, claim_token = null, attempts = greatest(0, d.attempts - 1)
      from unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.token)}::uuid[]) as r(id, token)
     where d.id = r.id and d.claim_token = r.token`.execute(db);
}

/**
 * Extends the leases a live relay holds (by id, under its tokens), so a delivery that waits long for a
 * slow database or endpoint is not claimed by another relay meanwhile; a dead relay stops renewing and
 * its leases run out.
 */
export async function renewClaims(
  db: Executor,
  claims: { id: string; token: string }[],
  until: Date,
): Promise<void> {
  if (claims.length === 0) return;
  await sql`
    update webhook_deliveries d set claimed_until = ${until}::timestamptz
      from unnest(${claims.map((c) => c.id)}::uuid[], ${claims.map((c) => c.token)}::uuid[]) as r(id, token)
     where d.id = r.id and d.claim_token = r.token and d.status = 'pending'`.execute(db);
}

export type DeliveryRow = Selectable<WebhookDeliveriesTable> & { created_key: string };
export type AttemptRow = Selectable<WebhookAttemptsTable>;

/** An endpoint's deliveries, newest first, keyset-paged. */
export async function listDeliveries(
  db: Executor,
  endpointId: string,
  filter: { status?: string | undefined; after?: Keyset | undefined; limit: number },
): Promise<DeliveryRow[]> {
  let query = db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .select(exactTime('created_at').as('created_key'))
    .where('endpoint_id', '=', endpointId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  if (filter.status) query = query.where('status', '=', filter.status as 'pending');
  const after = filter.after;
  if (after) query = query.where(() => afterKeyset(after, 'created_at', 'id'));
  return query.execute();
}

export async function findDelivery(
  db: Executor,
  endpointId: string,
  id: string,
): Promise<DeliveryRow | undefined> {
  return db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .select(exactTime('created_at').as('created_key'))
    .where('endpoint_id', '=', endpointId)
    .where('id', '=', id)
    .executeTakeFirst();
}

export async function attemptsOf(db: Executor, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  return db
    .selectFrom('webhook_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('id', 'desc')
    .execute();
}

/** Due again at once, a new round of attempts; one being attempted right now is left to finish. */
export async function retryDelivery(db: Executor, endpointId: string, id: string, now: Date): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, finished_at: null })
    .where('endpoint_id', '=', endpointId)
    .where('id', '=', id)
    // Not one being attempted right now (a null lease is none: compared, it would make the test null).
    .where((eb) =>
      eb.not(
        eb.and([
          eb('status', '=', 'pending'),
          eb('claimed_until', 'is not', null),
          eb('claimed_until', '>', now),
        ]),
      ),
    )
    .execute();
}

/**
 * Every event since `since` the endpoint may see and wants (and of `types`, when given), queued again
 * (a new round) or for the first time. One being attempted right now is left to finish.
 */
export async function recoverDeliveries(
  db: Executor,
  endpoint: { id: string; organizationId: string | null; eventTypes: string[] },
  since: Date,
  types: string[],
  now: Date,
): Promise<number> {
  const result = await sql`
    insert into webhook_deliveries
      (endpoint_id, event_id, event_seq, event_type, subscription_id, next_attempt_at, created_at)
    select ${endpoint.id}::uuid, e.id, e.seq, e.type, e.subscription_id, ${now}::timestamptz, ${now}::timestamptz
      from events e
     where e.occurred_at >= ${since}
       and (${endpoint.organizationId}::uuid is null
            or e.partner_org_id = ${endpoint.organizationId}::uuid
            or e.placed_by_org_id = ${endpoint.organizationId}::uuid)
       and (cardinality(${endpoint.eventTypes}::text[]) = 0 or e.type = any(${endpoint.eventTypes}::text[]))
       and (cardinality(${types}::text[]) = 0 or e.type = any(${types}::text[]))
    on conflict (event_id, endpoint_id) do update
       set status = 'pending', attempts = 0, next_attempt_at = excluded.next_attempt_at, finished_at = null
     where not (webhook_deliveries.status = 'pending'
                and coalesce(webhook_deliveries.claimed_until > ${now}::timestamptz, false))`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/**
 * A slice of what is older than `before`: attempts, and deliveries (with their attempts) that are
 * finished or tests. A delivery of an event waiting that long goes with its event when events are purged.
 */
export async function purgeBefore(db: Executor, before: Date, limit: number): Promise<number> {
  const attempts = await sql`
    delete from webhook_attempts where id in (
      select id from webhook_attempts where attempted_at < ${before} limit ${limit})`.execute(db);
  const deliveries = await sql`
    delete from webhook_deliveries where id in (
      select d.id from webhook_endpoints w
       cross join lateral (
         select id from webhook_deliveries d
          where d.endpoint_id = w.id and d.created_at < ${before}
            and (d.status <> 'pending' or d.event_id is null)
          limit ${limit}) d
       limit ${limit})`.execute(db);
  return Number(attempts.numAffectedRows ?? 0) + Number(deliveries.numAffectedRows ?? 0);
}

/** Deliveries not yet delivered or given up, and since when the oldest of them is owed: for /metrics. */
export async function pendingBacklog(db: Executor): Promise<{ count: number; oldest: Date | null }> {
  const row = await db
    .selectFrom('webhook_deliveries')
    .select((eb) => [eb.fn.countAll<number>().as('count'), eb.fn.min('created_at').as('oldest')])
    .where('status', '=', 'pending')
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
}
