import type { ModuleDeclaration } from '../declaration.ts';
import { pendingBacklog } from './deliveries-repository.ts';
import { purgeWebhookHistory } from './jobs.ts';
import { registerWorkspaceWebhookPages } from './pages.tsx';
import { relayWebhooks } from './relay.ts';
import { registerWebhookRoutes } from './routes.ts';

/**
 * Webhooks (docs/adr/0031): endpoints and their API, the workspace's *Settings → Webhooks* (the back
 * office mounts the same pages for the vendor's endpoints), the signed relay and the 30 days' purge.
 */
export const webhooksModule: ModuleDeclaration = {
  name: 'webhooks',
  apiRoutes: registerWebhookRoutes,
  pages: registerWorkspaceWebhookPages,
  jobs: [relayWebhooks, purgeWebhookHistory],
  eventTypes: ['webhook_endpoint.disabled'],
  outboxes: [{ name: 'webhooks', backlog: pendingBacklog }],
};
