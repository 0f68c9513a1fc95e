import type { ModuleDeclaration } from '../declaration.ts';
import { purgeEventsJob } from './retention.ts';
import { registerEventRoutes } from './routes.ts';

/** Outgoing events: the catalogue (`listEventTypes`), the feed (`listEvents`) and their 30 days' purge. */
export const eventsModule: ModuleDeclaration = {
  name: 'events',
  apiRoutes: registerEventRoutes,
  jobs: [purgeEventsJob],
};
