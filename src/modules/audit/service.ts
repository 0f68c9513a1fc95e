import type { Ctx } from '../../platform/context.ts';
import { type AccountableActor, requireAccountable } from '../identity/policy.ts';
import { insertAuditEvents } from './repository.ts';

/** Each action maps to the shape of its payload, so history stays readable as it grows. */
export interface AuditPayloads {
  'organization.created': { name: string; kind: string };
  'user.created': { email: string; role: string };
  'user.password_changed': { sessionsEnded: number };
  'api_key.created': { name: string; prefix: string };
  'api_key.revoked': { name: string; prefix: string };
  'order_line.status_changed': { from: string; to: string; reason: string };
  'subscription.billing_started': { reason: 'policy' | 'provisioned' };
  /** Every move of a subscription's stage, by the event that caused it (subscriptions/advance.ts). */
  'subscription.stage_changed': { from: string; to: string; event: string };
  'provisioning.escalated': { to: string };
  /** An operator reached the partner of an escalated line (docs/adr/0036). */
  'provisioning.escalation_contacted': { subscriptionId: string; note: string };
  'provisioning.email_sent': { to: string; messageKind: 'start' | 'resend' | 'contact_changed' };
  'provisioning.link_opened': { linkId: string };
  'provisioning.resent': { transactionId: string; to: string };
  'provisioning.contact_changed': { from: string; to: string };
  'provisioning.started_now': { from: string; to: string };
  'subscription.mapped': {
    partnerOrgId: string;
    customerOrgId: string;
    setupAssignee?: 'partner' | 'customer';
  };
  'subscription.provisioned': { billingStartedNow: boolean };
  'managed_customer.added': { partnerOrgId: string; customerOrgId: string; access: string };
  'managed_customer.full_admin_requested': { partnerOrgId: string; customerOrgId: string };
  'managed_customer.full_admin_granted': { partnerOrgId: string; customerOrgId: string };
  /** The admin hub's management actions (docs/adr/0035). */
  'organization.updated': { changed: string[]; name: string };
  'user.role_changed': { email: string; from: string; to: string };
  'user.removed': { email: string; role: string };
  'calling_location.added': { subscriptionId: string; name: string; country: string };
  'calling_location.updated': { subscriptionId: string; name: string; country: string };
  'calling_location.removed': { subscriptionId: string; name: string; country: string };
  'setup.meeting_sites_saved': { sites: string[] };
  'setup.calling_location_saved': { name: string; country: string };
  'setup.subdomain_saved': { subdomain: string };
  'setup.reservations_released': { sites: number; subdomains: number };
  'user.invited': { purpose: 'set_password' | 'set_up_services' };
  'organization.join_requested': {
    requestId: string;
    subscriptionId: string;
    reason: 'join' | 'partner_access';
  };
  'organization.join_decided': {
    requestId: string;
    subscriptionId: string;
    status: 'approved' | 'refused' | 'withdrawn';
  };
  /** Nobody decided within JOIN_REQUEST_EXPIRY_DAYS (`days`); recorded by Provisio's own timer. */
  'organization.join_expired': { requestId: string; subscriptionId: string; days: number };
  /** A fulfilment request was made (Provision, Retry, resubmission) or sent again after Provisio gave up. */
  'fulfilment.requested': {
    requestId: string;
    mode: 'manual' | 'http';
    supersedes: string | null;
    again: boolean;
  };
  /** Its answer, by whom (the vendor's service, an operator, or Provisio giving up on an unreachable one). */
  'fulfilment.answered': {
    requestId: string;
    state: 'succeeded' | 'failed' | 'needs_info' | 'given_up';
    by: 'vendor_service' | 'operator' | 'provisio';
    code: string | null;
  };
  /** Nobody answered within FULFILMENT_STALL_HOURS: the account representative was told. */
  'fulfilment.stalled_reported': { requestId: string; to: string };
  'support_case.opened': { caseNumber: string; requestType: string; screenshots: number };
  'support_case.message_added': { caseNumber: string };
  'support_case.answered': { caseNumber: string; recipients: number };
  'support_case.closed': { caseNumber: string };
  'webhook_endpoint.created': { url: string; eventTypes: string[] };
  'webhook_endpoint.updated': { url: string; eventTypes: string[]; enabled: boolean };
  'webhook_endpoint.deleted': { url: string };
  'webhook_endpoint.secret_rotated': { previousSecretExpiresAt: string };
  'webhook_endpoint.disabled': { url: string; reason: 'gone' | 'failing' };
  'webhook_endpoint.recovered': { since: string; eventTypes: string[]; queued: number };
}
export type AuditAction = keyof AuditPayloads;

export interface AuditEntry<A extends AuditAction = AuditAction> {
  action: A;
  entityType: string;
  entityId: string;
  organizationId: string | null;
  payload: AuditPayloads[A];
}

function actorColumns(actor: AccountableActor): { actor_type: AccountableActor['type']; actor_id: string } {
  if (actor.type === 'user') return { actor_type: 'user', actor_id: actor.userId };
  if (actor.type === 'api_key') return { actor_type: 'api_key', actor_id: actor.apiKeyId };
  if (actor.type === 'setup_link') return { actor_type: 'setup_link', actor_id: actor.linkId };
  return { actor_type: 'system', actor_id: actor.name };
}

/** Appends history entries; call it inside the transaction that makes the change. */
export async function recordAudit(ctx: Ctx, entries: AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const at = ctx.clock.now();
  const actor = actorColumns(requireAccountable(ctx.actor));
  await insertAuditEvents(
    ctx.db,
    entries.map((e) => ({
      occurred_at: at,
      ...actor,
      organization_id: e.organizationId,
      entity_type: e.entityType,
      entity_id: e.entityId,
      action: e.action,
      payload: JSON.stringify(e.payload),
      request_id: ctx.requestId,
    })),
  );
}
