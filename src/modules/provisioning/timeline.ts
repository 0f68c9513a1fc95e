import type { Ctx } from '../../platform/context.ts';
import { formatDate, type Reader } from '../../platform/format.ts';
import type { Translate } from '../../platform/i18n.ts';
import { latestJoinRequests } from '../identity/join-requests.ts';
import { getOrderLine } from '../orders/service.ts';
import * as repo from './timeline-repository.ts';

const DAY_MS = 86_400_000;

export type LineFacts = Awaited<ReturnType<typeof repo.findLineFacts>>[number] & {
  /** The organization whose admins must approve the mapping (docs/adr/0022), while they decide. */
  awaitingApprovalOf: string | null;
  /** The organization whose admins did not answer in time: the contact must choose again. */
  approvalExpiredOf: string | null;
};

export type TimelineKind =
  | 'ordered'
  | 'started_now'
  | 'email_sent'
  | 'link_opened'
  | 'resent'
  | 'contact_changed'
  | 'escalated'
  | 'billing_started'
  | 'mapped'
  | 'provisioned'
  | 'closed';

export interface TimelineEntry {
  kind: TimelineKind;
  at: string;
  /** Who did it: a user's email, an API key's name, "Provisio" for the system; null when unknown. */
  actor: string | null;
  params: Record<string, string>;
}

export type NextStepKey = 'email_on' | 'billing_on' | 'billing_started_pending' | 'mapped' | 'provisioned';

export interface LineHistory {
  lineId: string;
  subscriptionId: string;
  entries: TimelineEntry[];
  next: { key: NextStepKey; params: Record<string, string> };
}

/** When billing starts under the policy if nobody provisions the line; null if that is not pending. */
export function policyDeadline(facts: LineFacts): Date | null {
  if (facts.billingStartedAt || facts.mappedAt || facts.provisionedAt) return null;
  if (facts.status !== 'awaiting_provisioning_details' || !facts.firstEmailSentAt) return null;
  if (facts.policyWindowDays === null) return null;
  return new Date(facts.firstEmailSentAt.getTime() + facts.policyWindowDays * DAY_MS);
}

/** Whole days left before the deadline, rounded up; 0 once it is due. */
export function daysLeft(deadline: Date, now: Date): number {
  return Math.max(0, Math.ceil((deadline.getTime() - now.getTime()) / DAY_MS));
}

/** The timer facts of these lines, by line id (the caller has checked it may see them). */
export async function lineFacts(ctx: Ctx, lineIds: string[]): Promise<Map<string, LineFacts>> {
  const rows = await repo.findLineFacts(ctx.db, lineIds);
  const latest = await latestJoinRequests(
    ctx,
    rows.filter((r) => !r.mappedAt).map((r) => r.subscriptionId),
  );
  const of = (subscriptionId: string, status: 'pending' | 'expired') => {
    const request = latest.get(subscriptionId);
    return request?.status === status ? request.organizationName : null;
  };
  return new Map(
    rows.map((r) => [
      r.lineId,
      {
        ...r,
        awaitingApprovalOf: of(r.subscriptionId, 'pending'),
        approvalExpiredOf: of(r.subscriptionId, 'expired'),
      },
    ]),
  );
}

/** Subscriptions waiting for an organization's approval: the organization's name, by subscription id. */
export async function awaitingApproval(ctx: Ctx, subscriptionIds: string[]): Promise<Map<string, string>> {
  const latest = await latestJoinRequests(ctx, subscriptionIds);
  return new Map(
    [...latest].flatMap(([id, r]) => (r.status === 'pending' ? [[id, r.organizationName] as const] : [])),
  );
}

export function nextStep(facts: LineFacts): LineHistory['next'] {
  if (facts.provisionedAt) return { key: 'provisioned', params: { date: facts.provisionedAt.toISOString() } };
  if (facts.mappedAt) return { key: 'mapped', params: {} };
  if (facts.billingStartedAt)
    return { key: 'billing_started_pending', params: { date: facts.billingStartedAt.toISOString() } };
  const deadline = policyDeadline(facts);
  if (deadline) return { key: 'billing_on', params: { date: deadline.toISOString() } };
  return { key: 'email_on', params: { email: facts.contactEmail, date: facts.requestedStartDate } };
}

type AuditRow = Awaited<ReturnType<typeof repo.findAuditEvents>>[number];

