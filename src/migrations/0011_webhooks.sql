-- Webhooks (docs/adr/0031): endpoints that receive the outgoing events, one delivery per event and
-- endpoint (written by recordEvents in the event's own transaction), and every attempt of it.

create table webhook_endpoints (
  id uuid primary key,
  -- The partner or distributor whose admins registered it: it receives the events of that
  -- organization's orders. Null: registered by the vendor's operators, for every partner's events.
  organization_id uuid references organizations (id) on delete cascade,
  url text not null check (length(url) between 1 and 2048),
  description text not null default '' check (length(description) <= 500),
  -- The event types it wants; empty: every type.
  event_types text[] not null default '{}' check (cardinality(event_types) <= 100),
  enabled boolean not null default true,
  -- Why it is disabled: by its owner, a 410 Gone, or failing for 5 days.
  disabled_reason text check (disabled_reason in ('manual', 'gone', 'failing')),
  disabled_at timestamptz,
  -- Since when every attempt has failed; null once one succeeds.
  failing_since timestamptz,
  -- Signing secrets sealed with WEBHOOK_SECRETS_KEY (AES-256-GCM): they sign every delivery, so they
  -- cannot be hashed. The previous one keeps signing beside the current for a while after a rotation.
  secret_sealed text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint webhook_endpoints_disabled check (
    enabled = (disabled_reason is null) and enabled = (disabled_at is null)
  ),
  constraint webhook_endpoints_previous_secret check (
    (previous_secret_sealed is null) = (previous_secret_expires_at is null)
  )
);
create index webhook_endpoints_by_owner on webhook_endpoints (organization_id, created_at);

-- One per event and endpoint. Events are purged after 30 days and take their deliveries with them.
create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
  -- Null for a test delivery (sendTestWebhook), which carries its own data.
  event_id uuid references events (id) on delete cascade,
  -- The event's place in commit order: a subscription's deliveries to an endpoint go out in it.
  event_seq bigint,
  event_type text not null,
  subscription_id text,
  test_data jsonb,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  -- Attempts of the current round (a retry or a recovery starts a new one); every attempt is in webhook_attempts.
  attempts integer not null default 0 check (attempts >= 0),
  next_attempt_at timestamptz not null,
  -- A relay's lease: other relays skip the delivery until it ends, and only the holder of the token
  -- records the outcome.
  claimed_until timestamptz,
  claim_token uuid,
  last_status_code integer,
  last_error text,
  created_at timestamptz not null,
  finished_at timestamptz,
  constraint webhook_deliveries_event_or_test check ((event_id is null) = (test_data is not null)),
  constraint webhook_deliveries_finished check ((status = 'pending') = (finished_at is null)),
  constraint webhook_deliveries_claim check ((claimed_until is null) = (claim_token is null))
);
-- One delivery per event and endpoint; event first, so purging an event finds its deliveries by it.
create unique index webhook_deliveries_once on webhook_deliveries (event_id, endpoint_id);
-- The relay's claim walks each endpoint's due deliveries in order and stops at its window, counting
-- what that endpoint already has claimed. (Each index costs every claim and record a write: there is
-- none that only a rare read would use.)
create index webhook_deliveries_due on webhook_deliveries (endpoint_id, next_attempt_at, event_seq)
  where status = 'pending';
create index webhook_deliveries_claimed on webhook_deliveries (endpoint_id, claimed_until)
  where claimed_until is not null;
-- A delivery waits while an earlier one of its subscription to the same endpoint is unfinished.
create index webhook_deliveries_in_order on webhook_deliveries (endpoint_id, subscription_id, event_seq)
  where status = 'pending' and subscription_id is not null;
-- The delivery log, newest first; the purge walks it too, endpoint by endpoint.
create index webhook_deliveries_log on webhook_deliveries (endpoint_id, created_at desc, id desc);

-- Every attempt, kept 30 days: what the receiver answered (status, the first 2 KB) or why there was no answer.
create table webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
  attempted_at timestamptz not null,
  status_code integer,
  latency_ms integer not null check (latency_ms >= 0),
  response_excerpt text check (length(response_excerpt) <= 2048),
  error text,
  constraint webhook_attempts_outcome check ((status_code is null) <> (error is null))
);
create index webhook_attempts_by_delivery on webhook_attempts (delivery_id, id);
create index webhook_attempts_by_time on webhook_attempts (attempted_at);
