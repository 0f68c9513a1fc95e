import type { ModuleDeclaration } from '../declaration.ts';
import { expireJoinRequestsJob, releaseReservationsJob } from './jobs.ts';
import { registerMappingRoutes } from './mapping-routes.ts';
import { registerMatchRoutes } from './match-routes.ts';
import { SETUP_ORDER_PANELS } from './order-panels.tsx';
import { makeReservationsPermanent, tellAdminsActivated } from './provision-effects.ts';
import { registerServiceSetupPages } from './service-pages.tsx';
import { registerServiceSetupRoutes } from './service-routes.ts';
import { registerWizardPages } from './wizard-pages.tsx';

/**
 * The setup wizard and mapping (the Point of No Return), consent across organizations, and service
 * setup with Provision; the match preview on the order page.
 */
export const setupModule: ModuleDeclaration = {
  name: 'setup',
  apiRoutes(api) {
    registerMappingRoutes(api);
    registerServiceSetupRoutes(api);
    registerMatchRoutes(api);
  },
  pages: registerServiceSetupPages,
  setupLinkPages: registerWizardPages,
  jobs: [releaseReservationsJob, expireJoinRequestsJob],
  transitionEffects: {
    make_reservations_permanent: makeReservationsPermanent,
    tell_admins_activated: tellAdminsActivated,
  },
  orderPagePanels: SETUP_ORDER_PANELS,
};
