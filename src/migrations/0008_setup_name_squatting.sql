-- Name squatting (issue 14, fault 9; docs/adr/0026).
--
-- Fixed-window counters for the setup's rate limits (organizations created, name availability
-- checks, names reserved), per partner organization or per setup link. Only a SHA-256 of what a
-- bucket counts is its key; `limit_name` says which limit it is, for an operator reading the table.
create table rate_limit_buckets (
  key_hash text primary key check (key_hash ~ '^[0-9a-f]{64}$'),
  limit_name text not null check (limit_name ~ '^[a-z0-9_.]{1,64}$'),
  window_started_at timestamptz not null,
  hits integer not null check (hits >= 0)
);
create index rate_limit_buckets_by_window on rate_limit_buckets (window_started_at);

-- When a setup first reserved each name: renewing a reservation never takes it past
-- SETUP_RESERVATION_MAX_DAYS from then, and the record outlives the reservation itself, so a setup
-- cannot let a name lapse and take it again to hold it for ever.
create table setup_name_holds (
  subscription_id text not null references subscriptions (id) on delete cascade,
  kind text not null check (kind in ('site', 'subdomain')),
  name text not null check (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  first_reserved_at timestamptz not null,
  primary key (subscription_id, kind, name)
);
