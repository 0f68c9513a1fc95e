import { type Ctx, inTransaction } from '../../platform/context.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { openStoredFile, removeFiles, type StoredFile, storeFile } from '../../platform/file-store.ts';
import type { Locale } from '../../platform/i18n.ts';
import { decodeKeyset, encodeKeyset } from '../../platform/keyset.ts';
import {
  SUPPORT_SCREENSHOT_MAX_BYTES,
  SUPPORT_SCREENSHOT_MAX_MEGABYTES,
  SUPPORT_SCREENSHOTS_MAX,
} from '../../platform/limits.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { event, recordEvents } from '../events/record.ts';
import { requireCaseOpener, requireOperator, supportCaseScope } from '../identity/policy.ts';
import { organizationContactsFor } from '../identity/service.ts';
import { isSubscriptionVisible } from '../orders/service.ts';
import { renderAnswerEmail } from './email.tsx';
import * as repo from './repository.ts';
import type { CaseStatus, CaseSummary, CaseView, ListCasesQuery, RequestType } from './schema.ts';
import { cleanFileName, headOf, type ImageType, sniffImageType, type Upload } from './uploads.ts';

/** The file store's folder for screenshots (FILES_DIR/support/…). */
const FILE_AREA = 'support';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewCase {
  requestType: RequestType;
  subscriptionId?: string | undefined;
  description: string;
  screenshots: Upload[];
}

interface CheckedUpload {
  upload: Upload;
  name: string;
  type: ImageType;
}

/** Each file's size and signature (its bytes, not its declared type), before anything is stored. */
async function checkScreenshots(
  screenshots: Upload[],
): Promise<{ checked: CheckedUpload[]; fields: FieldError[] }> {
  if (screenshots.length > SUPPORT_SCREENSHOTS_MAX) {
    return {
      checked: [],
      fields: [{ field: 'screenshots', rule: 'max_items', params: { count: SUPPORT_SCREENSHOTS_MAX } }],
    };
  }
  const checked: CheckedUpload[] = [];
  const fields: FieldError[] = [];
  for (const [i, upload] of screenshots.entries()) {
    const field = `screenshots[${i}]`;
    const name = cleanFileName(upload.name);
    if (upload.content.size > SUPPORT_SCREENSHOT_MAX_BYTES) {
      fields.push({
        field,
        rule: 'support_file_too_large',
        params: { name, megabytes: SUPPORT_SCREENSHOT_MAX_MEGABYTES },
      });
      continue;
    }
    const type = sniffImageType(await headOf(upload.content));
    if (type) checked.push({ upload, name, type });
    else fields.push({ field, rule: 'support_image_type', params: { name } });
  }
  return { checked, fields };
}

/** Writes the files to the file store, outside any transaction; on a failure none is left behind. */
async function storeScreenshots(ctx: Ctx, checked: CheckedUpload[]): Promise<(CheckedUpload & StoredFile)[]> {
  const stored: (CheckedUpload & StoredFile)[] = [];
  try {
    for (const file of checked) {
      const written = await storeFile(ctx.config.filesDir, FILE_AREA, file.upload.content.stream());
      stored.push({ ...file, ...written });
      // What was written is what was checked: a size that changed means the bytes did too.
      if (written.sizeBytes !== file.upload.content.size) throw new Error('upload changed while stored');
    }
  } catch (error) {
    await removeFiles(
      ctx.config.filesDir,
      stored.map((f) => f.key),
    );
    throw error;
  }
  return stored;
}

/**
 * Opens a case for the caller's organization with its screenshots: a file that is not a PNG or JPEG
 * (whatever it claims to be) refuses the whole case. Files are written first, then the case and the
 * rows naming them in one transaction; if that fails, the files are removed, so no row ever names a
 * missing file and no stored file outlives a refused case.
 */
