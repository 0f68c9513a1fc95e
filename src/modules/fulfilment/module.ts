import type { Config } from '../../config.ts';
import type { CatalogFile } from '../catalog/schema.ts';
import type { ModuleDeclaration } from '../declaration.ts';
import { registerFulfilmentPages } from './backoffice.tsx';
import { sendProvisionRequest, tellAdminsProvisioningOutcome } from './effects.ts';
import { FULFILMENT_ORDER_PANELS } from './order-panel.tsx';
import { unsentBacklog } from './repository.ts';
import { registerFulfilmentRoutes } from './routes.ts';
import { sendProvisionRequestsJob } from './sender.ts';
import { reportStalledRequestsJob } from './stall.ts';

/**
 * Fulfilment (docs/adr/0032): requests to the vendor's service or its operators, their sender and stall
 * report, the result API and getSubscription, the back office's provision requests, and the vendor's
 * answer on the order page.
 */
export const fulfilmentModule: ModuleDeclaration = {
  name: 'fulfilment',
  apiRoutes: registerFulfilmentRoutes,
  pages: registerFulfilmentPages,
  jobs: [sendProvisionRequestsJob, reportStalledRequestsJob],
  transitionEffects: {
    send_provision_request: sendProvisionRequest,
    tell_admins_provisioning_outcome: tellAdminsProvisioningOutcome,
  },
  orderPagePanels: FULFILMENT_ORDER_PANELS,
  outboxes: [{ name: 'fulfilment', backlog: unsentBacklog }],
};

/**
 * What the catalogue's fulfilment needs of the settings, checked at boot before anything starts: a
 * signing secret when an offer is fulfilled over http, and https addresses in production.
 */
export function fulfilmentConfigProblems(config: Config, catalog: CatalogFile): string[] {
  const problems: string[] = [];
  const http = catalog.offers.flatMap((o) =>
    o.fulfilment.mode === 'http' ? [{ code: o.code, url: o.fulfilment.url }] : [],
  );
  if (http.length && !config.fulfilmentSigningSecret)
    problems.push(
      `FULFILMENT_SIGNING_SECRET: required, because ${http.map((o) => o.code).join(', ')} ${http.length === 1 ? 'is' : 'are'} fulfilled over http (make one with \`node -e "console.log('whsec_'+require('crypto').randomBytes(32).toString('base64'))"\`)`,
    );
  if (config.production)
    for (const o of http)
      if (!o.url.startsWith('https://'))
        problems.push(
          `CATALOG_FILE: offer ${o.code} must be fulfilled at an https:// address when NODE_ENV=production`,
        );
  return problems;
}
