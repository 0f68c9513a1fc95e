-- The operator's day (docs/adr/0036): an escalated line marked "contacted" with a note, and the back
-- office's lists filtered by partner, status and age, each filter reaching its rows on an index.

-- Who reached the partner about an escalated line, when, and what was said. A line is escalated once
-- (escalated_at is set once and never cleared), so the line is the key: the first operator to mark it
-- wins and a second mark is refused, however many arrive at once.
create table escalation_contacts (
  line_id uuid primary key references order_lines (id) on delete cascade,
  contacted_by_user_id uuid references users (id) on delete set null,
  contacted_at timestamptz not null,
  note text not null check (length(btrim(note)) between 1 and 1000)
);

-- Escalated lines, oldest escalation first: every partner's, or one partner's.
create index order_lines_escalated on order_lines (escalated_at, id) where escalated_at is not null;
create index order_lines_escalated_by_partner on order_lines (partner_org_id, escalated_at, id)
  where escalated_at is not null;

-- Every partner's orders with a line in one status, newest first (one partner's have their index).
create index order_lines_by_status on order_lines (status, order_created_at desc, order_id desc);

-- The support queue, oldest first and keyset-paged on (created_at, id): by status, and by partner
-- and status. The first supersedes the queue index of migration 0004.
create index support_cases_by_status on support_cases (status, created_at, id);
drop index support_cases_queue;
create index support_cases_by_org_status on support_cases (organization_id, status, created_at, id);

-- The partner filter's choices: partners and distributors by name, without reading customers.
create index organizations_partners_by_name on organizations (name, id) where kind in ('partner', 'distributor');