export async function openCase(ctx: Ctx, input: NewCase): Promise<{ id: string; caseNumber: string }> {
  const actor = requireCaseOpener(ctx.actor);
  const { checked, fields } = await checkScreenshots(input.screenshots);
  if (input.subscriptionId && !(await isSubscriptionVisible(ctx, input.subscriptionId))) {
    fields.unshift({ field: 'subscriptionId', rule: 'support_unknown_subscription' });
  }
  if (fields.length) throw validationFailed(fields);
  const stored = await storeScreenshots(ctx, checked);
  try {
    return await inTransaction(ctx, async (tx) => {
      const now = tx.clock.now();
      const created = await repo.insertCase(tx.db, {
        organization_id: actor.orgId,
        opened_by_user_id: actor.type === 'user' ? actor.userId : null,
        opened_by_api_key_id: actor.type === 'api_key' ? actor.apiKeyId : null,
        request_type: input.requestType,
        subscription_id: input.subscriptionId || null,
        description: input.description,
        locale: tx.locale,
        created_at: now,
        updated_at: now,
      });
      await repo.insertAttachments(
        tx.db,
        stored.map((file) => ({
          case_id: created.id,
          file_name: file.name,
          content_type: file.type,
          size_bytes: file.sizeBytes,
          sha256: file.sha256,
          storage_key: file.key,
          created_at: now,
        })),
      );
      await recordAudit(tx, [
        {
          action: 'support_case.opened',
          entityType: 'support_case',
          entityId: created.id,
          organizationId: actor.orgId,
          payload: {
            caseNumber: created.case_number,
            requestType: input.requestType,
            screenshots: input.screenshots.length,
          },
        },
      ]);
      return { id: created.id, caseNumber: created.case_number };
    });
  } catch (error) {
    await removeFiles(
      ctx.config.filesDir,
      stored.map((f) => f.key),
    );
    throw error;
  }
}

type CaseRow = NonNullable<Awaited<ReturnType<typeof repo.findCase>>>;

function toSummary(row: CaseRow): CaseSummary {
  return {
    id: row.id,
    caseNumber: row.case_number,
    requestType: row.request_type,
    subscriptionId: row.subscription_id,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

async function findVisibleCase(ctx: Ctx, caseId: string): Promise<CaseRow> {
  if (!UUID.test(caseId)) throw notFound();
  const row = await repo.findCase(ctx.db, caseId, supportCaseScope(ctx.actor));
  if (!row) throw notFound();
  return row;
}

/** A case the caller may see (its organization's; every one for an operator), with files and thread. */
export async function getCase(ctx: Ctx, caseId: string): Promise<CaseView> {
  const row = await findVisibleCase(ctx, caseId);
  const [attachments, messages] = await Promise.all([
    repo.listAttachments(ctx.db, row.id),
    repo.listMessages(ctx.db, row.id),
  ]);
  return {
    ...toSummary(row),
    organizationId: row.organization_id,
    description: row.description,
    locale: row.locale,
    closedAt: row.closed_at ? row.closed_at.toISOString() : null,
    attachments: attachments.map((a) => ({
      id: a.id,
      fileName: a.file_name,
      contentType: a.content_type,
      sizeBytes: a.size_bytes,
    })),
    messages: messages.map((m) => ({
      id: m.id,
      authorKind: m.author_kind,
      body: m.body,
      createdAt: m.created_at.toISOString(),
    })),
  };
}

export interface AttachmentContent {
  fileName: string;
  contentType: string;
  sizeBytes: number;
  stream: ReadableStream<Uint8Array>;
}

/** A screenshot's bytes, streamed from the file store (or, for rows older than ADR 0025, the database). */
export async function getAttachment(
  ctx: Ctx,
  caseId: string,
  attachmentId: string,
): Promise<AttachmentContent> {
  if (!UUID.test(caseId) || !UUID.test(attachmentId)) throw notFound();
  const row = await repo.findAttachment(ctx.db, caseId, attachmentId, supportCaseScope(ctx.actor));
  if (!row) throw notFound();
  const meta = { fileName: row.file_name, contentType: row.content_type };
  if (row.storage_key) return { ...meta, ...(await openStoredFile(ctx.config.filesDir, row.storage_key)) };
  const content = await repo.legacyAttachmentContent(ctx.db, attachmentId);
  return { ...meta, sizeBytes: content.length, stream: new Blob([new Uint8Array(content)]).stream() };
}

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(text: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    const year = createdAt.getUTCFullYear();
    if (!(year >= 1970 && year <= 9999) || !UUID.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw validationFailed([{ field: 'cursor', rule: 'cursor' }]);
  }
}

/** The caller's organization's cases, newest first. */
export async function listCases(
  ctx: Ctx,
  query: ListCasesQuery,
): Promise<{ items: CaseSummary[]; nextCursor: string | null }> {
  const actor = requireCaseOpener(ctx.actor);
  const rows = await repo.searchCases(ctx.db, actor.orgId, {
    ...(query.status ? { status: query.status } : {}),
    ...(query.cursor ? { after: decodeCursor(query.cursor) } : {}),
    limit: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toSummary),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}

const caseClosed = () => new DomainError('support_case_closed', 409);

/** The partner adds to the thread of its own open case; the case waits for an operator again. */
export async function addPartnerMessage(ctx: Ctx, caseId: string, body: string): Promise<void> {
  const actor = requireCaseOpener(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const row = await findVisibleCase(tx, caseId);
    const added = await repo.addMessage(tx.db, {
      caseId: row.id,
      authorUserId: actor.type === 'user' ? actor.userId : null,
      authorKind: 'partner',
      body,
      at: tx.clock.now(),
      status: 'open',
    });
    if (!added) throw caseClosed();
    await recordAudit(tx, [
      {
        action: 'support_case.message_added',
        entityType: 'support_case',
        entityId: row.id,
        organizationId: row.organization_id,
        payload: { caseNumber: row.case_number },
      },
    ]);
  });
}

export interface QueuedCase extends CaseSummary {
  organizationId: string;
  organizationName: string;
}

/** What the queue shows: the cases still waiting (open or answered, the default), or one status. */
export type QueueStatus = 'waiting' | CaseStatus;

export interface QueueQuery {
  status: QueueStatus;
  organizationId?: string | undefined;
  createdBefore?: Date | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Every organization's cases, oldest first, filtered and keyset-paged: the operators' work. */
export async function listQueue(
  ctx: Ctx,
  query: QueueQuery,
): Promise<{ items: QueuedCase[]; nextCursor: string | null }> {
  requireOperator(ctx.actor);
  const after = query.cursor ? decodeKeyset(query.cursor, UUID) : undefined;
  const rows = await ctx.reads.run(ctx, (read) =>
    repo.searchQueue(read.db, {
      statuses: query.status === 'waiting' ? ['open', 'answered'] : [query.status],
      ...(query.organizationId ? { organizationId: query.organizationId } : {}),
      ...(query.createdBefore ? { createdBefore: query.createdBefore } : {}),
      ...(after ? { after } : {}),
      limit: query.limit + 1,
    }),
  );
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      ...toSummary(r),
      organizationId: r.organization_id,
      organizationName: r.organization_name,
    })),
    nextCursor:
      rows.length > query.limit && last
        ? encodeKeyset({ createdAt: last.created_at_exact, id: last.id })
        : null,
  };
}

