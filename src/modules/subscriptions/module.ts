import type { ModuleDeclaration } from '../declaration.ts';
import type { EventType } from '../events/catalogue.ts';
import { TRANSITIONS } from './lifecycle.ts';
import { countByStage } from './repository.ts';

/** The one owner of a subscription's life: it writes the events its transition table names. */
export const subscriptionsModule: ModuleDeclaration = {
  name: 'subscriptions',
  eventTypes: [...new Set<EventType>(Object.values(TRANSITIONS).flatMap((t) => t.events))],
  gauges: [
    {
      name: 'subscriptions',
      help: 'Subscriptions at each stage of their life (docs/adr/0029).',
      labelNames: ['stage'],
      read: async (db) =>
        (await countByStage(db)).map(({ stage, count }) => ({ labels: { stage }, value: count })),
    },
  ],
};
