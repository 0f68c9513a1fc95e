import type { OrderPagePanel } from '../orders/panels.ts';
import { MatchPreview } from './match-preview.tsx';
import { previewOrderMatches } from './preview.ts';

/** What onboarding shows on the order page (orders/panels.ts). */
export const SETUP_ORDER_PANELS: readonly OrderPagePanel[] = [
  {
    // Where each unmapped line's contact would land (issue 7 item 12), under the address, before its actions.
    name: 'setup.match-preview',
    rank: 10,
    async load({ ctx, t, order }) {
      const previews = await previewOrderMatches(ctx, order);
      return { lineContact: (line) => <MatchPreview t={t} outcome={previews.get(line.id)} /> };
    },
  },
];
