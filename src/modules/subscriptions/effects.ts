import type { TxCtx } from '../../platform/context.ts';
import type { SubscriptionEvent, SubscriptionStage } from './lifecycle.ts';

/**
 * Work other modules do when a subscription moves, named in the transition table (lifecycle.ts) and
 * contributed by the module that owns it (its declaration's `transitionEffects`). `advance` runs each
 * named effect in the caller's transaction, after the stage is written, with the subscriptions that
 * moved; the runtime refuses to boot when a named effect has no handler.
 */
export const TRANSITION_EFFECT_NAMES = [
  /** Links, emails: the start-date email with a setup link per line (provisioning). */
  'send_setup_emails',
  /** The Point of No Return ends every live setup link of the line (provisioning). */
  'end_setup_links',
  /** Site names and subdomains held for the setup become the customer's for good (service setup). */
  'make_reservations_permanent',
  /** The partner and the customer's admins are told the subscription is active (service setup). */
  'tell_admins_activated',
  /** The fulfilment request goes to the vendor's service or an operator (fulfilment). */
  'send_provision_request',
  /** The customer's admins are told what the vendor needs, or why provisioning failed (fulfilment). */
  'tell_admins_provisioning_outcome',
] as const;
export type TransitionEffectName = (typeof TRANSITION_EFFECT_NAMES)[number];

/** Work other modules do when subscriptions begin (an order booked), named in lifecycle.ts's `BOOKED`. */
export const BOOKING_EFFECT_NAMES = [
  /** Lines whose start date may already have begun wake the start-date dispatch (provisioning). */
  'queue_start_date_dispatch',
] as const;
export type BookingEffectName = (typeof BOOKING_EFFECT_NAMES)[number];

/** Every effect name a module may contribute a handler for. */
export const EFFECT_NAMES: readonly (TransitionEffectName | BookingEffectName)[] = [
  ...TRANSITION_EFFECT_NAMES,
  ...BOOKING_EFFECT_NAMES,
];

/** A subscription as it moved: enough for an effect to act without reading it again. */
export interface MovedSubscription {
  subscriptionId: string;
  lineId: string;
  lineNumber: number;
  orderId: string;
  orderNumber: string;
  reference: string;
  offerCode: string;
  quantity: number;
  partnerOrgId: string;
  placedByOrgId: string;
  /** The organizations it is mapped to, once it is. */
  mappedPartnerOrgId: string | null;
  customerOrgId: string | null;
  contactEmail: string;
  from: SubscriptionStage;
  to: SubscriptionStage;
  /** Billing started with this move (false when it had already started, or this move does not start it). */
  billingStartedNow: boolean;
  billingStartedAt: Date | null;
  billingStartReason: 'policy' | 'provisioned' | null;
}

export type TransitionEffect = (
  ctx: TxCtx,
  moved: readonly MovedSubscription[],
  event: SubscriptionEvent,
) => Promise<void>;

/** A line as booking writes it: what decides whether a booking effect applies. */
export interface BookingLine {
  lineId: string;
  orderId: string;
  partnerOrgId: string;
  placedByOrgId: string;
  /** The line's Requested Start Date (YYYY-MM-DD, in its partner's time zone). */
  requestedStartDate: string;
}

/** A subscription as booked: what an effect of booking needs without reading the order again. */
export interface BookedSubscription extends BookingLine {
  subscriptionId: string;
}

/**
 * Work a module does when an order is booked. `appliesTo` decides from the order alone (no database):
 * when no effect applies, the order is booked in its one statement without a transaction (docs/adr/0020);
 * when one does, the booking and `run` share the order's transaction.
 */
export interface BookingEffect {
  appliesTo(lines: readonly BookingLine[], now: Date): boolean;
  run(ctx: TxCtx, booked: readonly BookedSubscription[]): Promise<void>;
}

/**
 * The handlers modules contribute, by effect name: a move's effects take the subscriptions that
 * moved, booking's the subscriptions booked. Held by the runtime and every context (`ctx.transitionEffects`).
 */
export type TransitionEffects = Readonly<
  Partial<Record<TransitionEffectName, TransitionEffect> & Record<BookingEffectName, BookingEffect>>
>;
