import { sql } from 'kysely';
import { isoDate } from '../../platform/clock.ts';
import { type Ctx, inTransaction, type TxCtx } from '../../platform/context.ts';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import type { EventActor, EventType } from '../events/catalogue.ts';
import { event, eventActor, type NewEvent, recordEvents } from '../events/record.ts';
import { canTransition, isLineStatus, type LineStatus } from '../orders/lifecycle.ts';
import type { MovedSubscription } from './effects.ts';
import {
  isSubscriptionStage,
  type SubscriptionEvent,
  type SubscriptionStage,
  TRANSITIONS,
  type Transition,
} from './lifecycle.ts';
import {
  type LockedSubscription,
  lockForAdvance,
  moveStage,
  type StageChanges,
  setLineStatus,
} from './repository.ts';

export interface AdvanceResult {
  /** The subscriptions that moved, in id order. */
  moved: MovedSubscription[];
  /** Those that could not: their stage does not allow the move (e.g. already mapped). */
  refused: { subscriptionId: string; stage: SubscriptionStage }[];
}

/** Why a line changed status, as the history has always said it. */
const LINE_REASON: Partial<Record<SubscriptionEvent['type'], string>> = {
  provisioning_email_sent: 'requested_start_date',
  policy_window_ended: 'policy_window',
  activated: 'provisioned',
};

/**
 * The one writer of a subscription's stage and of its line's status (docs/adr/0029). Moves every
 * given subscription that the transition table allows by `event`, in the caller's transaction (or
 * one of its own), and performs what the table names: the line's status, billing start (once: a
 * first date and reason are kept), audit entries, outgoing events, and the effects other modules
 * contribute. Subscriptions in another stage are returned as refused; what the caller does about
 * them (a 409, a skip) is its own business. Unknown ids are neither.
 */
export async function advance(
  ctx: Ctx,
  subscriptionIds: readonly string[],
  subscriptionEvent: SubscriptionEvent,
): Promise<AdvanceResult> {
  const transition = TRANSITIONS[subscriptionEvent.type];
  if (subscriptionIds.length === 0) return { moved: [], refused: [] };
  return inTransaction(ctx, async (tx) => {
    const locked = await lockForAdvance(tx.db, [...new Set(subscriptionIds)]);
    const refused: AdvanceResult['refused'] = [];
    const movable: LockedSubscription[] = [];
    for (const row of locked) {
      if (!isSubscriptionStage(row.stage))
        throw new Error(`subscription ${row.id}: unknown stage ${row.stage}`);
      if ((transition.from as readonly string[]).includes(row.stage)) movable.push(row);
      else refused.push({ subscriptionId: row.id, stage: row.stage });
    }
    const now = tx.clock.now();
    const updated = await moveStage(
      tx.db,
      movable.map((r) => r.id),
      transition.from,
      stageChanges(transition, subscriptionEvent, now),
    );
    const after = new Map(updated.map((u) => [u.id, u]));
    const moved: MovedSubscription[] = movable.flatMap((row) => {
      const u = after.get(row.id);
      if (!u) return [];
      return [
        {
          subscriptionId: row.id,
          lineId: row.line_id,
          lineNumber: row.line_number,
          orderId: row.order_id,
          orderNumber: row.order_number,
          reference: row.reference,
          offerCode: row.offer_code,
          quantity: row.quantity,
          partnerOrgId: row.partner_org_id,
          placedByOrgId: row.placed_by_org_id,
          mappedPartnerOrgId: u.partner_org_id,
          customerOrgId: u.customer_org_id,
          contactEmail: row.provisioning_contact_email,
          from: row.stage as SubscriptionStage,
          to: transition.to,
          billingStartedNow: row.billing_started_at === null && u.billing_started_at !== null,
          billingStartedAt: u.billing_started_at,
          billingStartReason: u.billing_start_reason as MovedSubscription['billingStartReason'],
        },
      ];
    });
    if (moved.length === 0) return { moved, refused };
    const lineMoves = await moveLines(tx, transition, locked, moved, now);
    await recordAudit(tx, auditEntries(subscriptionEvent, moved, lineMoves));
    await recordEvents(tx, outgoingEvents(transition, subscriptionEvent, moved, eventActor(tx.actor)));
    for (const name of transition.effects) {
      const effect = tx.transitionEffects[name];
      if (!effect) throw new Error(`no module contributes the transition effect ${name}`);
      await effect(tx, moved, subscriptionEvent);
    }
    return { moved, refused };
  });
}

function stageChanges(transition: Transition, e: SubscriptionEvent, now: Date): StageChanges {
  const changes: StageChanges = {
    stage: transition.to,
    stage_changed_at: now,
  };
  if (transition.startsBilling) {
    // A start the policy window (or anything before) made stays: billing starts once.
    changes.billing_started_at = sqlCoalesce('billing_started_at', now);
    changes.billing_start_reason = sqlCoalesce('billing_start_reason', transition.startsBilling);
  }
  if (e.type === 'mapped') {
    Object.assign(changes, {
      mapped_at: now,
      partner_org_id: e.partnerOrgId,
      customer_org_id: e.customerOrgId,
      setup_assignee: e.setupAssignee,
      mapped_by_user_id: e.mappedByUserId,
    });
  }
  if (e.type === 'activated') {
    Object.assign(changes, {
      provisioned_at: now,
      provisioned_by_user_id: e.provisionedByUserId,
      external_tenant_id: e.externalTenantId,
    });
  }
  return changes;
}

function sqlCoalesce<T>(column: 'billing_started_at' | 'billing_start_reason', value: T) {
  return sql<T>`coalesce(${sql.ref(column)}, ${value})`;
}