/**
 * An operator answers: the message joins the thread, the case is `answered`, and whoever opened it
 * is told by email in the case's language, all in one transaction.
 */
export async function answerCase(ctx: Ctx, caseId: string, body: string): Promise<void> {
  const operator = requireOperator(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const row = await findVisibleCase(tx, caseId);
    const added = await repo.addMessage(tx.db, {
      caseId: row.id,
      authorUserId: operator.userId,
      authorKind: 'operator',
      body,
      at: tx.clock.now(),
      status: 'answered',
    });
    if (!added) throw caseClosed();
    const recipients = await organizationContactsFor(tx, row.organization_id, row.opened_by_user_id);
    const locale: Locale = row.locale;
    const email = renderAnswerEmail(locale, {
      caseNumber: row.case_number,
      link: `${tx.config.publicUrl}/support/cases/${row.id}`,
      answer: body,
    });
    for (const r of recipients) {
      await queueEmail(tx, { kind: 'support.answer', subjectRef: row.id, to: r.email, locale, ...email });
    }
    await recordAudit(tx, [
      {
        action: 'support_case.answered',
        entityType: 'support_case',
        entityId: row.id,
        organizationId: row.organization_id,
        payload: { caseNumber: row.case_number, recipients: recipients.length },
      },
    ]);
    await recordEvents(tx, [
      event(
        'support_case.answered',
        {
          caseId: row.id,
          caseNumber: row.case_number,
          organizationId: row.organization_id,
          subscriptionId: row.subscription_id,
        },
        // The case is its organization's: the partner or distributor that opened it sees the event.
        { partnerOrgId: row.organization_id, placedByOrgId: row.organization_id },
        { subscriptionId: row.subscription_id },
      ),
    ]);
  });
}

/** An operator closes a case: the partner sees it closed and can no longer add to it. */
export async function closeCase(ctx: Ctx, caseId: string): Promise<void> {
  requireOperator(ctx.actor);
  await inTransaction(ctx, async (tx) => {
    const row = await findVisibleCase(tx, caseId);
    if (!(await repo.closeCase(tx.db, row.id, tx.clock.now()))) throw caseClosed();
    await recordAudit(tx, [
      {
        action: 'support_case.closed',
        entityType: 'support_case',
        entityId: row.id,
        organizationId: row.organization_id,
        payload: { caseNumber: row.case_number },
      },
    ]);
  });
}
