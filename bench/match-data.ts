import { sql } from 'kysely';
import type { Db } from '../src/platform/db.ts';

/**
 * Organization g: kind partner (g%10=0), distributor (g%10=1), else customer; domain o<g>.com,
 * verified unless g%3=0 (claimed); every ten of each hundred also claim s<g/100>.com (shared by
 * ten); g%20=1 also claims eu.o<g-1>.com (a subdomain of its neighbour's). User u belongs to
 * organization ((u-1) mod orgs)+1 as u<u>@o<g>.com, last active up to 800 days ago (never: u%13=0).
 */
export async function generate(db: Db, orgs: number, users: number): Promise<void> {
  const uuid = (expr: string) => sql.raw(`md5('org' || ${expr})::uuid`);
  await sql`insert into organizations (id, kind, name, created_at)
    select ${uuid('g')}, case g % 10 when 0 then 'partner' when 1 then 'distributor' else 'customer' end,
           'Org ' || g, now()
    from generate_series(1, ${orgs}::int) g`.execute(db);
  await sql`insert into organization_domains (organization_id, domain, status)
    select ${uuid('g')}, 'o' || g || '.com', case when g % 3 = 0 then 'claimed' else 'verified' end
    from generate_series(1, ${orgs}::int) g
    union all
    select ${uuid('g')}, 's' || (g / 100) || '.com', 'claimed'
    from generate_series(1, ${orgs}::int) g where g % 100 < 10
    union all
    select ${uuid('g')}, 'eu.o' || (g - 1) || '.com', 'claimed'
    from generate_series(2, ${orgs}::int) g where g % 20 = 1`.execute(db);
  await withoutSecondaryIndexes(db, 'users', () =>
    sql`insert into users (organization_id, email, role, last_active_at, created_at)
    select ${uuid('o')}, 'u' || u || '@o' || o || '.com',
           case when o % 10 in (0, 1) then 'partner_user' else 'customer_user' end,
           case when u % 13 = 0 then null else now() - ((u::bigint * 7919) % 800) * interval '1 day' end, now()
    from (select u, ((u - 1) % ${orgs}::int) + 1 as o from generate_series(1, ${users}::int) u) x`.execute(
      db,
    ),
  );
  // Sets the visibility map (index-only scans without heap fetches) so autovacuum does not start mid-run.
  await sql`vacuum analyze`.execute(db);
}

/**
 * Runs a bulk insert with the table's secondary indexes dropped, then builds them again from their
 * own definitions (read from the catalog, so they stay the migrations'): one sorted build each is
 * several times faster than millions of random inserts into them.
 */
async function withoutSecondaryIndexes(db: Db, table: string, load: () => Promise<unknown>): Promise<void> {
  const { rows: constraints } = await sql<{ name: string; def: string }>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = ${table}::regclass and contype = 'u'`.execute(db);
  const { rows: indexes } = await sql<{ name: string; def: string }>`
    select i.relname as name, pg_get_indexdef(i.oid) as def
    from pg_index x join pg_class i on i.oid = x.indexrelid
    where x.indrelid = ${table}::regclass and not x.indisprimary
      and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`.execute(db);
  for (const c of constraints)
    await sql`alter table ${sql.table(table)} drop constraint ${sql.ref(c.name)}`.execute(db);
  for (const i of indexes) await sql`drop index ${sql.ref(i.name)}`.execute(db);
  await load();
  for (const c of constraints)
    await sql`alter table ${sql.table(table)} add constraint ${sql.ref(c.name)} ${sql.raw(c.def)}`.execute(
      db,
    );
  for (const i of indexes) await sql.raw(i.def).execute(db);
}
