-- Sign-in limits shared by every process (docs/adr/0007). One row per bucket: an (address, client)
-- pair or a client alone, named by the SHA-256 of what it counts, so no address is ever stored and
-- every key has the same bounded size. A bucket counts the attempts of one fixed window; rows whose
-- window has passed are purged by the statement that counts.
create table sign_in_attempts (
  key_hash text primary key check (key_hash ~ '^[0-9a-f]{64}$'),
  scope text not null check (scope in ('address_client', 'client')),
  window_started_at timestamptz not null,
  attempts integer not null check (attempts >= 0)
);
create index sign_in_attempts_by_window on sign_in_attempts (window_started_at);

-- API keys: who created one (null when the command line or Provisio itself did), a bounded name
-- (API_KEY_NAME_MAX_LENGTH in src/platform/limits.ts), and the organization's list in order.
alter table api_keys add column created_by_user_id uuid references users (id) on delete set null;
alter table api_keys add constraint api_keys_name_length check (length(btrim(name)) between 1 and 100);
create index api_keys_by_organization on api_keys (organization_id, created_at desc);
