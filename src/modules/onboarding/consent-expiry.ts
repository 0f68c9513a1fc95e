import { type Ctx, inTransaction } from '../../platform/context.ts';
import { normalizeEmail } from '../../platform/email.ts';
import { queueEmail } from '../../platform/mail/outbox.ts';
import { type AuditEntry, recordAudit } from '../audit/service.ts';
import { type ExpiredJoinRequest, expireJoinRequests } from '../identity/join-requests.ts';
import { organizationNames } from '../identity/service.ts';
import { factsOf } from './consent.ts';
import { renderConsentDecisionEmail } from './consent-email.ts';
import { findSetupRow } from './repository.ts';

/**
 * Requests nobody answered (docs/adr/0022): past JOIN_REQUEST_EXPIRY_DAYS a pending request expires,
 * the contact hears what to do next (the same link still works) and the audit says so. Each batch is
 * one conditional UPDATE from pending, so a decision racing it either came first (and the request is
 * not expired) or finds it expired (`join_request_expired`): exactly one wins.
 */

const BATCH = 100;
const DAY_MS = 86_400_000;

export async function expireUnansweredJoinRequests(ctx: Ctx, signal?: AbortSignal): Promise<number> {
  const days = ctx.config.joinRequestExpiryDays;
  let expired = 0;
  for (;;) {
    const cutoff = new Date(ctx.clock.now().getTime() - days * DAY_MS);
    const batch = await inTransaction(ctx, async (tx) => {
      const requests = await expireJoinRequests(tx, cutoff, BATCH);
      for (const request of requests) await tellContact(tx, request, days);
      const entries: AuditEntry[] = requests.map((r) => ({
        action: 'organization.join_expired',
        entityType: 'organization',
        entityId: r.organizationId,
        organizationId: r.organizationId,
        payload: { requestId: r.id, subscriptionId: r.subscriptionId, days },
      }));
      await recordAudit(tx, entries);
      return requests.length;
    });
    expired += batch;
    if (batch < BATCH || signal?.aborted) return expired;
  }
}

/**
 * The contact the request was made for, if it is still the line's contact and nothing was mapped
 * meanwhile: an earlier contact's link has ended, so telling them to use it again would mislead.
 */
async function tellContact(ctx: Ctx, request: ExpiredJoinRequest, days: number): Promise<void> {
  const row = await findSetupRow(ctx.db, request.subscriptionId);
  if (!row || row.mapped_at !== null) return;
  if (normalizeEmail(row.provisioning_contact_email) !== request.contactEmail) return;
  const names = await organizationNames(ctx, [request.organizationId, row.order_partner_org_id]);
  const locale = row.order_locale;
  await queueEmail(ctx, {
    kind: 'consent.expired',
    to: request.contactEmail,
    locale,
    ...renderConsentDecisionEmail({
      ...factsOf(
        row,
        names.get(request.organizationId) ?? '',
        names.get(row.order_partner_org_id) ?? '',
        request.contactEmail,
      ),
      locale,
      decision: 'expired',
      days,
      url: ctx.config.publicUrl,
    }),
  });
}
