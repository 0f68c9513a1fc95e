-- One owner of the subscription's life (docs/adr/0029): the stage is a column with a check
-- constraint, written only by the subscriptions module's `advance`. Billing start stays an
-- orthogonal fact (billing_started_at + billing_start_reason).
create table subscription_stages (code text primary key);
insert into subscription_stages (code) values
  ('scheduled'), ('awaiting_details'), ('mapped'), ('provisioning'), ('active'),
  ('closed'), ('provisioning_failed'), ('needs_info');

alter table subscriptions
  add column stage text not null default 'scheduled' references subscription_stages (code),
  add column stage_changed_at timestamptz,
  -- The vendor's own id for the customer's tenant, once its service has provisioned it.
  add column external_tenant_id text check (length(external_tenant_id) between 1 and 200);

update subscriptions s
   set stage = case
         when s.provisioned_at is not null then 'active'
         when s.mapped_at is not null then 'mapped'
         when l.status = 'closed' then 'closed'
         when l.status = 'awaiting_provisioning_details' then 'awaiting_details'
         else 'scheduled'
       end,
       stage_changed_at = coalesce(s.provisioned_at, s.mapped_at, l.status_changed_at)
  from order_lines l
 where l.id = s.line_id;

-- What each stage implies of the facts beside it: a state production cannot reach cannot be written.
alter table subscriptions
  add constraint subscriptions_stage_mapped
    check ((stage in ('scheduled', 'awaiting_details', 'closed')) = (mapped_at is null)),
  add constraint subscriptions_stage_active
    check ((stage = 'active') = (provisioned_at is not null)),
  add constraint subscriptions_stage_closed_billed
    check (stage <> 'closed' or billing_started_at is not null);

-- Outgoing events (docs/adr/0030): written by the change that causes them, in its transaction;
-- relays deliver them (webhooks) and the feed serves them. `partner_org_id`/`placed_by_org_id`
-- say which tenants may see an event (both null: only the vendor's operators).
create table events (
  id uuid primary key,
  seq bigint generated always as identity unique,
  type text not null check (type ~ '^[a-z_]+\.[a-z_]+$'),
  occurred_at timestamptz not null,
  partner_org_id uuid references organizations (id) on delete cascade,
  placed_by_org_id uuid references organizations (id) on delete cascade,
  subscription_id text references subscriptions (id) on delete cascade,
  order_id uuid references orders (id) on delete cascade,
  data jsonb not null
);
create index events_by_partner on events (partner_org_id, seq) where partner_org_id is not null;
create index events_by_placer on events (placed_by_org_id, seq) where placed_by_org_id is not null;
create index events_by_time on events (occurred_at);
