import type { Ctx } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n.ts';
import { type JoinRequestStatus, latestJoinRequests } from '../identity/join-requests.ts';
import {
  mayActOnProvisioning,
  mayMapSubscription,
  mayOperate,
  maySetUpServices,
  type PartnerAccess,
} from '../identity/policy.ts';
import type { LineStatus } from '../orders/lifecycle.ts';
import type { SubscriptionStage } from '../subscriptions/lifecycle.ts';
import * as repo from './repository.ts';

/**
 * A subscription as the setup wizard sees it (getSetup): the line and order it came from, the
 * services it has, and how far mapping (W3–W8) and service setup (S1–S7) have come.
 */
export interface SetupView {
  subscriptionId: string;
  lineId: string;
  lineNumber: number;
  lineStatus: LineStatus;
  order: {
    id: string;
    number: string;
    reference: string;
    partnerOrgId: string;
    placedByOrgId: string;
    locale: Locale;
    endCustomerName: string;
    endCustomerCountry: string | null;
  };
  /** `fulfilment`: who provisions it once Provision is pressed (none: Provision activates it). */
  offer: { code: string; name: string; fulfilment: 'none' | 'manual' | 'http' };
  quantity: number;
  services: { code: string; quantity: number }[];
  requestedStartDate: string;
  provisioningContactEmail: string;
  mapping: null | {
    partner: { id: string; name: string };
    customer: { id: string; name: string };
    mappedAt: Date;
    setupAssignee: 'partner' | 'customer';
    /** The partner's access to the customer organization; null when it has none (the customer sets up). */
    partnerAccess: 'full_admin' | 'provisioning_admin' | null;
  };
  /** Where the subscription's life is (subscriptions/lifecycle.ts). */
  stage: SubscriptionStage;
  provisionedAt: Date | null;
  billingStartedAt: Date | null;
  billingStartReason: 'policy' | 'provisioned' | null;
  /** The latest request to an organization's admins (docs/adr/0022), if the mapping needed one. */
  organizationApproval: {
    status: JoinRequestStatus;
    organizationName: string;
    requestedAt: Date;
    decidedAt: Date | null;
  } | null;
}

const SUBSCRIPTION_ID = /^SUB-\d{1,18}$/;

type SetupRow = NonNullable<Awaited<ReturnType<typeof repo.findSetupRow>>>;

/** May this actor read the subscription's setup? Anyone who may map it or set it up, and operators. */
/**
 * The caller's own partner organization's access to the subscription's customer, when it is not
 * the subscription's partner: a full admin may see and set up all the customer's setups.
 */
export async function viewerAccess(
  ctx: Ctx,
  mapping: { partnerOrgId: string; customerOrgId: string } | null,
): Promise<PartnerAccess | null> {
  const a = ctx.actor;
  if (!mapping || (a.type !== 'user' && a.type !== 'api_key')) return null;
  if (a.orgId === mapping.partnerOrgId || a.orgId === mapping.customerOrgId) return null;
  return repo.findPartnerAccess(ctx.db, a.orgId, mapping.customerOrgId);
}

function maySeeSetup(ctx: Ctx, row: SetupRow, access: PartnerAccess | null): boolean {
  const order = { partnerOrgId: row.order_partner_org_id, placedByOrgId: row.placed_by_org_id };
  if (mayOperate(ctx.actor) || ctx.actor.type === 'system') return true;
  if (!row.mapped_at) return mayMapSubscription(ctx.actor, { subscriptionId: row.subscription_id, ...order });
  if (mayActOnProvisioning(ctx.actor, order)) return true;
  return (
    row.partner_org_id !== null &&
    row.customer_org_id !== null &&
    maySetUpServices(ctx.actor, {
      order,
      partnerOrgId: row.partner_org_id,
      customerOrgId: row.customer_org_id,
      partnerManagesCustomer: row.partner_access !== null,
      viewerAccess: access,
    })
  );
}

export async function getSetup(ctx: Ctx, subscriptionId: string): Promise<SetupView> {
  if (!SUBSCRIPTION_ID.test(subscriptionId)) throw notFound();
  const row = await repo.findSetupRow(ctx.db, subscriptionId);
  if (!row) throw notFound();
  const mapped =
    row.mapped_at && row.partner_org_id && row.customer_org_id
      ? { partnerOrgId: row.partner_org_id, customerOrgId: row.customer_org_id }
      : null;
  if (!maySeeSetup(ctx, row, await viewerAccess(ctx, mapped))) throw notFound();
  const services = await repo.findLineServices(ctx.db, row.line_id);
  const approval = (await latestJoinRequests(ctx, [row.subscription_id])).get(row.subscription_id);
  return {
    subscriptionId: row.subscription_id,
    lineId: row.line_id,
    lineNumber: row.line_number,
    lineStatus: row.line_status as LineStatus,
    order: {
      id: row.order_id,
      number: row.order_number,
      reference: row.reference,
      partnerOrgId: row.order_partner_org_id,
      placedByOrgId: row.placed_by_org_id,
      locale: row.order_locale,
      endCustomerName: row.end_customer_name,
      endCustomerCountry: row.end_customer_country,
    },
    offer: { code: row.offer_code, name: row.offer_name, fulfilment: row.fulfilment_mode },
    quantity: row.quantity,
    services: services.map((s) => ({ code: s.service_code, quantity: s.quantity })),
    requestedStartDate: row.requested_start_date,
    provisioningContactEmail: row.provisioning_contact_email,
    mapping:
      row.mapped_at && row.partner_org_id && row.customer_org_id && row.setup_assignee
        ? {
            partner: { id: row.partner_org_id, name: row.partner_org_name ?? '' },
            customer: { id: row.customer_org_id, name: row.customer_org_name ?? '' },
            mappedAt: row.mapped_at,
            setupAssignee: row.setup_assignee,
            partnerAccess: row.partner_access ?? null,
          }
        : null,
    stage: row.stage as SubscriptionStage,
    provisionedAt: row.provisioned_at,
    billingStartedAt: row.billing_started_at,
    billingStartReason: row.billing_start_reason,
    organizationApproval: approval
      ? {
          status: approval.status,
          organizationName: approval.organizationName,
          requestedAt: approval.requestedAt,
          decidedAt: approval.decidedAt,
        }
      : null,
  };
}
