-- The provisioning email lifecycle: start-date emails and their links, resends and contact changes
-- (the transaction history), the policy window and escalation timers, the mail outbox, support
-- cases and the vendor's back office.

-- The vendor runs Provisio: its operators read every order, follow escalations and answer cases.
alter table organizations drop constraint organizations_kind_check;
alter table organizations add constraint organizations_kind_check
  check (kind in ('partner', 'distributor', 'customer', 'vendor'));
-- Start dates are calendar dates in the partner's zone (an IANA name, as the partner gave it).
alter table organizations add column time_zone text not null default 'UTC'
  check (length(time_zone) between 1 and 64);
-- The vendor's account representative for this partner: told when provisioning stalls.
alter table organizations add column account_rep_email text
  check (account_rep_email is null or (account_rep_email = lower(account_rep_email) and length(account_rep_email) <= 254));

-- partner_viewer: sees the organization's orders, may not resend or change contacts.
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check
  check (role in ('partner_admin', 'partner_user', 'partner_viewer', 'customer_admin', 'customer_user', 'operator'));

-- A line whose policy window ran out: billing started, provisioning may still be pending.
insert into line_statuses (code) values ('closed');

alter table order_lines
  -- Bumped on every change to the line: its ETag, for If-Match on contact changes.
  add column version integer not null default 1 check (version >= 1),
  -- When the provisioning email first went out: the policy window counts from here.
  add column first_email_sent_at timestamptz,
  -- When someone first opened a setup link: provisioning has started, no escalation.
  add column link_opened_at timestamptz,
  -- When the account representative was told (once per line).
  add column escalated_at timestamptz;
-- The timers find their lines by these.
create index order_lines_awaiting_policy on order_lines (first_email_sent_at)
  where status = 'awaiting_provisioning_details';
create index order_lines_escalation_due on order_lines (requested_start_date)
  where link_opened_at is null and escalated_at is null and status <> 'scheduled';
create index order_lines_by_contact on order_lines (provisioning_contact_email);

-- Billing starts once per subscription, for one reason: the policy window or the Provision button.
alter table subscriptions add column billing_start_reason text
  check (billing_start_reason in ('policy', 'provisioned'));
alter table subscriptions add constraint subscriptions_billing_reason_with_start
  check ((billing_started_at is null) = (billing_start_reason is null));

-- Setup links: only a SHA-256 of the token is kept. One live link per line.
create table provisioning_links (
  id uuid primary key default gen_random_uuid(),
  line_id uuid not null references order_lines (id) on delete cascade,
  token_hash text not null unique,
  sent_to text not null check (length(sent_to) <= 254),
  created_at timestamptz not null,
  opened_at timestamptz,
  ended_at timestamptz,
  ended_reason text check (ended_reason in ('resent', 'contact_changed', 'mapped')),
  check ((ended_at is null) = (ended_reason is null))
);
create unique index provisioning_links_one_live_per_line on provisioning_links (line_id) where ended_at is null;

-- The Transaction Manager: every resend and contact change, with how it ended.
create table provisioning_transactions (
  id uuid primary key default gen_random_uuid(),
  type text not null check (type in ('provisioning_email_update', 'provisioning_email_resend')),
  line_id uuid not null references order_lines (id) on delete cascade,
  subscription_id text not null references subscriptions (id) on delete cascade,
  order_id uuid not null references orders (id) on delete cascade,
  partner_org_id uuid not null references organizations (id),
  placed_by_org_id uuid not null references organizations (id),
  old_email text check (length(old_email) <= 254),
  new_email text not null check (length(new_email) <= 254),
  actor_type text not null check (actor_type in ('user', 'api_key', 'system', 'link')),
  actor_id text,
  actor_label text,
  -- completed: a contact change before the first email, so nothing had to be sent.
  status text not null check (status in ('submitted', 'sent', 'failed', 'completed')),
  failure_reason text check (length(failure_reason) <= 1000),
  created_at timestamptz not null,
  completed_at timestamptz
);
create index provisioning_transactions_by_partner on provisioning_transactions (partner_org_id, created_at desc, id desc);
create index provisioning_transactions_by_placer on provisioning_transactions (placed_by_org_id, created_at desc, id desc);
create index provisioning_transactions_by_subscription on provisioning_transactions (subscription_id, created_at desc);
-- The resend limit counts a line's recent resends.
create index provisioning_transactions_by_line on provisioning_transactions (line_id, type, created_at);

