import { type Ctx, inTransaction, type TxCtx } from '../../platform/context.ts';
import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { DomainError, forbidden, notFound, validationFailed } from '../../platform/errors.ts';
import { RESEND_LIMITS, retryAfterWithin } from '../../platform/limits.ts';
import { type EmailToQueue, queueEmails } from '../../platform/mail/outbox.ts';
import { isInvisibleOnly, unprintable } from '../../platform/text.ts';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import { mayActOnProvisioning, mayHandOverLine, mayMapSubscription } from '../identity/policy.ts';
import type { OrderView } from '../orders/schema.ts';
import { getOrder, lineEtag } from '../orders/service.ts';
import { advance } from '../subscriptions/advance.ts';
import { composeEmails, sentEntry } from './dispatch.ts';
import { renderContactChangedNotice } from './emails/render.ts';
import { issueLinks } from './links.ts';
import * as repo from './repository.ts';
import type { TransactionView } from './schema.ts';

export { lineEtag };

export const pointOfNoReturn = (ctx: Ctx) =>
  new DomainError('point_of_no_return', 409, { adminHubUrl: ctx.config.adminHubUrl });

/** The order (404 when the caller cannot see it or the line), refused with 403 without edit rights. */
export async function authorizedOrder(ctx: Ctx, orderId: string, lineId: string): Promise<OrderView> {
  const order = await getOrder(ctx, orderId);
  if (!order.lines.some((l) => l.id === lineId)) throw notFound();
  if (!mayActOnProvisioning(ctx.actor, order)) {
    const placer = await placerOf(ctx, order.id);
    throw new DomainError('edit_rights_required', 403, { placer: placer.email ?? placer.name });
  }
  return order;
}

export type Placer = { name: string; email: string | null };

/** The user who placed the order, by name and address; for API-key orders, the organization. */
export function placerFrom(row: {
  org_name: string;
  user_email: string | null;
  user_name: string | null;
}): Placer {
  if (row.user_email) return { name: row.user_name ?? row.user_email, email: row.user_email };
  return { name: row.org_name, email: null };
}

export async function placerOf(ctx: Ctx, orderId: string): Promise<Placer> {
  const row = await repo.findPlacer(ctx.db, orderId);
  if (!row) throw notFound();
  return placerFrom(row);
}

async function actorColumns(
  ctx: Ctx,
): Promise<Pick<repo.NewTransaction, 'actor_type' | 'actor_id' | 'actor_label'>> {
  const a = ctx.actor;
  if (a.type === 'user') return { actor_type: 'user', actor_id: a.userId, actor_label: a.email };
  if (a.type === 'api_key')
    return {
      actor_type: 'api_key',
      actor_id: a.apiKeyId,
      actor_label: await repo.apiKeyName(ctx.db, a.apiKeyId),
    };
  if (a.type === 'system') return { actor_type: 'system', actor_id: a.name, actor_label: a.name };
  if (a.type === 'setup_link') return { actor_type: 'link', actor_id: a.linkId, actor_label: a.email };
  throw forbidden();
}

function toView(row: repo.TransactionRow): TransactionView {
  return {
    id: row.id,
    type: row.type,
    subscriptionId: row.subscription_id,
    orderId: row.order_id,
    lineId: row.line_id,
    oldEmail: row.old_email,
    newEmail: row.new_email,
    status: row.status,
    failureReason: row.failure_reason,
    actor: { type: row.actor_type, label: row.actor_label },
    createdAt: row.created_at.toISOString(),
    completedAt: row.completed_at?.toISOString() ?? null,
  };
}

/**
 * Seconds until the oldest resend that keeps a window full drops out of it; 0 when one is allowed.
 * A resend dated after `now` can only come from a clock that has since moved back: how long ago it
 * was is unknown, so it is not counted, and the wait never exceeds the window (limits.ts, ADR 0023).
 */
export function resendRetryAfterSeconds(resends: Date[], now: Date): number {
  let wait = 0;
  for (const { max, windowSeconds } of RESEND_LIMITS) {
    const inWindow = resends.filter(
      (at) => at.getTime() > now.getTime() - windowSeconds * 1000 && at.getTime() <= now.getTime(),
    );
    const blocking = inWindow[inWindow.length - max];
    if (blocking) {
      const seconds = Math.ceil((blocking.getTime() + windowSeconds * 1000 - now.getTime()) / 1000);
      wait = Math.max(wait, retryAfterWithin(windowSeconds, seconds));
    }
  }
  return wait;
}

const LONGEST_WINDOW_MS = Math.max(...RESEND_LIMITS.map((l) => l.windowSeconds)) * 1000;

/**
 * Sends the provisioning email of one line again, with a new link (the old one ends). Allowed after
 * the first email, on closed lines too, until the Point of No Return; rate-limited per line.
 */
