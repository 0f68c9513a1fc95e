-- Foundation: catalogue, organizations and access, orders with their lines and subscriptions,
-- the line lifecycle, idempotent intake and the audit trail.

-- Catalogue: synced from the catalogue file at boot (configuration, not code).
create table offers (
  code text primary key check (code ~ '^[A-Z0-9][A-Z0-9-]{0,31}$'),
  name text not null,
  policy_window_days integer not null check (policy_window_days between 1 and 365),
  active boolean not null default true,
  updated_at timestamptz not null default now()
);

create table offer_services (
  offer_code text not null references offers (code) on delete cascade,
  service_code text not null check (service_code in ('meetings', 'calling', 'messaging')),
  primary key (offer_code, service_code)
);

-- Organizations: partners and distributors order; customers receive.
create table organizations (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('partner', 'distributor', 'customer')),
  name text not null check (length(btrim(name)) between 1 and 200),
  business_vertical text,
  country text check (country ~ '^[A-Z]{2}$'),
  created_at timestamptz not null default now()
);

create table organization_domains (
  organization_id uuid not null references organizations (id) on delete cascade,
  domain text not null check (domain = lower(domain) and length(domain) <= 253),
  status text not null check (status in ('verified', 'claimed')),
  created_at timestamptz not null default now(),
  primary key (organization_id, domain)
);
-- A domain may be claimed by several organizations but verified by one only.
create unique index organization_domains_verified_once on organization_domains (domain) where status = 'verified';
create index organization_domains_by_domain on organization_domains (domain);

-- A distributor sells through resellers (partner organizations).
create table distributor_resellers (
  distributor_id uuid not null references organizations (id) on delete cascade,
  reseller_id uuid not null references organizations (id) on delete cascade,
  primary key (distributor_id, reseller_id),
  check (distributor_id <> reseller_id)
);

-- A user belongs to exactly one organization: the email is unique across all of them.
create table users (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  email text not null check (email = lower(email) and length(email) <= 254),
  display_name text,
  role text not null check (role in ('partner_admin', 'partner_user', 'customer_admin', 'customer_user')),
  locale text not null default 'en' check (locale in ('en', 'it', 'pt-BR', 'ru', 'uk')),
  password_hash text,
  last_active_at timestamptz,
  created_at timestamptz not null default now(),
  constraint users_email_unique unique (email)
);
create index users_by_organization on users (organization_id);

create table sessions (
  token_hash text primary key,
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null
);
create index sessions_by_user on sessions (user_id);

create table api_keys (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references organizations (id) on delete cascade,
  name text not null,
  key_prefix text not null,
  key_hash text not null unique,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz
);

-- Orders: placed by a partner or distributor, owned by the partner that sells to the end customer.
create sequence order_number_seq start 100001;

create table orders (
  id uuid primary key default gen_random_uuid(),
  order_number text not null unique default ('PRV-' || nextval('order_number_seq')::text),
  reference text not null check (length(btrim(reference)) between 1 and 64),
  partner_org_id uuid not null references organizations (id),
  placed_by_org_id uuid not null references organizations (id),
  placed_by_user_id uuid references users (id),
  placed_by_api_key_id uuid references api_keys (id),
  end_customer_name text not null check (length(btrim(end_customer_name)) between 1 and 200),
  end_customer_country text check (end_customer_country ~ '^[A-Z]{2}$'),
  locale text not null default 'en' check (locale in ('en', 'it', 'pt-BR', 'ru', 'uk')),
  created_at timestamptz not null,
  constraint orders_reference_unique_per_placer unique (placed_by_org_id, reference),
  constraint orders_placed_by_someone check (placed_by_user_id is not null or placed_by_api_key_id is not null)
);
create index orders_by_partner on orders (partner_org_id, created_at desc, id desc);
create index orders_by_placer on orders (placed_by_org_id, created_at desc, id desc);

-- The line lifecycle's states. The application's transition table is checked against this at boot.
create table line_statuses (
  code text primary key
);
insert into line_statuses (code) values ('scheduled'), ('awaiting_provisioning_details');

create table order_lines (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references orders (id) on delete cascade,
  line_number integer not null check (line_number >= 1),
  offer_code text not null references offers (code),
  quantity integer not null check (quantity between 1 and 1000000),
  requested_start_date date not null,
  provisioning_contact_email text not null check (length(provisioning_contact_email) <= 254),
  status text not null references line_statuses (code),
  status_changed_at timestamptz not null,
  created_at timestamptz not null,
  constraint order_lines_number_unique unique (order_id, line_number)
);
create index order_lines_by_order on order_lines (order_id);
create index order_lines_by_start_date on order_lines (requested_start_date, status);

create table order_line_services (
  line_id uuid not null references order_lines (id) on delete cascade,
  service_code text not null,
  quantity integer not null check (quantity >= 1),
  primary key (line_id, service_code)
);

-- One subscription per line. Mapping it to organizations is the Point of No Return.
create sequence subscription_number_seq start 10000001;

create table subscriptions (
  id text primary key default ('SUB-' || nextval('subscription_number_seq')::text),
  line_id uuid not null unique references order_lines (id) on delete cascade,
  partner_org_id uuid references organizations (id),
  customer_org_id uuid references organizations (id),
  mapped_at timestamptz,
  provisioned_at timestamptz,
  billing_started_at timestamptz,
  created_at timestamptz not null,
  check (mapped_at is null or customer_org_id is not null),
  check (provisioned_at is null or mapped_at is not null)
);

-- Idempotent intake: one row per (organization, key), written in the same transaction as the order
-- it names. A retry with the same request is answered from that order.
create table idempotency_keys (
  organization_id uuid not null references organizations (id) on delete cascade,
  key text not null check (length(key) between 1 and 255),
  operation text not null,
  request_hash text not null,
  resource_id uuid not null,
  created_at timestamptz not null,
  primary key (organization_id, key)
);

-- Append-only history of who changed what, when.
create table audit_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null,
  actor_type text not null check (actor_type in ('user', 'api_key', 'system')),
  actor_id text,
  organization_id uuid references organizations (id) on delete set null,
  entity_type text not null,
  entity_id text not null,
  action text not null,
  payload jsonb not null default '{}'::jsonb,
  request_id text
);
create index audit_events_by_entity on audit_events (entity_type, entity_id, occurred_at);
