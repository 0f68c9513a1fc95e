import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../src/platform/db.ts';

/**
 * The search benchmark's data, written with plain SQL (generate_series) in one pass per table.
 *
 * Order g (1..total) belongs to the big tenant when g % 5 < 2 (so `tenant` orders need total =
 * tenant * 5 / 2), else to one of `others` partners. Orders are 19 s apart, newest last; the newest
 * 0.5% have lines still scheduled, the next 1.5% await provisioning, one in ten of the rest was
 * closed by the policy window (half of those still unmapped), the rest are provisioned. Every tenth
 * order has three lines, the others one. Customer names are two words from two lists and a number;
 * contacts are given.family@<customer's two words>.example, 40 given and 40 family names. A quarter of the big tenant's orders (g % 10 = 1)
 * has a transaction on its first line (resend or contact change), 1% of them failed and 1% still
 * submitted.
 */
export interface SearchData {
  tenantOrgId: string;
  apiKeyId: string;
  total: number;
  others: number;
}

export const FIRST_WORDS = [
  'Acme',
  'Northwind',
  'Contoso',
  'Fabrikam',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Vandelay',
  'Stark',
  'Wayne',
  'Wonka',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Aperture',
  'Gringotts',
  'Oscorp',
  'Monarch',
  'Dunder',
  'Prestige',
  'Sirius',
  'Pied',
  'Massive',
  'Dynamic',
  'Lumen',
  'Orbit',
  'Zephyr',
  'Quartz',
  'Helix',
  'Borealis',
  'Cobalt',
  'Ember',
  'Falcon',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
  'Kestrel',
  'Lynx',
  'Meridian',
  'Nimbus',
  'Onyx',
  'Pioneer',
  'Quasar',
  'Raven',
  'Summit',
  'Tundra',
  'Vertex',
  'Willow',
];
export const SECOND_WORDS = [
  'Industries',
  'Systems',
  'Labs',
  'Holdings',
  'Logistics',
  'Foods',
  'Energy',
  'Health',
  'Capital',
  'Media',
  'Robotics',
  'Textiles',
  'Mining',
  'Studios',
  'Partners',
  'Foundry',
  'Pharma',
  'Retail',
  'Airlines',
  'Motors',
  'Networks',
  'Software',
  'Consulting',
  'Marine',
  'Biotech',
  'Chemicals',
  'Outfitters',
  'Bakery',
  'Optics',
  'Works',
  'Farms',
  'Brewing',
  'Insurance',
  'Dental',
  'Legal',
  'Cargo',
  'Solar',
  'Security',
  'Hotels',
  'Telecom',
];

export const GIVEN_NAMES = [
  'Ana',
  'Marco',
  'Olena',
  'Ivan',
  'Giulia',
  'Pedro',
  'Maria',
  'Taras',
  'Lucia',
  'Sergei',
  'Chiara',
  'Joao',
  'Irina',
  'Paolo',
  'Beatriz',
  'Dmytro',
  'Elena',
  'Rafael',
  'Sofia',
  'Andrii',
  'Laura',
  'Tiago',
  'Natalia',
  'Luca',
  'Camila',
  'Oksana',
  'Matteo',
  'Fernanda',
  'Pavel',
  'Sara',
  'Bruno',
  'Yulia',
  'Davide',
  'Larissa',
  'Mykola',
  'Anna',
  'Gabriel',
  'Daria',
  'Simone',
  'Vitoria',
];
export const FAMILY_NAMES = [
  'Rossi',
  'Silva',
  'Ivanova',
  'Kovalenko',
  'Bianchi',
  'Santos',
  'Petrov',
  'Shevchenko',
  'Romano',
  'Oliveira',
  'Smirnova',
  'Bondarenko',
  'Colombo',
  'Souza',
  'Kuznetsov',
  'Tkachenko',
  'Ricci',
  'Pereira',
  'Popova',
  'Melnyk',
  'Marino',
  'Costa',
  'Sokolov',
  'Kravchenko',
  'Greco',
  'Rodrigues',
  'Lebedeva',
  'Boyko',
  'Bruno',
  'Almeida',
  'Novikov',
  'Oliynyk',
  'Gallo',
  'Lima',
  'Morozova',
  'Lysenko',
  'Conti',
  'Carvalho',
  'Volkov',
  'Rudenko',
];

