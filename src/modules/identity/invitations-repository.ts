import type { Insertable } from 'kysely';
import type { UserInvitationsTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';

export async function insertInvitation(db: Executor, row: Insertable<UserInvitationsTable>): Promise<void> {
  await db.insertInto('user_invitations').values(row).execute();
}

export async function findLiveInvitation(db: Executor, tokenHash: string, at: Date) {
  return db
    .selectFrom('user_invitations as i')
    .innerJoin('users as u', 'u.id', 'i.user_id')
    .select(['i.id', 'i.user_id', 'i.purpose', 'i.subscription_id', 'u.email', 'u.password_hash', 'u.locale'])
    .where('i.token_hash', '=', tokenHash)
    .where('i.used_at', 'is', null)
    .where('i.expires_at', '>', at)
    .executeTakeFirst();
}

export async function markInvitationUsed(db: Executor, id: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('user_invitations')
    .set({ used_at: at })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Whatever invitation a token hash names, live or not: to tell "used or expired" from "unknown". */
export async function findInvitationByHash(db: Executor, tokenHash: string) {
  return db
    .selectFrom('user_invitations')
    .select(['id', 'used_at', 'expires_at'])
    .where('token_hash', '=', tokenHash)
    .executeTakeFirst();
}
