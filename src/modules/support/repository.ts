import { type Insertable, sql } from 'kysely';
import type { SupportCaseAttachmentsTable, SupportCasesTable } from '../../db-types.ts';
import type { Executor } from '../../platform/db.ts';
import { exactTime, type Keyset } from '../../platform/keyset.ts';
import type { OrderScope } from '../identity/policy.ts';
import type { CaseStatus } from './schema.ts';

export async function insertCase(db: Executor, row: Insertable<SupportCasesTable>) {
  return db
    .insertInto('support_cases')
    .values(row)
    .returning(['id', 'case_number'])
    .executeTakeFirstOrThrow();
}

export async function insertAttachments(db: Executor, rows: Insertable<SupportCaseAttachmentsTable>[]) {
  if (rows.length === 0) return;
  await db.insertInto('support_case_attachments').values(rows).execute();
}

export async function findCase(db: Executor, id: string, scope: OrderScope) {
  let query = db.selectFrom('support_cases').selectAll().where('id', '=', id);
  if (scope !== 'all') query = query.where('organization_id', '=', scope.orgId);
  return query.executeTakeFirst();
}

export async function listAttachments(db: Executor, caseId: string) {
  return db
    .selectFrom('support_case_attachments')
    .select(['id', 'file_name', 'content_type', 'size_bytes'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('file_name')
    .execute();
}

/** The file, only when its case is in scope. */
export async function findAttachment(db: Executor, caseId: string, attachmentId: string, scope: OrderScope) {
  let query = db
    .selectFrom('support_case_attachments as a')
    .innerJoin('support_cases as c', 'c.id', 'a.case_id')
    .select(['a.file_name', 'a.content_type', 'a.storage_key'])
    .where('a.id', '=', attachmentId)
    .where('a.case_id', '=', caseId);
  if (scope !== 'all') query = query.where('c.organization_id', '=', scope.orgId);
  return query.executeTakeFirst();
}

/** Which of these file store keys a screenshot row names. */
export async function referencedStorageKeys(db: Executor, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('support_case_attachments')
    .select('storage_key')
    .where('storage_key', 'in', keys)
    .execute();
  return new Set(rows.flatMap((r) => (r.storage_key ? [r.storage_key] : [])));
}

/** The bytes of a screenshot stored before files moved out of the database (migration 0009). */
export async function legacyAttachmentContent(db: Executor, attachmentId: string): Promise<Buffer> {
  const row = await db
    .selectFrom('support_case_attachments')
    .select('content')
    .where('id', '=', attachmentId)
    .executeTakeFirstOrThrow();
  if (!row.content) throw new Error('attachment has neither a file nor bytes');
  return row.content;
}

export async function listMessages(db: Executor, caseId: string) {
  return db
    .selectFrom('support_case_messages')
    .select(['id', 'author_kind', 'body', 'created_at'])
    .where('case_id', '=', caseId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export interface CaseSearch {
  status?: CaseStatus;
  after?: { createdAt: Date; id: string };
  limit: number;
}

/** One organization's cases, newest first, keyset-paged on (created_at, id). */
export async function searchCases(db: Executor, organizationId: string, search: CaseSearch) {
  let query = db.selectFrom('support_cases').selectAll().where('organization_id', '=', organizationId);
  if (search.status) query = query.where('status', '=', search.status);
  if (search.after) {
    const { createdAt, id } = search.after;
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', createdAt),
        eb.and([eb('created_at', '=', createdAt), eb('id', '<', id)]),
      ]),
    );
  }
  return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(search.limit).execute();
}

export interface QueueSearch {
  statuses: readonly CaseStatus[];
  organizationId?: string;
  /** Opened strictly before this instant (the "older than" filter). */
  createdBefore?: Date;
  /** Strictly after this (created_at, id) in oldest-first order. */
  after?: Keyset;
  limit: number;
}

/**
 * The operators' queue: every organization's cases (or one's) in these statuses, oldest first,
 * keyset-paged on (created_at, id) over `support_cases_by_status` / `support_cases_by_org_status`.
 */
export async function searchQueue(db: Executor, search: QueueSearch) {
  let query = db
    .selectFrom('support_cases as c')
    .innerJoin('organizations as o', 'o.id', 'c.organization_id')
    .selectAll('c')
    .select('o.name as organization_name')
    .select(exactTime('c.created_at').as('created_at_exact'))
    .where('c.status', 'in', search.statuses);
  if (search.organizationId) query = query.where('c.organization_id', '=', search.organizationId);
  if (search.createdBefore) query = query.where('c.created_at', '<', search.createdBefore);
  const after = search.after;
  if (after)
    query = query.where(
      sql<boolean>`(c.created_at, c.id) > (${after.createdAt}::timestamptz, ${after.id}::uuid)`,
    );
  return query.orderBy('c.created_at').orderBy('c.id').limit(search.limit).execute();
}

/**
 * Adds a message to a case that is not closed and moves it to `status`, in one statement: a case
 * closed meanwhile takes no message. Returns false when nothing was written.
 */
export async function addMessage(
  db: Executor,
  message: {
    caseId: string;
    authorUserId: string | null;
    authorKind: 'partner' | 'operator';
    body: string;
    at: Date;
    status: Exclude<CaseStatus, 'closed'>;
  },
): Promise<boolean> {
  const moved = await db
    .updateTable('support_cases')
    .set({ status: message.status, updated_at: message.at })
    .where('id', '=', message.caseId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  if (Number(moved.numUpdatedRows) !== 1) return false;
  await db
    .insertInto('support_case_messages')
    .values({
      case_id: message.caseId,
      author_user_id: message.authorUserId,
      author_kind: message.authorKind,
      body: message.body,
      created_at: message.at,
    })
    .execute();
  return true;
}

/** Closes a case that is not closed yet; false when it already was. */
export async function closeCase(db: Executor, caseId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('support_cases')
    .set({ status: 'closed', closed_at: at, updated_at: at })
    .where('id', '=', caseId)
    .where('status', '<>', 'closed')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