const arrayText = (words: string[]) => `array[${words.map((w) => `'${w}'`).join(',')}]`;
const literalArray = (words: string[]) => sql.raw(arrayText(words));

export async function generateSearchData(db: Db, data: SearchData): Promise<void> {
  const { total } = data;
  const tenant = sql`${data.tenantOrgId}::uuid`;
  const other = (g: string) => sql.raw(`md5('partner' || (${g} % ${data.others}))::uuid`);
  const owner = (g: string): RawBuilder<unknown> =>
    sql`case when ${sql.raw(g)} % 5 < 2 then ${tenant} else ${other(g)} end`;
  const created = (g: string) => sql.raw(`(now() - (${total} - ${g}) * interval '19 seconds')`);
  // Age from 0 (newest) to 1 (oldest) decides a line's status.
  const status = (g: string) =>
    sql.raw(`case when (${total} - ${g}) < ${total} * 0.005 then 'scheduled'
      when (${total} - ${g}) < ${total} * 0.02 then 'awaiting_provisioning_details'
      when ${g} % 10 = 3 then 'closed' else 'provisioned' end`);
  // A contact at the order's customer: given.family@firstword-secondword.example.
  const contact = (g: string, n: string) =>
    sql.raw(`lower((${arrayText(GIVEN_NAMES)})[1 + (${g} + ${n}) % 40] || '.' || (${arrayText(FAMILY_NAMES)})[1 + (${g} / 40 + ${n}) % 40]
      || '@' || (${arrayText(FIRST_WORDS)})[1 + (${g} / 7) % 50] || '-' || (${arrayText(SECOND_WORDS)})[1 + (${g} / 350) % 40]
      || '.example')`);
  const unmapped = (g: string) => sql.raw(`((${total} - ${g}) < ${total} * 0.02 or ${g} % 20 = 3)`);

  await sql`insert into organizations (id, kind, name, created_at)
    select md5('partner' || p)::uuid, 'partner', 'Other Partner ' || p, now()
    from generate_series(0, ${data.others - 1}::int) p`.execute(db);

  await bulkLoad(db, ['orders', 'order_lines', 'subscriptions', 'provisioning_transactions'], async () => {
    await sql`insert into orders (id, order_number, reference, partner_org_id, placed_by_org_id, placed_by_api_key_id,
                                  end_customer_name, end_customer_country, locale, created_at)
      select md5('order' || g)::uuid, 'PRV-' || (1000000 + g), 'PO-' || g, ${owner('g')}, ${owner('g')},
             ${data.apiKeyId}::uuid,
             (${literalArray(FIRST_WORDS)})[1 + (g / 7) % 50] || ' ' || (${literalArray(SECOND_WORDS)})[1 + (g / 350) % 40]
               || ' ' || (g % 997),
             'IT', 'en', ${created('g')}
      from generate_series(1, ${total}::int) g`.execute(db);
    await sql`insert into order_lines (id, order_id, line_number, offer_code, quantity, requested_start_date,
                                       provisioning_contact_email, status, status_changed_at, created_at,
                                       partner_org_id, placed_by_org_id, order_created_at)
      select md5('line' || g || '-' || n)::uuid, md5('order' || g)::uuid, n, 'A-WX', 1,
             ${created('g')}::date + (g % 20) + n, ${contact('g', 'n')},
             ${status('g')}, ${created('g')}, ${created('g')}, ${owner('g')}, ${owner('g')}, ${created('g')}
      from generate_series(1, ${total}::int) g
      cross join lateral generate_series(1, case when g % 10 = 0 then 3 else 1 end) n`.execute(db);
    // The stage and billing facts each line's status implies, as advance would have left them (the
    // stage constraints check it): millions of rows cannot go through advance one set at a time here.
    await sql`insert into subscriptions (id, line_id, created_at, order_partner_org_id, order_placed_by_org_id,
                                         partner_org_id, customer_org_id, mapped_at, setup_assignee,
                                         stage, stage_changed_at, provisioned_at, billing_started_at, billing_start_reason)
      select 'SUB-' || (10000000 + g * 3 + n), md5('line' || g || '-' || n)::uuid, ${created('g')},
             ${owner('g')}, ${owner('g')},
             case when ${unmapped('g')} then null else ${owner('g')} end,
             case when ${unmapped('g')} then null else md5('customer' || g)::uuid end,
             case when ${unmapped('g')} then null else ${created('g')} + interval '5 days' end,
             case when ${unmapped('g')} then null else 'partner' end,
             case ${status('g')} when 'provisioned' then 'active'
               else case when not ${unmapped('g')} then 'mapped'
                         when ${status('g')} = 'closed' then 'closed'
                         when ${status('g')} = 'awaiting_provisioning_details' then 'awaiting_details'
                         else 'scheduled' end end,
             ${created('g')},
             case when ${status('g')} = 'provisioned' then ${created('g')} + interval '6 days' end,
             case ${status('g')} when 'provisioned' then ${created('g')} + interval '6 days'
                                 when 'closed' then ${created('g')} + interval '31 days' end,
             case ${status('g')} when 'provisioned' then 'provisioned' when 'closed' then 'policy' end
      from generate_series(1, ${total}::int) g
      cross join lateral generate_series(1, case when g % 10 = 0 then 3 else 1 end) n`.execute(db);
    await sql`insert into provisioning_transactions (type, line_id, subscription_id, order_id, partner_org_id,
                placed_by_org_id, old_email, new_email, actor_type, status, created_at, completed_at)
      select case when g % 20 < 10 then 'provisioning_email_resend' else 'provisioning_email_update' end,
             md5('line' || g || '-1')::uuid, 'SUB-' || (10000000 + g * 3 + 1), md5('order' || g)::uuid,
             ${tenant}, ${tenant}, 'it@c' || (g % 50000) || '.example', 'new' || g || '@c' || (g % 50000) || '.example',
             'system', case when g % 1000 = 11 then 'failed' when g % 1000 = 21 then 'submitted' else 'sent' end,
             ${created('g')} + interval '1 day', ${created('g')} + interval '1 day'
      from generate_series(1, ${total}::int) g
      where g % 5 < 2 and g % 10 = 1`.execute(db);
  });
  await sql`select setval('order_number_seq', ${1_000_000 + total + 1})`.execute(db);
  await sql`select setval('subscription_number_seq', ${10_000_000 + total * 3 + 10})`.execute(db);
  // Sets the visibility map (index-only scans without heap fetches) so autovacuum does not start mid-run.
  await sql`vacuum analyze`.execute(db);
}

