-- Fulfilment (docs/adr/0032): how each offer is fulfilled, and the requests Provision makes to the
-- vendor's service (or to an operator) for offers someone else provisions.

-- From the catalogue file: `none` (Provision activates at once), `manual` (an operator fulfils it in the
-- back office) or `http` (the vendor's service at fulfilment_url is called).
alter table offers
  add column fulfilment_mode text not null default 'none'
    check (fulfilment_mode in ('none', 'manual', 'http')),
  add column fulfilment_url text
    check (length(fulfilment_url) <= 2048 and fulfilment_url ~ '^https?://'),
  add constraint offers_fulfilment_url check ((fulfilment_mode = 'http') = (fulfilment_url is not null));

-- One request per attempt to have a subscription provisioned: the setup as it was when Provision was
-- pressed, sent (http) with the request's id as the message id on every retry, until an answer comes.
-- A retry after a failure or a resubmission after a request for information is a new request; the one
-- it follows is named (supersedes), so a vendor can link them.
create table provision_requests (
  id uuid primary key,
  -- The order requests were made in: a subscription's latest is the one with the highest.
  seq bigint generated always as identity unique,
  action text not null default 'create' check (action = 'create'),
  subscription_id text not null references subscriptions (id) on delete cascade,
  offer_code text not null references offers (code),
  quantity integer not null check (quantity between 1 and 1000000),
  partner_org_id uuid not null references organizations (id),
  customer_org_id uuid not null references organizations (id),
  -- How it is fulfilled, as the offer said when the request was made.
  mode text not null check (mode in ('manual', 'http')),
  -- The service setup: sites, location, subdomain, locale.
  setup jsonb not null check (jsonb_typeof(setup) = 'object'),
  supersedes uuid references provision_requests (id),
  -- Who pressed Provision (Retry, resubmit): the subscription is theirs to have provisioned.
  requested_by_user_id uuid references users (id) on delete set null,
  state text not null default 'open'
    check (state in ('open', 'succeeded', 'failed', 'needs_info', 'given_up')),
  -- Sending (http): attempts made, when the next one is due (null: nothing to send), what went wrong.
  attempts integer not null default 0 check (attempts between 0 and 100),
  next_attempt_at timestamptz,
  last_attempt_at timestamptz,
  last_error text check (length(last_error) <= 500),
  -- The vendor's service took it (202) and will report through reportProvisionResult.
  accepted_at timestamptz,
  -- The answer.
  external_tenant_id text check (length(external_tenant_id) between 1 and 200),
  answer_code text check (answer_code ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
  -- Text, or texts by language ({"en": …, "it": …}); checked by the application.
  answer_message jsonb,
  answer_fields text[] check (cardinality(answer_fields) between 1 and 50),
  answered_by text check (answered_by in ('vendor_service', 'operator', 'provisio')),
  answered_by_user_id uuid references users (id) on delete set null,
  answered_at timestamptz,
  -- Since when it waits for an answer (made, or sent again after Provisio gave up), and whether the
  -- account representative was told that none came within FULFILMENT_STALL_HOURS (once per wait).
  opened_at timestamptz not null,
  stalled_notified_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  constraint provision_requests_answered check ((state = 'open') = (answered_at is null)),
  constraint provision_requests_succeeded check (state <> 'succeeded' or external_tenant_id is not null),
  constraint provision_requests_failed check (state not in ('failed', 'given_up') or answer_code is not null),
  constraint provision_requests_needs_info
    check (state <> 'needs_info' or (answer_fields is not null and answer_message is not null)),
  constraint provision_requests_sending check (state = 'open' or next_attempt_at is null),
  constraint provision_requests_http_only check (mode = 'http' or (attempts = 0 and next_attempt_at is null))
);

-- One request waits for an answer per subscription at most: two presses of Provision make one.
create unique index provision_requests_one_open on provision_requests (subscription_id) where state = 'open';
create index provision_requests_by_subscription on provision_requests (subscription_id, seq desc);
-- The sender's due requests, oldest first.
create index provision_requests_due on provision_requests (next_attempt_at)
  where state = 'open' and next_attempt_at is not null;
-- Open requests: the back office's list and the stall check.
create index provision_requests_open on provision_requests (opened_at) where state = 'open';
