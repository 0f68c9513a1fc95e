-- The admin hub runs the organization (issue 16 item 5, docs/adr/0035): its admins invite, change
-- and remove users, so users can now be deleted; and an organization that has an admin keeps one.

-- A removed user's orders stay, without the person who placed them (every other reference to a
-- user already lets go of it this way); the history (audit_events) keeps who placed each order, so
-- "placed by a user or a key" no longer holds for an order whose user was removed.
alter table orders drop constraint orders_placed_by_user_id_fkey;
alter table orders add constraint orders_placed_by_user_id_fkey
  foreign key (placed_by_user_id) references users (id) on delete set null;
alter table orders drop constraint orders_placed_by_someone;

-- Who asked for full admin, to be told when it is granted (null: an API key asked, or nobody).
alter table managed_customers
  add column full_admin_requested_by_user_id uuid references users (id) on delete set null;

-- The last-admin rule: demoting or removing an organization's last admin is refused. The trigger
-- first locks the organization's row, so of two transactions demoting each other the second waits
-- for the first to commit, then counts again (a new snapshot per statement under read committed,
-- a serialization failure under repeatable read) and is refused: no interleaving leaves zero admins.
-- When the organization itself is being deleted its row is gone and the rule does not apply.
create function users_keep_an_admin() returns trigger
language plpgsql as $$
begin
  if old.role not in ('partner_admin', 'customer_admin') then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op = 'UPDATE' and new.role = old.role and new.organization_id = old.organization_id then
    return new;
  end if;
  perform 1 from organizations where id = old.organization_id for update;
  if not found then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if not exists (
    select 1 from users
    where organization_id = old.organization_id
      and id <> old.id
      and role in ('partner_admin', 'customer_admin')
  ) then
    raise exception 'an organization keeps at least one admin'
      using errcode = 'P0001', constraint = 'users_keep_an_admin';
  end if;
  return case when tg_op = 'DELETE' then old else new end;
end;
$$;

create trigger users_keep_an_admin
  before update of role, organization_id or delete on users
  for each row execute function users_keep_an_admin();
