import { type Ctx, inTransaction, type TxCtx } from '../../platform/context.ts';
import { displayEmail } from '../../platform/email.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import {
  approvedOrganizations,
  insertJoinRequest,
  type JoinRequest,
  latestJoinRequests,
  organizationAdmins,
  settleJoinRequest,
} from '../identity/join-requests.ts';
import { organizationNames } from '../identity/service.ts';
import { renderConsentRequestEmail } from './consent-email.ts';
import type { MappingInput, MappingResult } from './mapping.ts';
import type { findSetupRow } from './repository.ts';

/**
 * Consent across organizations (docs/adr/0022). A mapping that would make someone a member or an
 * admin of an existing organization they were only proposed for (by domain or by search), or give
 * a partner access to an existing customer, writes a request instead; the organization's admins
 * approve it (the mapping then completes exactly as chosen, in their transaction) or refuse it (the
 * link stays usable). Until then nothing is granted.
 */

export interface ConsentNeeded {
  orgId: string;
  reason: 'join' | 'partner_access';
  side: 'partner' | 'customer';
  /** Who would join or be named admin. */
  subjectEmail: string;
}

type SetupRow = NonNullable<Awaited<ReturnType<typeof findSetupRow>>>;

export function consentedOrganizations(tx: TxCtx, subscriptionId: string, contact: string) {
  return approvedOrganizations(tx, subscriptionId, contact);
}

export function factsOf(row: SetupRow, organization: string, partner: string, subject: string) {
  return {
    organization,
    partner,
    subject: displayEmail(subject),
    orderReference: row.reference,
    subscriptionId: row.subscription_id,
    offerName: row.offer_name,
  };
}

/** Writes the request and tells the organization's admins (hub and email, each in their language). */
export async function requestConsent(
  tx: TxCtx,
  row: SetupRow,
  contact: string,
  input: MappingInput,
  needed: ConsentNeeded,
): Promise<MappingResult> {
  const admins = await organizationAdmins(tx, needed.orgId);
  // Nobody could ever approve: say so now, with the way out, rather than wait forever.
  if (!admins.length)
    throw new DomainError('organization_without_admins', 409, {}, [
      { field: needed.side, rule: 'organization_without_admins' },
    ]);
  // A request made for an earlier contact of the line (the partner changed it) no longer speaks for anyone.
  const earlier = await joinRequestOf(tx, row.subscription_id);
  if (earlier?.status === 'pending' && earlier.contactEmail !== contact)
    await settleJoinRequest(tx, earlier.id, 'withdrawn');
  const id = await insertJoinRequest(tx, {
    subscriptionId: row.subscription_id,
    organizationId: needed.orgId,
    reason: needed.reason,
    side: needed.side,
    contactEmail: contact,
    subjectEmail: needed.subjectEmail,
    requesterLocale: tx.locale,
    mappingInput: input,
  });
  if (!id) throw new DomainError('organization_approval_pending', 409);
  const names = await organizationNames(tx, [needed.orgId, row.order_partner_org_id]);
  const organization = names.get(needed.orgId) ?? '';
  const partner = names.get(row.order_partner_org_id) ?? '';
  for (const admin of admins) {
    await queueEmail(tx, {
      kind: 'consent.request',
      to: admin.email,
      locale: admin.locale,
      ...renderConsentRequestEmail({
        ...factsOf(row, organization, partner, needed.subjectEmail),
        locale: admin.locale,
        reason: needed.reason,
        url: `${tx.config.publicUrl}/hub#requests`,
      }),
    });
  }
  await recordAudit(tx, [
    {
      action: 'organization.join_requested',
      entityType: 'organization',
      entityId: needed.orgId,
      organizationId: needed.orgId,
      payload: { requestId: id, subscriptionId: row.subscription_id, reason: needed.reason },
    },
  ]);
  return { next: 'awaiting_approval', organizationName: organization, requestId: id };
}

/** The subscription's latest request, for whoever may already see the subscription. */
export async function joinRequestOf(ctx: Ctx, subscriptionId: string): Promise<JoinRequest | undefined> {
  return (await latestJoinRequests(ctx, [subscriptionId])).get(subscriptionId);
}

/**
 * The link holder takes the request back (to choose or create another organization): the link
 * stays usable. Only the pending request of the link's own subscription.
 */
export async function withdrawJoinRequest(ctx: Ctx, subscriptionId: string): Promise<void> {
  if (ctx.actor.type !== 'setup_link' || ctx.actor.subscriptionId !== subscriptionId) throw notFound();
  const request = await joinRequestOf(ctx, subscriptionId);
  if (request?.status !== 'pending') return;
  await inTransaction(ctx, async (tx) => {
    if (!(await settleJoinRequest(tx, request.id, 'withdrawn'))) return;
    await recordAudit(tx, [
      {
        action: 'organization.join_decided',
        entityType: 'organization',
        entityId: request.organizationId,
        organizationId: request.organizationId,
        payload: { requestId: request.id, subscriptionId, status: 'withdrawn' },
      },
    ]);
  });
}
