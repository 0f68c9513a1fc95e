-- The event feed in commit order (docs/adr/0030). `seq` is taken when a row is inserted, not when its
-- transaction commits: a reader that paged on seq could pass seq 6 while seq 5's transaction was still
-- open, and never see 5. Each event keeps the id of the transaction that wrote it (xid8: 64 bits, no
-- wraparound). Every transaction whose id is below the reader's snapshot xmin has ended, so the feed
-- hands out only those, in (xid, seq) order, and stops at the first writer still in flight.
alter table events add column xid xid8 not null default pg_current_xact_id();

create index events_feed on events (xid, seq);
create index events_feed_by_partner on events (partner_org_id, xid, seq) where partner_org_id is not null;
-- A distributor's events for its resellers' orders; the orders it placed for itself are in the index above.
create index events_feed_by_placer on events (placed_by_org_id, xid, seq) where placed_by_org_id <> partner_org_id;

-- Which lines each provisioning email carried, while its outcome is not known: the relay's result
-- handler turns the rows into one event per line (line.provisioning_email_sent / _failed) and deletes
-- them. Not referencing the outbox: the mail platform knows nothing of lines.
create table provisioning_email_lines (
  email_id uuid not null,
  line_id uuid not null references order_lines (id) on delete cascade,
  message_kind text not null check (message_kind in ('start', 'resend', 'contact_changed')),
  primary key (email_id, line_id)
);
create index provisioning_email_lines_by_line on provisioning_email_lines (line_id);
