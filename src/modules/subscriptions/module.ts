import type { ModuleDeclaration } from '../declaration.ts';
import type { EventType } from '../events/catalogue.ts';
import { TRANSITIONS } from './lifecycle.ts';

/** The one owner of a subscription's life: it writes the events its transition table names. */
export const subscriptionsModule: ModuleDeclaration = {
  name: 'subscriptions',
  eventTypes: [...new Set<EventType>(Object.values(TRANSITIONS).flatMap((t) => t.events))],
};
