import { isoDate } from '../../platform/clock.ts';
import type { Ctx } from '../../platform/context.ts';
import type { Executor } from '../../platform/db.ts';
import { notFound } from '../../platform/errors.ts';
import { mayFulfil } from '../identity/policy.ts';
import { isSubscriptionVisible } from '../orders/service.ts';
import type { SubscriptionStage } from '../subscriptions/lifecycle.ts';
import { latestRequestViews, type ProvisionRequestView } from './requests.ts';

/**
 * A subscription as an integrator follows it (getSubscription): its stage, when and why billing started,
 * the vendor's tenant id, and its latest fulfilment request. Visible to whoever sees its order, and to
 * the vendor's own keys; to anyone else it does not exist.
 */
export interface SubscriptionView {
  id: string;
  orderId: string;
  lineId: string;
  offerCode: string;
  quantity: number;
  stage: SubscriptionStage;
  stageChangedAt: Date | null;
  partnerOrgId: string | null;
  customerOrgId: string | null;
  mappedAt: Date | null;
  provisionedAt: Date | null;
  billingStart: { date: string; startedAt: Date; reason: 'policy' | 'provisioned' } | null;
  externalTenantId: string | null;
  provisionRequest: ProvisionRequestView | null;
}

const SUBSCRIPTION_ID = /^SUB-\d{1,18}$/;

function findSubscription(db: Executor, id: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .select([
      's.id',
      's.stage',
      's.stage_changed_at',
      's.partner_org_id',
      's.customer_org_id',
      's.mapped_at',
      's.provisioned_at',
      's.billing_started_at',
      's.billing_start_reason',
      's.external_tenant_id',
      'l.id as line_id',
      'l.order_id',
      'l.offer_code',
      'l.quantity',
    ])
    .where('s.id', '=', id)
    .executeTakeFirst();
}

export async function getSubscriptionView(ctx: Ctx, subscriptionId: string): Promise<SubscriptionView> {
  if (!SUBSCRIPTION_ID.test(subscriptionId)) throw notFound();
  if (!mayFulfil(ctx.actor) && !(await isSubscriptionVisible(ctx, subscriptionId))) throw notFound();
  const row = await findSubscription(ctx.db, subscriptionId);
  if (!row) throw notFound();
  const request = (await latestRequestViews(ctx, [subscriptionId])).get(subscriptionId) ?? null;
  return {
    id: row.id,
    orderId: row.order_id,
    lineId: row.line_id,
    offerCode: row.offer_code,
    quantity: row.quantity,
    stage: row.stage as SubscriptionStage,
    stageChangedAt: row.stage_changed_at,
    partnerOrgId: row.partner_org_id,
    customerOrgId: row.customer_org_id,
    mappedAt: row.mapped_at,
    provisionedAt: row.provisioned_at,
    billingStart:
      row.billing_started_at && row.billing_start_reason
        ? {
            date: isoDate(row.billing_started_at),
            startedAt: row.billing_started_at,
            reason: row.billing_start_reason,
          }
        : null,
    externalTenantId: row.external_tenant_id,
    provisionRequest: request,
  };
}
