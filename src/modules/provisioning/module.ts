import type { ModuleDeclaration } from '../declaration.ts';
import { dispatchDue, settleTransactionEmail } from './jobs.ts';
import { PROVISIONING_ORDER_PANELS } from './order-panels.tsx';
import { registerProvisioningPages } from './pages.tsx';
import { registerProvisioningRoutes } from './routes.ts';
import { registerSubscriptionPages } from './subscriptions-pages.tsx';
import { registerTimelinePages } from './timeline.tsx';
import { escalationJob, policyWindowJob } from './timers.ts';
import { registerTransactionPages } from './transactions-pages.tsx';
import { registerProvisioningHistoryRoutes } from './transactions-routes.ts';
import { endSetupLinks, queueStartDateDispatch, sendSetupEmails } from './transition-effects.ts';

/**
 * The provisioning email's life: the start-date dispatch and its timers, setup links, resends and
 * contact changes, the Cloud/SaaS Subscriptions and Transaction Manager pages, and the line actions
 * and history on the order page.
 */
export const provisioningModule: ModuleDeclaration = {
  name: 'provisioning',
  apiRoutes(api) {
    registerProvisioningRoutes(api);
    registerProvisioningHistoryRoutes(api);
  },
  pages(app) {
    registerProvisioningPages(app);
    registerTimelinePages(app);
    registerSubscriptionPages(app);
    registerTransactionPages(app);
  },
  jobs: [dispatchDue, policyWindowJob, escalationJob],
  mailResultHandlers: { 'provisioning.transaction': settleTransactionEmail },
  transitionEffects: {
    queue_start_date_dispatch: queueStartDateDispatch,
    send_setup_emails: sendSetupEmails,
    end_setup_links: endSetupLinks,
  },
  orderPagePanels: PROVISIONING_ORDER_PANELS,
};
