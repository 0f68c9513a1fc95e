import { randomUUID } from 'node:crypto';
import type { Ctx } from '../../platform/context.ts';
import type { Locale } from '../../platform/i18n.ts';
import * as repo from './join-requests-repository.ts';

/**
 * Requests to join an organization, or to give a partner access to an existing customer
 * (docs/adr/0022). This module keeps the table and its lifecycle; onboarding decides when one is
 * needed and what approval completes. Status moves only from pending, by one conditional UPDATE.
 */

export type JoinRequestStatus = repo.JoinRequestStatus;

/** pending → approved | refused | withdrawn | expired; nothing leaves a decided request. */
export const JOIN_REQUEST_TRANSITIONS: Readonly<Record<JoinRequestStatus, readonly JoinRequestStatus[]>> = {
  pending: ['approved', 'refused', 'withdrawn', 'expired'],
  approved: [],
  refused: [],
  withdrawn: [],
  expired: [],
};

export interface JoinRequest {
  id: string;
  subscriptionId: string;
  organizationId: string;
  organizationName: string;
  reason: 'join' | 'partner_access';
  side: 'partner' | 'customer';
  status: JoinRequestStatus;
  contactEmail: string;
  subjectEmail: string;
  requesterLocale: Locale;
  mappingInput: unknown;
  requestedAt: Date;
  decidedAt: Date | null;
}

type Row = NonNullable<Awaited<ReturnType<typeof repo.findById>>>;

function present(r: Row): JoinRequest {
  return {
    id: r.id,
    subscriptionId: r.subscription_id,
    organizationId: r.organization_id,
    organizationName: r.organization_name,
    reason: r.reason,
    side: r.side,
    status: r.status,
    contactEmail: r.contact_email,
    subjectEmail: r.subject_email,
    requesterLocale: r.requester_locale,
    mappingInput: typeof r.mapping_input === 'string' ? JSON.parse(r.mapping_input) : r.mapping_input,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
  };
}

/** Writes a pending request; undefined when the subscription already waits on one. */
export async function insertJoinRequest(
  ctx: Ctx,
  r: Omit<JoinRequest, 'id' | 'status' | 'organizationName' | 'requestedAt' | 'decidedAt'>,
): Promise<string | undefined> {
  const id = randomUUID();
  const inserted = await repo.insertPending(ctx.db, {
    id,
    subscription_id: r.subscriptionId,
    organization_id: r.organizationId,
    reason: r.reason,
    side: r.side,
    contact_email: r.contactEmail,
    subject_email: r.subjectEmail,
    requester_locale: r.requesterLocale,
    mapping_input: JSON.stringify(r.mappingInput),
    requested_at: ctx.clock.now(),
  });
  return inserted ? id : undefined;
}

/** The caller has checked it may see it. */
export async function findJoinRequest(ctx: Ctx, id: string): Promise<JoinRequest | undefined> {
  const row = await repo.findById(ctx.db, id);
  return row ? present(row) : undefined;
}

/** Each subscription's latest request (the caller may see those subscriptions). */
export async function latestJoinRequests(
  ctx: Ctx,
  subscriptionIds: string[],
): Promise<Map<string, JoinRequest>> {
  const rows = await repo.findLatestOfSubscriptions(ctx.db, subscriptionIds);
  return new Map(rows.map((r) => [r.subscription_id, present(r)]));
}

/** Organizations whose admins approved requests of this subscription for this contact. */
export async function approvedOrganizations(
  ctx: Ctx,
  subscriptionId: string,
  contactEmail: string,
): Promise<Set<string>> {
  return new Set(await repo.findApprovedOrganizations(ctx.db, subscriptionId, contactEmail));
}

export type OrganizationJoinRequest = JoinRequest & {
  orderNumber: string;
  reference: string;
  partnerName: string;
  offerName: string;
};

/** An organization's requests, pending first (the caller decides who may see them). */
export async function joinRequestsOfOrganization(
  ctx: Ctx,
  organizationId: string,
): Promise<OrganizationJoinRequest[]> {
  const rows = await repo.findOfOrganization(ctx.db, organizationId, 50);
  return rows.map((r) => ({
    ...present(r),
    orderNumber: r.order_number,
    reference: r.reference,
    partnerName: r.partner_name,
    offerName: r.offer_name,
  }));
}

/** Moves a pending request on; false when it was not pending any more (someone else came first). */
export function settleJoinRequest(
  ctx: Ctx,
  id: string,
  to: Exclude<JoinRequestStatus, 'pending'>,
): Promise<boolean> {
  const userId = ctx.actor.type === 'user' ? ctx.actor.userId : null;
  return repo.decide(ctx.db, id, to, ctx.clock.now(), userId);
}

export interface ExpiredJoinRequest {
  id: string;
  subscriptionId: string;
  organizationId: string;
  reason: 'join' | 'partner_access';
  contactEmail: string;
  requestedAt: Date;
}

/**
 * Moves up to `limit` requests pending since before `cutoff` to `expired` (one conditional UPDATE);
 * returns those this call moved, so each is announced once whoever else runs at the same time.
 */
export async function expireJoinRequests(
  ctx: Ctx,
  cutoff: Date,
  limit: number,
): Promise<ExpiredJoinRequest[]> {
  const rows = await repo.expirePendingBefore(ctx.db, cutoff, ctx.clock.now(), limit);
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    organizationId: r.organization_id,
    reason: r.reason,
    contactEmail: r.contact_email,
    requestedAt: r.requested_at,
  }));
}

/** Who decides: the organization's admins, each with their language. */
export async function organizationAdmins(ctx: Ctx, organizationId: string) {
  const rows = await repo.findAdmins(ctx.db, organizationId);
  return rows.map((r) => ({ id: r.id, email: r.email, locale: r.locale as Locale, timeZone: r.time_zone }));
}
