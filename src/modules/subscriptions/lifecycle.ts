import type { EventType } from '../events/catalogue.ts';
import { SUBSCRIPTION_STAGE_NAMES } from '../events/catalogue.ts';
import { canTransition, INITIAL_LINE_STATUS, type LineStatus } from '../orders/lifecycle.ts';
import type { BookingEffectName, TransitionEffectName } from './effects.ts';

/**
 * A subscription's life, as data (docs/adr/0029). `advance` is its only writer: it refuses any move
 * not listed here, and performs what the row names. Billing start is not a stage: it is a fact
 * beside the stage (date and reason) that some transitions set, once.
 *
 *   scheduled → awaiting_details → mapped (Point of No Return) → provisioning → active
 *                      ↓              ↑ ↘ active (offers fulfilled by nobody: Provision activates)
 *                    closed ──────────┘   provisioning → provisioning_failed | needs_info → provisioning
 */
export const SUBSCRIPTION_STAGES = SUBSCRIPTION_STAGE_NAMES;
export type SubscriptionStage = (typeof SUBSCRIPTION_STAGES)[number];
export const INITIAL_STAGE: SubscriptionStage = 'scheduled';

/**
 * The life's first move, from nothing to `scheduled`: booking writes the subscriptions (orders'
 * intake, in the order's one statement), with the effects named here that apply to the order, in the
 * order's transaction, whoever booked it (API, CLI, seed): `bookSubscriptions` (booked.ts).
 */
export const BOOKED: { readonly to: SubscriptionStage; readonly effects: readonly BookingEffectName[] } = {
  to: INITIAL_STAGE,
  effects: ['queue_start_date_dispatch'],
};

/** What moves a subscription, with what each move needs to know. */
export type SubscriptionEvent =
  /** The start-date email went out with a setup link. */
  | { type: 'provisioning_email_sent' }
  /** The offer's policy window ran out before anyone mapped the subscription (C8). */
  | { type: 'policy_window_ended' }
  /** The Point of No Return: mapped to a partner and a customer organization. */
  | {
      type: 'mapped';
      partnerOrgId: string;
      customerOrgId: string;
      setupAssignee: 'partner' | 'customer';
      mappedByUserId: string | null;
    }
  /** *Provision* on an offer the vendor's service (or an operator) fulfils, or a retry/resubmission. */
  | { type: 'provision_requested'; provisionRequestId: string }
  /** Provisioned: by *Provision* itself, or by the fulfilment request's success. */
  | { type: 'activated'; externalTenantId: string | null; provisionedByUserId: string | null }
  | { type: 'provisioning_failed'; provisionRequestId: string; code: string; message: string }
  | { type: 'information_requested'; provisionRequestId: string; fields: string[]; message: string };

export type SubscriptionEventType = SubscriptionEvent['type'];

export interface Transition {
  from: readonly SubscriptionStage[];
  to: SubscriptionStage;
  /** The line's status after the move, when it changes with it. */
  lineStatus?: LineStatus;
  /** Billing starts with this move, unless it already has (its first date and reason stay). */
  startsBilling?: 'policy' | 'provisioned';
  /** Outgoing events written with the move (subscription.billing_started only when billing starts). */
  events: readonly EventType[];
  /** Work other modules do with the move, in the same transaction (effects.ts). */
  effects: readonly TransitionEffectName[];
}

export const TRANSITIONS: Readonly<Record<SubscriptionEventType, Transition>> = {
  provisioning_email_sent: {
    from: ['scheduled'],
    to: 'awaiting_details',
    lineStatus: 'awaiting_provisioning_details',
    events: [],
    effects: ['send_setup_emails'],
  },
  policy_window_ended: {
    from: ['awaiting_details'],
    to: 'closed',
    lineStatus: 'closed',
    startsBilling: 'policy',
    events: ['line.closed', 'subscription.billing_started'],
    effects: [],
  },
  mapped: {
    from: ['awaiting_details', 'closed'],
    to: 'mapped',
    events: ['subscription.mapped'],
    effects: ['end_setup_links'],
  },
  provision_requested: {
    from: ['mapped', 'provisioning_failed', 'needs_info'],
    to: 'provisioning',
    events: ['subscription.provisioning_requested'],
    effects: ['send_provision_request'],
  },
  activated: {
    from: ['mapped', 'provisioning'],
    to: 'active',
    lineStatus: 'provisioned',
    startsBilling: 'provisioned',
    events: ['subscription.activated', 'subscription.billing_started'],
    effects: ['make_reservations_permanent', 'tell_admins_activated'],
  },
  provisioning_failed: {
    from: ['provisioning'],
    to: 'provisioning_failed',
    events: ['subscription.provisioning_failed'],
    effects: ['tell_admins_provisioning_outcome'],
  },
  information_requested: {
    from: ['provisioning'],
    to: 'needs_info',
    events: ['subscription.needs_info'],
    effects: ['tell_admins_provisioning_outcome'],
  },
};

export function isSubscriptionStage(value: string): value is SubscriptionStage {
  return (SUBSCRIPTION_STAGES as readonly string[]).includes(value);
}

/** Problems with the table: unknown stages, stages nothing reaches, stages with no way on. */
export function stageTableProblems(
  transitions: Readonly<Record<string, Transition>> = TRANSITIONS,
): string[] {
  const problems: string[] = [];
  const reachable = new Set<SubscriptionStage>([INITIAL_STAGE]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of Object.values(transitions))
      if (row.from.some((s) => reachable.has(s)) && !reachable.has(row.to)) {
        reachable.add(row.to);
        grew = true;
      }
  }
  for (const [name, row] of Object.entries(transitions)) {
    for (const stage of [...row.from, row.to])
      if (!isSubscriptionStage(stage)) problems.push(`${name}: unknown stage ${stage}`);
    if (row.from.includes(row.to)) problems.push(`${name}: ${row.to} -> ${row.to} is not a move`);
  }
  for (const stage of SUBSCRIPTION_STAGES)
    if (!reachable.has(stage)) problems.push(`${stage}: unreachable from ${INITIAL_STAGE}`);
  return [...problems, ...lineStatusProblems(transitions)];
}

/**
 * Moves of the line the table would make that the line lifecycle (orders/lifecycle.ts) forbids: every
 * (stage, line status) pair a subscription can reach is walked from booking, so a row that would move
 * a line backwards is reported at boot rather than refused by `advance` on the day it happens.
 */
export function lineStatusProblems(
  transitions: Readonly<Record<string, Transition>> = TRANSITIONS,
): string[] {
  const problems = new Set<string>();
  const seen = new Set<string>();
  const queue: [SubscriptionStage, LineStatus][] = [[INITIAL_STAGE, INITIAL_LINE_STATUS]];
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [stage, line] = next;
    for (const [name, row] of Object.entries(transitions)) {
      if (!row.from.includes(stage)) continue;
      const to = row.lineStatus ?? line;
      if (to !== line && !canTransition(line, to))
        problems.add(`${name}: moves a line ${line} -> ${to}, which the line lifecycle forbids`);
      const key = `${row.to} ${to}`;
      if (!seen.has(key)) {
        seen.add(key);
        queue.push([row.to, to]);
      }
    }
  }
  return [...problems];
}