export async function resendProvisioningEmail(
  ctx: Ctx,
  orderId: string,
  lineId: string,
): Promise<TransactionView> {
  await authorizedOrder(ctx, orderId, lineId);
  return inTransaction(ctx, async (tx) => {
    // The lock orders resends (and the mapping) of this line: the counts below are then exact.
    const line = await repo.findActionLine(tx.db, orderId, lineId, true);
    if (!line) throw notFound();
    if (line.mapped_at) throw pointOfNoReturn(tx);
    if (!line.first_email_sent_at) throw new DomainError('resend_before_first_email', 409);
    const now = tx.clock.now();
    const recent = await repo.recentResends(tx.db, lineId, new Date(now.getTime() - LONGEST_WINDOW_MS));
    const retryAfterSeconds = resendRetryAfterSeconds(recent, now);
    if (retryAfterSeconds > 0) throw new DomainError('resend_rate_limited', 429, { retryAfterSeconds });

    await repo.endLiveLinks(tx.db, [lineId], 'resent', now);
    const to = line.provisioning_contact_email;
    const urls = await issueLinks(tx, [{ lineId, to }]);
    const [row] = await repo.insertTransactions(tx.db, [
      {
        ...transactionBase(line, now),
        ...(await actorColumns(tx)),
        type: 'provisioning_email_resend',
        old_email: to,
        new_email: to,
        status: 'submitted',
        completed_at: null,
      },
    ]);
    if (!row) throw new Error('transaction insert returned nothing');
    const emails = await composeEmails(tx, await repo.findEmailLines(tx.db, [lineId]), urls, true);
    await queueEmails(
      tx,
      emails.map((e) => ({ ...e, kind: 'provisioning.transaction', subjectRef: row.id })),
    );
    await recordAudit(tx, [
      {
        action: 'provisioning.resent',
        entityType: 'order_line',
        entityId: lineId,
        organizationId: line.partner_org_id,
        payload: { transactionId: row.id, to },
      },
      sentEntry(lineId, line.partner_org_id, to, 'resend'),
    ]);
    return toView(row);
  });
}

function transactionBase(line: repo.ActionLineRow, now: Date) {
  return {
    line_id: line.id,
    subscription_id: line.subscription_id,
    order_id: line.order_id,
    partner_org_id: line.partner_org_id,
    placed_by_org_id: line.placed_by_org_id,
    created_at: now,
  };
}

/** The new address, or a 422 naming `email` (before anything is read or written). */
function checkedEmail(input: string): string {
  const text = input.trim();
  const odd = unprintable(text);
  if (odd) throw validationFailed([{ field: 'email', rule: odd }]);
  if (text === '') throw validationFailed([{ field: 'email', rule: 'required' }]);
  if (isInvisibleOnly(text) || !isValidEmailAddress(text))
    throw validationFailed([{ field: 'email', rule: 'email' }]);
  return normalizeEmail(text);
}

function etagMatches(ifMatch: string, version: number): boolean {
  const current = lineEtag(version);
  return ifMatch.split(',').some((tag) => tag.trim() === '*' || tag.trim() === current);
}

/**
 * Changes the provisioning contact of a line (or of every line of its order before the Point of
 * No Return; mapped lines, and lines that already have this contact, are left out and have no
 * transaction). Lines whose email already went out get a new link, and the new contact one email
 * for all of them; the old address gets a short notice without a link.
 */
export async function changeProvisioningContact(
  ctx: Ctx,
  orderId: string,
  lineId: string,
  input: { email: string; applyToAllLines: boolean; ifMatch?: string },
): Promise<{ transactions: TransactionView[] }> {
  const email = checkedEmail(input.email);
  // A partner changes a line it has seen, at the version it saw (RFC 6585): the link's holder changes
  // only its own line, which nobody else can hand over meanwhile.
  if (ctx.actor.type !== 'setup_link' && input.ifMatch === undefined)
    throw new DomainError('precondition_required', 428);
  if (ctx.actor.type === 'setup_link') {
    // The link's holder changes its own line only; the order is read as Provisio, for that check.
    if (!mayHandOverLine(ctx.actor, lineId) || input.applyToAllLines) throw notFound();
    const order = await getOrder({ ...ctx, actor: { type: 'system', name: 'setup-link' } }, orderId);
    if (!order.lines.some((l) => l.id === lineId)) throw notFound();
  } else await authorizedOrder(ctx, orderId, lineId);
  return inTransaction(ctx, async (tx) => {
    const locked = input.applyToAllLines
      ? await repo.lockOrderLines(tx.db, orderId)
      : [await repo.findActionLine(tx.db, orderId, lineId, true)];
    const target = locked.find((l) => l?.id === lineId);
    if (!target) throw notFound();
    if (input.ifMatch !== undefined && !etagMatches(input.ifMatch, target.version))
      throw new DomainError('precondition_failed', 412);
    if (target.mapped_at) throw pointOfNoReturn(tx);
    const changing = locked.filter(
      (l): l is repo.ActionLineRow => !!l && !l.mapped_at && l.provisioning_contact_email !== email,
    );
    return { transactions: await applyContactChange(tx, changing, email) };
  });
}

