import { type Ctx, inTransaction, type TxCtx } from '../../platform/context.ts';
import { normalizeEmail } from '../../platform/email.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import { findJoinRequest, type JoinRequest, settleJoinRequest } from '../identity/join-requests.ts';
import { mayDecideJoinRequest } from '../identity/policy.ts';
import { organizationNames } from '../identity/service.ts';
import { factsOf } from './consent.ts';
import { renderConsentDecisionEmail } from './consent-email.ts';
import { type MappingInput, mapInTransaction } from './mapping.ts';
import { lockSubscriptionLine } from './mapping-repository.ts';
import { findSetupRow } from './repository.ts';

/** An organization's admins decide a consent request (docs/adr/0022). */

type SetupRow = NonNullable<Awaited<ReturnType<typeof findSetupRow>>>;

export type ConsentDecision = 'approve' | 'refuse';
export type DecisionOutcome = 'approved' | 'refused' | 'outdated';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * An admin of the organization decides. One decision wins (a conditional UPDATE from pending);
 * the second, concurrent or later, is told `join_request_decided`. Approval replays the mapping
 * as it was chosen, in this transaction; if the line moved on meanwhile (mapped, or the contact
 * changed) the request is withdrawn instead and nothing is granted.
 */
export async function decideJoinRequest(
  ctx: Ctx,
  requestId: string,
  decision: ConsentDecision,
): Promise<DecisionOutcome> {
  if (!UUID.test(requestId)) throw notFound();
  const request = await findJoinRequest(ctx, requestId);
  if (!request || !mayDecideJoinRequest(ctx.actor, request.organizationId)) throw notFound();
  if (request.status === 'expired') throw new DomainError('join_request_expired', 409);
  return inTransaction(ctx, async (tx) => {
    // The line first, as mappings, resends and contact changes lock it: a mapping racing this
    // decision waits here instead of deadlocking on the request row.
    await lockSubscriptionLine(tx.db, request.subscriptionId);
    const row = await findSetupRow(tx.db, request.subscriptionId);
    if (!row) throw notFound();
    const stale =
      row.mapped_at !== null || normalizeEmail(row.provisioning_contact_email) !== request.contactEmail;
    const to = stale ? 'withdrawn' : decision === 'approve' ? 'approved' : 'refused';
    if (!(await settleJoinRequest(tx, requestId, to))) {
      // The expiry job may have come first: say so, the contact has been told to choose again.
      const now = await findJoinRequest(tx, requestId);
      throw new DomainError(now?.status === 'expired' ? 'join_request_expired' : 'join_request_decided', 409);
    }
    await recordAudit(tx, [
      {
        action: 'organization.join_decided',
        entityType: 'organization',
        entityId: request.organizationId,
        organizationId: request.organizationId,
        payload: { requestId, subscriptionId: request.subscriptionId, status: to },
      },
    ]);
    if (to === 'withdrawn') return 'outdated';
    if (to === 'approved') {
      // The approver is not the mapper: the mapping runs as Provisio on the contact's behalf, so
      // the contact, not the approver, receives any set-password link.
      const system = {
        ...tx,
        actor: { type: 'system' as const, name: 'organization-consent' },
        locale: row.order_locale,
      };
      const result = await mapInTransaction(system, row, request.mappingInput as MappingInput);
      // The choices need a second organization's consent too: its request is out, the contact
      // keeps waiting (and hears when the mapping is done).
      if (result.next === 'awaiting_approval') return 'approved';
    }
    await tellContact(tx, row, request, to);
    return to;
  });
}

async function tellContact(tx: TxCtx, row: SetupRow, request: JoinRequest, decision: 'approved' | 'refused') {
  const names = await organizationNames(tx, [row.order_partner_org_id]);
  const locale = request.requesterLocale;
  await queueEmail(tx, {
    kind: `consent.${decision}`,
    to: request.contactEmail,
    locale,
    ...renderConsentDecisionEmail({
      ...factsOf(
        row,
        request.organizationName,
        names.get(row.order_partner_org_id) ?? '',
        request.subjectEmail,
      ),
      locale,
      decision,
      url: decision === 'approved' ? `${tx.config.publicUrl}/hub` : tx.config.publicUrl,
    }),
  });
}
