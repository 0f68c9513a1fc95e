import { sql } from 'kysely';
import type { OrganizationsTable, UsersTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

/** The directory the command line lists: organizations and users across tenants (operators' view). */

export async function listOrganizations(
  db: Executor,
  filter: { kind?: OrganizationsTable['kind'] },
  limit: number,
) {
  let query = db
    .selectFrom('organizations as o')
    .select([
      'o.id',
      'o.kind',
      'o.name',
      'o.country',
      'o.created_at',
      (eb) =>
        eb
          .selectFrom('users as u')
          .select(sql<number>`count(*)::int`.as('n'))
          .whereRef('u.organization_id', '=', 'o.id')
          .as('users'),
      (eb) =>
        eb
          .selectFrom('organization_domains as d')
          .select(sql<string>`coalesce(string_agg(d.domain, ',' order by d.domain), '')`.as('domains'))
          .whereRef('d.organization_id', '=', 'o.id')
          .as('domains'),
    ])
    .orderBy('o.kind')
    .orderBy('o.name')
    .orderBy('o.id')
    .limit(limit);
  if (filter.kind) query = query.where('o.kind', '=', filter.kind);
  return query.execute();
}

export async function listUsers(
  db: Executor,
  filter: { organizationId?: string; role?: UsersTable['role'] },
  limit: number,
) {
  let query = db
    .selectFrom('users as u')
    .innerJoin('organizations as o', 'o.id', 'u.organization_id')
    .select([
      'u.id',
      'u.email',
      'u.role',
      'u.display_name',
      'u.locale',
      'u.last_active_at',
      'u.organization_id',
      'o.name as organization_name',
    ])
    .orderBy('o.name')
    .orderBy('u.email')
    .limit(limit);
  if (filter.organizationId) query = query.where('u.organization_id', '=', filter.organizationId);
  if (filter.role) query = query.where('u.role', '=', filter.role);
  return query.execute();
}
