import type { ModuleDeclaration } from '../declaration.ts';
import { releaseReservationsJob } from './jobs.ts';
import { makeReservationsPermanent, tellAdminsActivated } from './provision-effects.ts';
import { registerServiceSetupPages } from './service-pages.tsx';
import { registerServiceSetupRoutes } from './service-routes.ts';

/**
 * Service setup after the Point of No Return: meeting sites, calling location, enterprise subdomain
 * (names reserved, then made permanent), *Provision* and the order summary PDF.
 */
export const serviceSetupModule: ModuleDeclaration = {
  name: 'service-setup',
  apiRoutes: registerServiceSetupRoutes,
  pages: registerServiceSetupPages,
  // The queue keeps its first name: a queue is persistent, and scheduled runs live under it.
  jobs: [releaseReservationsJob],
  transitionEffects: {
    make_reservations_permanent: makeReservationsPermanent,
    tell_admins_activated: tellAdminsActivated,
  },
};
