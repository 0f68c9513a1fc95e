-- The setup wizard and the admin hub: mapping a subscription to a partner and a customer
-- organization (the Point of No Return), partners managing customers, service setup (meeting sites,
-- calling locations, the enterprise subdomain), Provision, and one-time invitation links.

-- A provisioned line: the subscription is active and billing has started.
insert into line_statuses (code) values ('provisioned');

-- History written by someone who arrived through a setup link (the token is the key, no account).
alter table audit_events drop constraint audit_events_actor_type_check;
alter table audit_events add constraint audit_events_actor_type_check
  check (actor_type in ('user', 'api_key', 'system', 'setup_link'));

-- Matching by domain: an address's registrable domain finds organizations whose domains are it or
-- one of its subdomains, through the reversed name ('moc.emca.%' finds 'mail.acme.com').
create index organization_domains_by_reversed on organization_domains (reverse(domain) text_pattern_ops);
-- Candidate statistics (active users, last activity) per organization without reading its rows.
create index users_by_organization_activity on users (organization_id, last_active_at desc nulls last);

-- Who created an organization through the wizard, and when its admin finished it (W4).
alter table organizations add column created_by_subscription_id text;

-- A partner organization that manages a customer organization. A partner that created the customer
-- is its full admin; one provisioning an existing customer is its provisioning admin until the
-- customer admin grants full admin (W6). No row: the partner has no access (the customer sets up).
create table managed_customers (
  partner_org_id uuid not null references organizations (id) on delete cascade,
  customer_org_id uuid not null references organizations (id) on delete cascade,
  access text not null check (access in ('full_admin', 'provisioning_admin')),
  full_admin_requested_at timestamptz,
  granted_at timestamptz not null,
  primary key (partner_org_id, customer_org_id),
  check (partner_org_id <> customer_org_id)
);
create index managed_customers_by_customer on managed_customers (customer_org_id);

-- Who maps and who sets up. setup_assignee: 'partner' (the partner sets up, the customer admin may
-- too), 'customer' (the customer admin was asked to set up; the partner keeps access only if it
-- manages the customer).
alter table subscriptions
  add column mapped_by_user_id uuid references users (id) on delete set null,
  add column setup_assignee text check (setup_assignee in ('partner', 'customer')),
  add column provisioned_by_user_id uuid references users (id) on delete set null;
-- Subscriptions mapped before the wizard existed (by Provisio itself) were set up by the partner.
update subscriptions set setup_assignee = 'partner' where mapped_at is not null;
alter table subscriptions
  add constraint subscriptions_mapped_with_partner check (mapped_at is null or partner_org_id is not null),
  add constraint subscriptions_mapped_with_assignee check ((mapped_at is null) = (setup_assignee is null)),
  add constraint subscriptions_provisioned_with_billing check (provisioned_at is null or billing_started_at is not null);
create index subscriptions_by_customer on subscriptions (customer_org_id) where customer_org_id is not null;
create index subscriptions_by_partner on subscriptions (partner_org_id) where partner_org_id is not null;

-- Meeting sites (S2): the site URL name is a DNS label, unique across every organization. A saved
-- site is reserved until reserved_until; Provision makes it permanent (reserved_until null), and an
-- abandoned setup's reservations are released by a job.
create table meeting_sites (
  id uuid primary key default gen_random_uuid(),
  subscription_id text not null references subscriptions (id) on delete cascade,
  organization_id uuid not null references organizations (id) on delete cascade,
  name text not null check (name ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  time_zone text not null check (length(time_zone) between 1 and 64),
  early_release boolean not null default false,
  licenses integer not null check (licenses between 1 and 1000000),
  position integer not null check (position >= 1),
  reserved_until timestamptz,
  created_at timestamptz not null,
  constraint meeting_sites_name_unique unique (name),
  constraint meeting_sites_position_unique unique (subscription_id, position)
);
create index meeting_sites_reservations on meeting_sites (reserved_until) where reserved_until is not null;

-- Calling locations (S3): the main one is set up in the wizard, more are added later.
create table calling_locations (
  id uuid primary key default gen_random_uuid(),
  subscription_id text not null references subscriptions (id) on delete cascade,
  organization_id uuid not null references organizations (id) on delete cascade,
  name text not null check (length(btrim(name)) between 1 and 80),
  country text not null check (country ~ '^[A-Z]{2}$'),
  address_line1 text not null check (length(btrim(address_line1)) between 1 and 200),
  address_line2 text check (length(address_line2) <= 200),
  city text not null check (length(btrim(city)) between 1 and 100),
  state_region text check (length(state_region) <= 100),
  postal_code text check (length(postal_code) <= 20),
  time_zone text not null check (length(time_zone) between 1 and 64),
  language text not null check (language ~ '^[a-z]{2,3}(-[A-Z]{2})?$'),
  is_main boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create unique index calling_locations_one_main_per_subscription on calling_locations (subscription_id) where is_main;
create index calling_locations_by_organization on calling_locations (organization_id);

-- The enterprise subdomain (S4): one per organization, unique across all of them. Reserved while
-- the setup is open, like a site name.
create table enterprise_subdomains (
  organization_id uuid primary key references organizations (id) on delete cascade,
  subdomain text not null check (subdomain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
  subscription_id text references subscriptions (id) on delete set null,
  reserved_until timestamptz,
  created_at timestamptz not null,
  constraint enterprise_subdomains_unique unique (subdomain)
);
create index enterprise_subdomains_reservations on enterprise_subdomains (reserved_until) where reserved_until is not null;

-- One-time links that sign a user in: a new admin sets a password (W4), a customer admin continues
-- service setup (W7). Only the SHA-256 of the token is kept.
create table user_invitations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  token_hash text not null unique,
  purpose text not null check (purpose in ('set_password', 'set_up_services')),
  subscription_id text references subscriptions (id) on delete cascade,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  check (expires_at > created_at)
);
create index user_invitations_by_user on user_invitations (user_id);
