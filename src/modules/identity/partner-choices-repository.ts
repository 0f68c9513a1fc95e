import type { Executor } from '../../platform/db.ts';

/** Partners and distributors by name (on `organizations_partners_by_name`), at most `limit`. */
export async function findPartnerOrganizations(db: Executor, limit: number) {
  return db
    .selectFrom('organizations')
    .select(['id', 'name', 'kind'])
    .where('kind', 'in', ['partner', 'distributor'])
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .execute();
}
