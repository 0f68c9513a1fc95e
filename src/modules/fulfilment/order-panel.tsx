import type { Child } from 'hono/jsx';
import type { Ctx } from '../../platform/context.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { mayPlaceOrders, maySetUpServices } from '../identity/policy.ts';
import type { OrderPagePanel } from '../orders/panels.ts';
import type { OrderLineView, OrderView } from '../orders/schema.ts';
import * as repo from './repository.ts';
import { latestRequestViews } from './requests.ts';
import { isFulfilmentStage } from './schema.ts';
import { FulfilmentNote } from './views.tsx';

/**
 * What the order page shows under a line whose subscription the vendor is provisioning: waiting, what
 * it asked for, or why it failed with *Retry* (for those who may set it up) and *Open a case*. Two
 * queries for the whole order, only when a line is in such a stage.
 */
export async function orderLineFulfilment(
  ctx: Ctx,
  t: Translate,
  locale: Locale,
  order: OrderView,
): Promise<(line: OrderLineView) => Child> {
  const ids = order.lines.filter((l) => isFulfilmentStage(l.subscriptionStage)).map((l) => l.subscriptionId);
  if (ids.length === 0) return () => null;
  const [requests, facts] = await Promise.all([latestRequestViews(ctx, ids), repo.mappingFacts(ctx.db, ids)]);
  const mapping = new Map(facts.map((f) => [f.id, f]));
  const mayOpenCase = mayPlaceOrders(ctx.actor);
  return (line) => {
    const stage = line.subscriptionStage;
    const m = mapping.get(line.subscriptionId);
    if (!isFulfilmentStage(stage) || !m?.partner_org_id || !m.customer_org_id) return null;
    const mayAct = maySetUpServices(ctx.actor, {
      order: { partnerOrgId: order.partnerOrgId, placedByOrgId: order.placedByOrgId },
      partnerOrgId: m.partner_org_id,
      customerOrgId: m.customer_org_id,
      partnerManagesCustomer: m.access !== null,
    });
    return (
      <FulfilmentNote
        t={t}
        locale={locale}
        subscriptionId={line.subscriptionId}
        stage={stage}
        request={requests.get(line.subscriptionId)}
        mayAct={mayAct}
        mayOpenCase={mayOpenCase}
      />
    );
  };
}

/** What fulfilment shows on the order page (orders/panels.ts). */
export const FULFILMENT_ORDER_PANELS: readonly OrderPagePanel[] = [
  {
    // Right under the line's badge, before its deadline and history.
    name: 'fulfilment.line-outcome',
    rank: 5,
    async load({ ctx, t, locale, order }) {
      const note = await orderLineFulfilment(ctx, t, locale, order);
      return { lineStatus: note };
    },
  },
];