interface LineMove {
  lineId: string;
  partnerOrgId: string;
  from: LineStatus;
  to: LineStatus;
}

/** The lines follow their subscriptions where the table says so, checked against the line lifecycle. */
async function moveLines(
  tx: TxCtx,
  transition: Transition,
  locked: readonly LockedSubscription[],
  moved: readonly MovedSubscription[],
  now: Date,
): Promise<LineMove[]> {
  const to = transition.lineStatus;
  if (!to) return [];
  const statusOf = new Map(locked.map((r) => [r.line_id, r.line_status]));
  const moves: LineMove[] = [];
  for (const m of moved) {
    const from = statusOf.get(m.lineId);
    if (from === to) continue;
    if (!from || !isLineStatus(from) || !canTransition(from, to))
      throw new Error(`line ${m.lineId}: ${from} -> ${to} is not in the line lifecycle`);
    moves.push({ lineId: m.lineId, partnerOrgId: m.partnerOrgId, from, to });
  }
  await setLineStatus(
    tx.db,
    moves.map((l) => l.lineId),
    to,
    now,
  );
  return moves;
}

function auditEntries(e: SubscriptionEvent, moved: readonly MovedSubscription[], lines: readonly LineMove[]) {
  const reason = LINE_REASON[e.type] ?? e.type;
  const entries: AuditEntry[] = lines.map((l) => ({
    action: 'order_line.status_changed',
    entityType: 'order_line',
    entityId: l.lineId,
    organizationId: l.partnerOrgId,
    payload: { from: l.from, to: l.to, reason },
  }));
  for (const m of moved) {
    const base = {
      entityType: 'subscription',
      entityId: m.subscriptionId,
      organizationId: m.mappedPartnerOrgId ?? m.partnerOrgId,
    };
    entries.push({
      ...base,
      action: 'subscription.stage_changed',
      payload: { from: m.from, to: m.to, event: e.type },
    });
    if (m.billingStartedNow && m.billingStartReason)
      entries.push({
        ...base,
        action: 'subscription.billing_started',
        payload: { reason: m.billingStartReason },
      });
    if (e.type === 'mapped')
      entries.push({
        ...base,
        organizationId: m.partnerOrgId,
        action: 'subscription.mapped',
        payload: {
          partnerOrgId: e.partnerOrgId,
          customerOrgId: e.customerOrgId,
          setupAssignee: e.setupAssignee,
        },
      });
    if (e.type === 'activated')
      entries.push({
        ...base,
        action: 'subscription.provisioned',
        payload: { billingStartedNow: m.billingStartedNow },
      });
  }
  return entries;
}

function outgoingEvents(
  transition: Transition,
  e: SubscriptionEvent,
  moved: readonly MovedSubscription[],
  actor: EventActor,
): NewEvent[] {
  return moved.flatMap((m) => transition.events.flatMap((type) => eventFor(type, e, m, actor)));
}

function eventFor(
  type: EventType,
  e: SubscriptionEvent,
  m: MovedSubscription,
  actor: EventActor,
): NewEvent[] {
  const tenant = { partnerOrgId: m.partnerOrgId, placedByOrgId: m.placedByOrgId };
  const keys = { subscriptionId: m.subscriptionId, orderId: m.orderId };
  const change = {
    orderId: m.orderId,
    orderNumber: m.orderNumber,
    lineId: m.lineId,
    lineNumber: m.lineNumber,
    subscriptionId: m.subscriptionId,
    stage: m.to,
    previousStage: m.from,
    actor,
  };
  switch (type) {
    case 'line.closed':
      if (!m.billingStartedAt) return [];
      return [event(type, { ...change, billingStartedOn: isoDate(m.billingStartedAt) }, tenant, keys)];
    case 'subscription.mapped':
      if (e.type !== 'mapped') return [];
      return [
        event(
          type,
          { ...change, partnerOrgId: e.partnerOrgId, customerOrgId: e.customerOrgId },
          tenant,
          keys,
        ),
      ];
    case 'subscription.provisioning_requested':
      if (e.type !== 'provision_requested') return [];
      return [event(type, { ...change, provisionRequestId: e.provisionRequestId }, tenant, keys)];
    case 'subscription.needs_info':
      if (e.type !== 'information_requested') return [];
      return [
        event(
          type,
          { ...change, provisionRequestId: e.provisionRequestId, fields: e.fields, message: e.message },
          tenant,
          keys,
        ),
      ];
    case 'subscription.provisioning_failed':
      if (e.type !== 'provisioning_failed') return [];
      return [
        event(
          type,
          { ...change, provisionRequestId: e.provisionRequestId, code: e.code, message: e.message },
          tenant,
          keys,
        ),
      ];
    case 'subscription.activated':
      if (e.type !== 'activated') return [];
      return [event(type, { ...change, externalTenantId: e.externalTenantId }, tenant, keys)];
    case 'subscription.billing_started':
      if (!m.billingStartedNow || !m.billingStartedAt || !m.billingStartReason) return [];
      return [
        event(
          type,
          {
            subscriptionId: m.subscriptionId,
            orderId: m.orderId,
            orderNumber: m.orderNumber,
            reference: m.reference,
            lineId: m.lineId,
            lineNumber: m.lineNumber,
            offerCode: m.offerCode,
            quantity: m.quantity,
            billToOrgId: m.placedByOrgId,
            customerOrgId: m.customerOrgId,
            effectiveStartDate: isoDate(m.billingStartedAt),
            startedAt: m.billingStartedAt.toISOString(),
            reason: m.billingStartReason,
          },
          tenant,
          keys,
        ),
      ];
    default:
      throw new Error(`the transition table names ${type}, which advance does not build`);
  }
}
