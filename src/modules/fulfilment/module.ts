import type { Config } from '../../config.ts';
import type { AnyJob } from '../../platform/jobs.ts';
import type { CatalogFile } from '../catalog/schema.ts';
import type { TransitionEffects } from '../subscriptions/effects.ts';
import { sendProvisionRequest, tellAdminsProvisioningOutcome } from './effects.ts';
import { sendProvisionRequestsJob } from './sender.ts';
import { reportStalledRequestsJob } from './stall.ts';

/** What the fulfilment module contributes to the runtime (docs/adr/0032). */

export const FULFILMENT_JOBS: readonly AnyJob[] = [sendProvisionRequestsJob, reportStalledRequestsJob];

export const FULFILMENT_EFFECTS: TransitionEffects = {
  send_provision_request: sendProvisionRequest,
  tell_admins_provisioning_outcome: tellAdminsProvisioningOutcome,
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
