import { type Ctx, inTransaction } from '../../platform/context.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n.ts';
import {
  SUPPORT_SCREENSHOT_MAX_BYTES,
  SUPPORT_SCREENSHOT_MAX_MEGABYTES,
  SUPPORT_SCREENSHOTS_MAX,
} from '../../platform/limits.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { requireCaseOpener, requireOperator, supportCaseScope } from '../identity/policy.ts';
import { organizationContactsFor } from '../identity/service.ts';
import { isSubscriptionVisible } from '../orders/service.ts';
import { renderAnswerEmail } from './email.tsx';
import * as repo from './repository.ts';
import type { CaseSummary, CaseView, ListCasesQuery, RequestType } from './schema.ts';
import { cleanFileName, sniffImageType, type Upload } from './uploads.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Cases the operators' queue shows at once. */
const QUEUE_SHOWN = 200;

export interface NewCase {
  requestType: RequestType;
  subscriptionId?: string | undefined;
  description: string;
  screenshots: Upload[];
}

function screenshotProblems(screenshots: Upload[]): FieldError[] {
  if (screenshots.length > SUPPORT_SCREENSHOTS_MAX) {
    return [{ field: 'screenshots', rule: 'max_items', params: { count: SUPPORT_SCREENSHOTS_MAX } }];
  }
  return screenshots.flatMap((file, i): FieldError[] => {
    const field = `screenshots[${i}]`;
    const name = cleanFileName(file.name);
    if (file.bytes.length > SUPPORT_SCREENSHOT_MAX_BYTES) {
      return [
        {
          field,
          rule: 'support_file_too_large',
          params: { name, megabytes: SUPPORT_SCREENSHOT_MAX_MEGABYTES },
        },
      ];
    }
    return sniffImageType(file.bytes) ? [] : [{ field, rule: 'support_image_type', params: { name } }];
  });
}

/**
 * Opens a case for the caller's organization with its screenshots, all in one transaction: a file
 * that is not a PNG or JPEG (whatever it claims to be) refuses the whole case.
 */
export async function openCase(ctx: Ctx, input: NewCase): Promise<{ id: string; caseNumber: string }> {
  const actor = requireCaseOpener(ctx.actor);
  const fields = screenshotProblems(input.screenshots);
  if (input.subscriptionId && !(await isSubscriptionVisible(ctx, input.subscriptionId))) {
    fields.unshift({ field: 'subscriptionId', rule: 'support_unknown_subscription' });
  }
  if (fields.length) throw validationFailed(fields);
  return inTransaction(ctx, async (tx) => {
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
      input.screenshots.map((file) => ({
        case_id: created.id,
        file_name: cleanFileName(file.name),
        content_type: sniffImageType(file.bytes) ?? 'image/png',
        size_bytes: file.bytes.length,
        content: Buffer.from(file.bytes),
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

export async function getAttachment(
  ctx: Ctx,
  caseId: string,
  attachmentId: string,
): Promise<{ fileName: string; contentType: string; content: Uint8Array }> {
  if (!UUID.test(caseId) || !UUID.test(attachmentId)) throw notFound();
  const row = await repo.findAttachment(ctx.db, caseId, attachmentId, supportCaseScope(ctx.actor));
  if (!row) throw notFound();
  return { fileName: row.file_name, contentType: row.content_type, content: row.content };
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
  organizationName: string;
}

/** Open and answered cases of every organization, oldest first: the operators' work. */
export async function listQueue(ctx: Ctx): Promise<QueuedCase[]> {
  requireOperator(ctx.actor);
  const rows = await repo.listQueue(ctx.db, QUEUE_SHOWN);
  return rows.map((r) => ({ ...toSummary(r), organizationName: r.organization_name }));
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