async function applyContactChange(
  tx: TxCtx,
  lines: repo.ActionLineRow[],
  email: string,
): Promise<TransactionView[]> {
  if (lines.length === 0) return [];
  const now = tx.clock.now();
  for (const line of lines) {
    if (!(await repo.updateLineContact(tx.db, line.id, line.version, email)))
      throw new Error(`line ${line.id} changed while locked`);
  }
  const actor = await actorColumns(tx);
  const rows = await repo.insertTransactions(
    tx.db,
    lines.map((line) => ({
      ...transactionBase(line, now),
      ...actor,
      type: 'provisioning_email_update' as const,
      old_email: line.provisioning_contact_email,
      new_email: email,
      // Before the first email nothing is sent: the start-date email will go to the new address.
      status: line.first_email_sent_at ? ('submitted' as const) : ('completed' as const),
      completed_at: line.first_email_sent_at ? null : now,
    })),
  );
  const sent = lines.filter((l) => l.first_email_sent_at);
  const firstSent = rows.find((r) => r.status === 'submitted');
  if (sent.length && firstSent) {
    const ids = sent.map((l) => l.id);
    await repo.endLiveLinks(tx.db, ids, 'contact_changed', now);
    const urls = await issueLinks(
      tx,
      ids.map((id) => ({ lineId: id, to: email })),
    );
    const emailRows = await repo.findEmailLines(tx.db, ids);
    const toNew = await composeEmails(tx, emailRows, urls, false);
    await queueEmails(tx, [
      // One email for the lines changed together; its result settles all their transactions.
      ...toNew.map((e) => ({ ...e, kind: 'provisioning.transaction', subjectRef: firstSent.id })),
      ...noticesToOldContacts(sent, emailRows, email),
    ]);
  }
  await recordAudit(
    tx,
    lines.flatMap((line): AuditEntry[] => [
      {
        action: 'provisioning.contact_changed',
        entityType: 'order_line',
        entityId: line.id,
        organizationId: line.partner_org_id,
        payload: { from: line.provisioning_contact_email, to: email },
      },
      ...(line.first_email_sent_at
        ? [sentEntry(line.id, line.partner_org_id, email, 'contact_changed')]
        : []),
    ]),
  );
  return rows.map(toView);
}

function noticesToOldContacts(
  sent: repo.ActionLineRow[],
  emailRows: repo.EmailLineRow[],
  newEmail: string,
): EmailToQueue[] {
  const byOld = new Map<string, string[]>();
  for (const line of sent)
    byOld.set(line.provisioning_contact_email, [
      ...(byOld.get(line.provisioning_contact_email) ?? []),
      line.subscription_id,
    ]);
  const order = emailRows[0];
  if (!order) return [];
  return [...byOld].map(([oldEmail, subscriptionIds]) => ({
    kind: 'provisioning.contact_notice',
    to: oldEmail,
    locale: order.locale,
    ...renderContactChangedNotice({
      locale: order.locale,
      orderReference: order.reference,
      subscriptionIds,
      newContactEmail: newEmail,
      partnerName: order.partner_name,
    }),
  }));
}

/**
 * The Point of No Return: the subscription is mapped to the organizations onboarded in the admin
 * hub. Its live link ends; resends and contact changes are refused from now on.
 */
export interface SubscriptionMapping {
  partnerOrgId: string;
  customerOrgId: string;
  /** Who is to set up the services; the partner unless said otherwise. */
  setupAssignee?: 'partner' | 'customer';
  /** The user who confirmed the mapping in the wizard, when there is one. */
  mappedByUserId?: string | null;
}

/**
 * The Point of No Return (C6, W8). Callers are Provisio's own onboarding code: the wizard's
 * `completeMapping` calls it inside its transaction, after its own access checks.
 */
export async function mapSubscription(
  ctx: Ctx,
  subscriptionId: string,
  orgs: SubscriptionMapping,
): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    // Locks the line too, so a resend or contact change in flight finishes first.
    const sub = await repo.findSubscriptionLine(tx.db, subscriptionId);
    if (!sub) throw notFound();
    const order = { partnerOrgId: sub.partner_org_id, placedByOrgId: sub.placed_by_org_id };
    if (!mayMapSubscription(tx.actor, { subscriptionId, ...order })) throw forbidden();
    const { moved } = await advance(tx, [subscriptionId], {
      type: 'mapped',
      partnerOrgId: orgs.partnerOrgId,
      customerOrgId: orgs.customerOrgId,
      setupAssignee: orgs.setupAssignee ?? 'partner',
      mappedByUserId: orgs.mappedByUserId ?? null,
    });
    // The move's `end_setup_links` effect has ended the line's live link (transition-effects.ts).
    if (moved.length === 0) throw new DomainError('already_mapped', 409);
  });
}
