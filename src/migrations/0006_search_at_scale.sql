-- Order search, the Cloud/SaaS Subscriptions page and the Transaction Manager over millions of
-- orders in one tenant (docs/adr/0019). A tenant sees the orders it is the partner of or placed;
-- every list reads one tenant's index in (created_at desc, id desc) order, keyset-paged, and each
-- kind of search has an index that reaches its rows without reading the rest of the tenant.
create extension if not exists pg_trgm;

-- A search finds an order by the start of its reference (so the whole reference too) on a b-tree,
-- by its whole order number on the existing unique key, and by part of its customer's name on a
-- trigram index (docs/adr/0019).
create index orders_reference_prefix on orders (lower(reference) text_pattern_ops);
create index orders_customer_trgm on orders using gin (end_customer_name gin_trgm_ops);
-- The operator's lists cross every tenant.
create index orders_by_created on orders (created_at desc, id desc);
-- A distributor's orders for its resellers; the orders a partner places for itself are found by
-- partner. The planner cannot tell from `placed_by_org_id <> partner_org_id` that placer and partner
-- are mostly the same organization: it expects a partner's own orders on the placer side too and
-- walks the wrong index. A stored flag has statistics of its own, and the index holds only those rows.
alter table orders add column placed_for_other boolean generated always as (placed_by_org_id <> partner_org_id) stored;
drop index orders_by_placer;
create index orders_by_placer on orders (placed_by_org_id, created_at desc, id desc) where placed_for_other;
-- The order's tenant and date, copied onto its lines and subscriptions: the key their copies are
-- checked against (an order's partner, placer and creation time never change).
alter table orders add constraint orders_tenant_key unique (id, partner_org_id, placed_by_org_id, created_at);

-- Lines carry their order's tenant and creation time, so that "orders with a line in this status,
-- starting in this window" and "orders with a contact like this" walk one tenant's lines newest
-- order first instead of probing every order.
alter table order_lines
  add column partner_org_id uuid,
  add column placed_by_org_id uuid,
  add column order_created_at timestamptz,
  add column placed_for_other boolean generated always as (placed_by_org_id <> partner_org_id) stored;
update order_lines l
   set partner_org_id = o.partner_org_id, placed_by_org_id = o.placed_by_org_id, order_created_at = o.created_at
  from orders o
 where o.id = l.order_id;
alter table order_lines
  alter column partner_org_id set not null,
  alter column placed_by_org_id set not null,
  alter column order_created_at set not null,
  add constraint order_lines_order_tenant foreign key (order_id, partner_org_id, placed_by_org_id, order_created_at)
    references orders (id, partner_org_id, placed_by_org_id, created_at) on delete cascade,
  add constraint order_lines_tenant_key unique (id, partner_org_id, placed_by_org_id);
create index order_lines_by_partner on order_lines (partner_org_id, order_created_at desc, order_id desc)
  include (status, requested_start_date);
create index order_lines_by_partner_status on order_lines (partner_org_id, status, order_created_at desc, order_id desc)
  include (requested_start_date);
-- The placer side, partial as for orders.
create index order_lines_by_placer on order_lines (placed_by_org_id, order_created_at desc, order_id desc)
  include (status, requested_start_date) where placed_for_other;
create index order_lines_by_placer_status on order_lines (placed_by_org_id, status, order_created_at desc, order_id desc)
  include (requested_start_date) where placed_for_other;
create index order_lines_contact_trgm on order_lines using gin (provisioning_contact_email gin_trgm_ops);
-- Whether to walk the tenant's newest rows with the text as a filter or to start from the trigram
-- index depends on how many rows the text matches. PostgreSQL estimates that by trying the pattern on
-- the column's histogram: with the default 100 entries a text on 2.5% of the rows can match none of
-- them and be taken for a rare one (then 150,000 rows are fetched and sorted to show 25).
alter table order_lines alter column provisioning_contact_email set statistics 1000;
alter table orders alter column end_customer_name set statistics 1000;

-- Subscriptions carry their order's tenant (subscriptions.partner_org_id is the organization the
-- subscription is mapped to, which may differ), for the pending list of the Subscriptions page.
alter table subscriptions
  add column order_partner_org_id uuid,
  add column order_placed_by_org_id uuid,
  add column placed_for_other boolean generated always as (order_placed_by_org_id <> order_partner_org_id) stored;
update subscriptions s
   set order_partner_org_id = l.partner_org_id, order_placed_by_org_id = l.placed_by_org_id
  from order_lines l
 where l.id = s.line_id;
alter table subscriptions
  alter column order_partner_org_id set not null,
  alter column order_placed_by_org_id set not null,
  add constraint subscriptions_line_tenant foreign key (line_id, order_partner_org_id, order_placed_by_org_id)
    references order_lines (id, partner_org_id, placed_by_org_id) on delete cascade;
create index subscriptions_pending_by_partner on subscriptions (order_partner_org_id, created_at desc, id desc)
  where mapped_at is null;
create index subscriptions_pending_by_placer on subscriptions (order_placed_by_org_id, created_at desc, id desc)
  where mapped_at is null and placed_for_other;
create index subscriptions_pending_by_created on subscriptions (created_at desc, id desc) where mapped_at is null;

-- The Transaction Manager: the placer side as for orders, and the status filter (failed and
-- submitted are rare).
alter table provisioning_transactions
  add column placed_for_other boolean generated always as (placed_by_org_id <> partner_org_id) stored;
drop index provisioning_transactions_by_placer;
create index provisioning_transactions_by_placer on provisioning_transactions (placed_by_org_id, created_at desc, id desc)
  where placed_for_other;
create index provisioning_transactions_by_partner_status
  on provisioning_transactions (partner_org_id, status, created_at desc, id desc);
create index provisioning_transactions_by_placer_status
  on provisioning_transactions (placed_by_org_id, status, created_at desc, id desc)
  where placed_for_other;
create index provisioning_transactions_by_created on provisioning_transactions (created_at desc, id desc);