-- The mail outbox: written in the transaction that causes the email, sent later by the relay. Its
-- Message-ID is <id@sender's domain>, the same on every attempt, so a duplicate is recognisable.
create table outbox_emails (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (length(kind) between 1 and 64),
  -- What the email is about (e.g. a transaction id), handed to the kind's result handler.
  subject_ref text check (length(subject_ref) <= 255),
  to_address text not null check (length(to_address) <= 254),
  locale text not null check (locale in ('en', 'it', 'pt-BR', 'ru', 'uk')),
  subject text not null check (length(subject) <= 998),
  html text not null,
  text_body text not null,
  status text not null default 'pending' check (status in ('pending', 'sent', 'failed')),
  attempts integer not null default 0 check (attempts >= 0),
  -- A relay holds a claimed message until then; a crashed relay's claim simply runs out.
  claimed_until timestamptz,
  not_before timestamptz not null,
  last_error text check (length(last_error) <= 1000),
  created_at timestamptz not null,
  sent_at timestamptz
);
create index outbox_emails_pending on outbox_emails (not_before) where status = 'pending';
create index outbox_emails_by_ref on outbox_emails (subject_ref) where subject_ref is not null;

-- Without SMTP_URL (development, demo), sent mail lands here and shows at /dev/mailbox.
create table dev_mailbox (
  id bigint generated always as identity primary key,
  message_id text not null,
  to_address text not null,
  subject text not null,
  mime text not null,
  received_at timestamptz not null
);

-- Support cases opened by partners, answered by the vendor's operators.
create sequence support_case_number_seq start 700001;
create table support_cases (
  id uuid primary key default gen_random_uuid(),
  case_number text not null unique default ('CASE-' || nextval('support_case_number_seq')::text),
  organization_id uuid not null references organizations (id) on delete cascade,
  opened_by_user_id uuid references users (id) on delete set null,
  opened_by_api_key_id uuid references api_keys (id) on delete set null,
  request_type text not null
    check (request_type in ('resend_provisioning_email', 'change_provisioning_contact_email', 'other')),
  subscription_id text references subscriptions (id) on delete set null,
  description text not null check (length(btrim(description)) between 1 and 5000),
  status text not null default 'open' check (status in ('open', 'answered', 'closed')),
  locale text not null default 'en' check (locale in ('en', 'it', 'pt-BR', 'ru', 'uk')),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  closed_at timestamptz,
  check ((status = 'closed') = (closed_at is not null))
);
create index support_cases_by_org on support_cases (organization_id, created_at desc);
create index support_cases_queue on support_cases (status, created_at);

create table support_case_attachments (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references support_cases (id) on delete cascade,
  file_name text not null check (length(file_name) between 1 and 255),
  content_type text not null check (content_type in ('image/png', 'image/jpeg')),
  size_bytes integer not null check (size_bytes between 1 and 5242880),
  content bytea not null,
  created_at timestamptz not null,
  check (octet_length(content) = size_bytes)
);
create index support_case_attachments_by_case on support_case_attachments (case_id);

create table support_case_messages (
  id uuid primary key default gen_random_uuid(),
  case_id uuid not null references support_cases (id) on delete cascade,
  author_user_id uuid references users (id) on delete set null,
  author_kind text not null check (author_kind in ('partner', 'operator')),
  body text not null check (length(btrim(body)) between 1 and 5000),
  created_at timestamptz not null
);
create index support_case_messages_by_case on support_case_messages (case_id, created_at);