function payloadOf(row: AuditRow): Record<string, unknown> {
  const value: unknown = typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

async function actorLabels(ctx: Ctx, events: AuditRow[], userId: string | null, apiKeyId: string | null) {
  const ids = (type: string) => [
    ...new Set(events.filter((e) => e.actorType === type && e.actorId).map((e) => e.actorId ?? '')),
  ];
  const users = await repo.findUserEmails(ctx.db, [...ids('user'), ...(userId ? [userId] : [])]);
  const keys = await repo.findApiKeyNames(ctx.db, [...ids('api_key'), ...(apiKeyId ? [apiKeyId] : [])]);
  const byId = new Map([...users, ...keys].map((r) => [r.id, r.label]));
  return (type: string, id: string | null): string | null => {
    if (type === 'system') return SYSTEM_ACTOR;
    return id ? (byId.get(id) ?? null) : null;
  };
}

/** The product's own name, for what Provisio did by itself (timers, emails). */
export const SYSTEM_ACTOR = 'Provisio';

/**
 * A line's history, oldest first, and what happens next. Built from the line's and subscription's
 * own columns (the facts) and the audit trail and transactions (who did it).
 */
export async function getLineHistory(ctx: Ctx, orderId: string, lineId: string): Promise<LineHistory> {
  await getOrderLine(ctx, orderId, lineId);
  const facts = (await lineFacts(ctx, [lineId])).get(lineId);
  if (!facts) throw new Error(`line ${lineId} has no subscription`);
  const placement = await repo.findOrderPlacement(ctx.db, orderId);
  const events = await repo.findAuditEvents(ctx.db, lineId, facts.subscriptionId);
  const transactions = await repo.findLineTransactions(ctx.db, lineId);
  const firstLink = await repo.findFirstLink(ctx.db, lineId);
  const who = await actorLabels(ctx, events, placement.userId, placement.apiKeyId);
  const audited = (action: string, match: (p: Record<string, unknown>) => boolean = () => true) =>
    events.find((e) => e.action === action && match(payloadOf(e)));

  const entries: TimelineEntry[] = [
    {
      kind: 'ordered',
      at: placement.createdAt.toISOString(),
      actor: placement.userId ? who('user', placement.userId) : who('api_key', placement.apiKeyId),
      params: {},
    },
  ];
  for (const event of events.filter((e) => e.action === 'provisioning.started_now')) {
    const payload = payloadOf(event);
    entries.push({
      kind: 'started_now',
      at: event.at.toISOString(),
      actor: who(event.actorType, event.actorId),
      params: { from: String(payload.from ?? ''), to: String(payload.to ?? '') },
    });
  }
  if (facts.firstEmailSentAt) {
    entries.push({
      kind: 'email_sent',
      at: facts.firstEmailSentAt.toISOString(),
      actor: SYSTEM_ACTOR,
      params: { to: firstLink?.sentTo ?? transactions[0]?.oldEmail ?? facts.contactEmail },
    });
  }
  if (facts.linkOpenedAt) {
    entries.push({ kind: 'link_opened', at: facts.linkOpenedAt.toISOString(), actor: null, params: {} });
  }
  for (const tx of transactions) {
    const actor = tx.actorType === 'system' ? SYSTEM_ACTOR : tx.actorLabel;
    entries.push(
      tx.type === 'provisioning_email_resend'
        ? { kind: 'resent', at: tx.at.toISOString(), actor, params: { to: tx.newEmail } }
        : {
            kind: 'contact_changed',
            at: tx.at.toISOString(),
            actor,
            params: { from: tx.oldEmail ?? '', to: tx.newEmail },
          },
    );
  }
  if (facts.escalatedAt) {
    const event = audited('provisioning.escalated');
    const to = event ? String(payloadOf(event).to ?? '') : '';
    entries.push({
      kind: 'escalated',
      at: facts.escalatedAt.toISOString(),
      actor: SYSTEM_ACTOR,
      params: { to },
    });
  }
  if (facts.billingStartedAt) {
    const event = audited('subscription.billing_started');
    entries.push({
      kind: 'billing_started',
      at: facts.billingStartedAt.toISOString(),
      actor: event ? who(event.actorType, event.actorId) : null,
      params: { reason: facts.billingStartReason ?? 'policy' },
    });
  }
  if (facts.mappedAt) {
    const event = events.find((e) => e.action.endsWith('mapped'));
    entries.push({
      kind: 'mapped',
      at: facts.mappedAt.toISOString(),
      actor: event ? who(event.actorType, event.actorId) : null,
      params: {},
    });
  }
  if (facts.provisionedAt) {
    entries.push({ kind: 'provisioned', at: facts.provisionedAt.toISOString(), actor: null, params: {} });
  }
  if (facts.status === 'closed') {
    const event = audited('order_line.status_changed', (p) => p.to === 'closed');
    entries.push({
      kind: 'closed',
      at: (event?.at ?? facts.statusChangedAt).toISOString(),
      actor: event ? who(event.actorType, event.actorId) : null,
      params: {},
    });
  }
  // Stable: events at the same instant keep the order they happen in (billing starts, then the line closes).
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return { lineId, subscriptionId: facts.subscriptionId, entries, next: nextStep(facts) };
}

/** The next-step sentence in the viewer's language; its date (an instant) is a day in the viewer's zone. */
export function renderNextStep(t: Translate, reader: Reader, next: LineHistory['next']): string {
  const params = {
    ...next.params,
    ...(next.params.date ? { date: formatDate(reader, next.params.date) } : {}),
  };
  return t(`timeline.next.${next.key}`, params);
}

/** One entry as a sentence, e.g. "Provisioning email sent to it@acme.example". */
export function renderEntry(t: Translate, entry: TimelineEntry): string {
  const params =
    entry.kind === 'billing_started'
      ? { reason: t(`timeline.reason.${entry.params.reason ?? 'policy'}`) }
      : entry.params;
  return t(`timeline.event.${entry.kind}`, params);
}

/** What the order page shows beside each line: its deadline, or that provisioning is still pending. */
export interface LineTimers {
  now: Date;
  facts: Map<string, LineFacts>;
}

/** For an order the caller has already been allowed to see. */
export async function lineTimers(ctx: Ctx, order: { lines: { id: string }[] }): Promise<LineTimers> {
  return {
    now: ctx.clock.now(),
    facts: await lineFacts(
      ctx,
      order.lines.map((l) => l.id),
    ),
  };
}
