import type { OrderPagePanel } from '../orders/panels.ts';
import { orderProvisioning } from './pages.tsx';
import { lineTimers } from './timeline.ts';
import { LineDeadline, LineHistoryDetails } from './timeline.tsx';

/** What provisioning shows on the order page (orders/panels.ts). */
export const PROVISIONING_ORDER_PANELS: readonly OrderPagePanel[] = [
  {
    // The outcome of the last resend or edit above the facts; each line's Resend, Start now and Edit.
    name: 'provisioning.line-actions',
    rank: 20,
    async load({ ctx, t, order, query }) {
      const provisioning = await orderProvisioning(ctx, t, order, query);
      return { top: provisioning.notice, lineContact: (line) => provisioning.actions(line) };
    },
  },
  {
    // Beside each line's status: when billing starts if nobody sets it up, and its history (folded).
    name: 'provisioning.line-timeline',
    rank: 10,
    async load({ ctx, t, order }) {
      const timers = await lineTimers(ctx, order);
      return {
        lineStatus: (line) => (
          <>
            <LineDeadline t={t} facts={timers.facts.get(line.id)} now={timers.now} />
            <LineHistoryDetails t={t} orderId={order.id} lineId={line.id} />
          </>
        ),
      };
    },
  },
];
