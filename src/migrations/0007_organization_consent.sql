-- Consent across organizations (docs/adr/0022). Matching by exact address proves membership; a
-- domain match or a search only proposes. When a mapping would make someone a member or admin of an
-- existing organization, or give a partner access to an existing customer, it waits for one of that
-- organization's admins: one request per subscription at a time, decided once (a conditional UPDATE
-- from 'pending'), the choices kept so that approval completes the mapping exactly as asked.
create table organization_join_requests (
  id uuid primary key,
  subscription_id text not null references subscriptions (id) on delete cascade,
  organization_id uuid not null references organizations (id) on delete cascade,
  -- join: the address named becomes a user of the organization; partner_access: the ordering
  -- partner becomes its provisioning admin (the address may already be one of its admins).
  reason text not null check (reason in ('join', 'partner_access')),
  side text not null check (side in ('partner', 'customer')),
  status text not null default 'pending'
    check (status in ('pending', 'approved', 'refused', 'withdrawn', 'expired')),
  -- The line's provisioning contact when the request was made: approval is refused if it changed.
  contact_email text not null check (length(contact_email) between 3 and 254),
  -- Who would join (the contact or the customer admin named), shown to the deciding admins.
  subject_email text not null check (length(subject_email) between 3 and 254),
  requester_locale text not null check (requester_locale in ('en', 'it', 'pt-BR', 'ru', 'uk')),
  -- The mapping as chosen (MappingInput), replayed on approval.
  mapping_input jsonb not null,
  requested_at timestamptz not null,
  decided_at timestamptz,
  decided_by_user_id uuid references users (id) on delete set null,
  check ((status = 'pending') = (decided_at is null))
);
create unique index organization_join_requests_one_pending
  on organization_join_requests (subscription_id) where status = 'pending';
create index organization_join_requests_by_organization
  on organization_join_requests (organization_id, status, requested_at desc);
create index organization_join_requests_by_subscription
  on organization_join_requests (subscription_id, requested_at desc);

-- The search of all organizations by domain, counted per caller in fixed windows (like sign-in
-- attempts, docs/adr/0007): the key is a SHA-256 of the caller, never an address.
create table organization_search_attempts (
  key_hash text primary key check (key_hash ~ '^[0-9a-f]{64}$'),
  window_started_at timestamptz not null,
  attempts integer not null check (attempts >= 0)
);
create index organization_search_attempts_by_window on organization_search_attempts (window_started_at);
