import type { ModuleDeclaration } from '../declaration.ts';
import { expireJoinRequestsJob } from './jobs.ts';
import { registerMappingRoutes } from './mapping-routes.ts';
import { registerMatchRoutes } from './match-routes.ts';
import { SETUP_ORDER_PANELS } from './order-panels.tsx';
import { registerWizardPages } from './wizard-pages.tsx';

/**
 * Onboarding: the setup wizard under a setup link (who the order is for, hand-over, organizations),
 * mapping (the Point of No Return), consent across organizations, and the match preview on the order
 * page. Organization matching itself is identity's (identity/matching.ts).
 */
export const onboardingModule: ModuleDeclaration = {
  name: 'onboarding',
  apiRoutes(api) {
    registerMappingRoutes(api);
    registerMatchRoutes(api);
  },
  setupLinkPages: registerWizardPages,
  // The queue keeps its first name: a queue is persistent, and scheduled runs live under it.
  jobs: [expireJoinRequestsJob],
  orderPagePanels: SETUP_ORDER_PANELS,
};
