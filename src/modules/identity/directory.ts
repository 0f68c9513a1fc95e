import type { OrganizationsTable, UsersTable } from '../../db-types.ts';
import type { Ctx } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import * as repo from './directory-repository.ts';
import { findOrganization } from './repository.ts';

/**
 * Organizations and users across every tenant, for `provisio org list` and `user list`: the command
 * line runs as the system, and nobody else may read this directory.
 */

export type DirectoryOrganization = Awaited<ReturnType<typeof repo.listOrganizations>>[number];
export type DirectoryUser = Awaited<ReturnType<typeof repo.listUsers>>[number];

export function listOrganizations(
  ctx: Ctx,
  filter: { kind?: OrganizationsTable['kind'] },
  limit: number,
): Promise<DirectoryOrganization[]> {
  if (ctx.actor.type !== 'system') throw notFound();
  return repo.listOrganizations(ctx.db, filter, limit);
}

/** Users, by organization and role; an organization that does not exist is refused (404), not an empty list. */
export async function listUsers(
  ctx: Ctx,
  filter: { organizationId?: string; role?: UsersTable['role'] },
  limit: number,
): Promise<DirectoryUser[]> {
  if (ctx.actor.type !== 'system') throw notFound();
  if (filter.organizationId && !(await findOrganization(ctx.db, filter.organizationId))) throw notFound();
  return repo.listUsers(ctx.db, filter, limit);
}

/** True when the organization exists (the command line names a missing one before doing anything). */
export async function organizationExists(ctx: Ctx, id: string): Promise<boolean> {
  return (await findOrganization(ctx.db, id)) !== undefined;
}