/**
 * Loads the tables with their secondary indexes, unique constraints and foreign keys set aside,
 * then builds them again from their own definitions (read from the catalog, so they stay the
 * migrations'): one sorted build each is several times faster than millions of random inserts.
 * Foreign keys come back NOT VALID: the generated rows are consistent by construction, and the
 * queries measured do not depend on a constraint being validated.
 */
async function bulkLoad(db: Db, tables: string[], load: () => Promise<unknown>): Promise<void> {
  const names = sql.join(tables.map((t) => sql`${t}::regclass`));
  const { rows: foreignKeys } = await sql<{ table: string; name: string; def: string }>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
    from pg_constraint where contype = 'f' and (conrelid in (${names}) or confrelid in (${names}))`.execute(
    db,
  );
  const { rows: uniques } = await sql<{ table: string; name: string; def: string }>`
    select conrelid::regclass::text as table, conname as name, pg_get_constraintdef(oid) as def
    from pg_constraint where contype = 'u' and conrelid in (${names})`.execute(db);
  const { rows: indexes } = await sql<{ name: string; def: string }>`
    select i.relname as name, pg_get_indexdef(i.oid) as def
    from pg_index x join pg_class i on i.oid = x.indexrelid
    where x.indrelid in (${names}) and not x.indisprimary
      and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`.execute(db);
  for (const c of foreignKeys)
    await sql`alter table ${sql.raw(c.table)} drop constraint ${sql.ref(c.name)}`.execute(db);
  for (const c of uniques)
    await sql`alter table ${sql.raw(c.table)} drop constraint ${sql.ref(c.name)}`.execute(db);
  for (const i of indexes) await sql`drop index ${sql.ref(i.name)}`.execute(db);
  await load();
  await sql`set maintenance_work_mem = '512MB'`.execute(db);
  for (const c of uniques)
    await sql`alter table ${sql.raw(c.table)} add constraint ${sql.ref(c.name)} ${sql.raw(c.def)}`.execute(
      db,
    );
  for (const i of indexes) await sql.raw(i.def).execute(db);
  for (const c of foreignKeys)
    await sql`alter table ${sql.raw(c.table)} add constraint ${sql.ref(c.name)} ${sql.raw(c.def)} not valid`.execute(
      db,
    );
}
