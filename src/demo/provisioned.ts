import { mapSubscription } from '../modules/provisioning/service.ts';
import { provisionSubscription } from '../modules/setup/provision.ts';
import { saveEnterpriseSubdomain, saveMeetingSites } from '../modules/setup/service-saves.ts';
import type { Ctx } from '../platform/context.ts';
import { KYIV_CLOUD } from './data.ts';

/** The demo order whose one line ends provisioned: Kyiv Cloud bought Meetings for itself. */
export const PROVISIONED_REFERENCE = 'KC-0042';

/**
 * One line the whole way through (S1–S7), as its partner would have done it in the wizard: mapped
 * to its own organization, a site and a subdomain saved, Provision pressed. Run by Provisio itself.
 */
export async function provisionDemoLine(ctx: Ctx, subscriptionId: string): Promise<void> {
  await mapSubscription(ctx, subscriptionId, { partnerOrgId: KYIV_CLOUD, customerOrgId: KYIV_CLOUD });
  await saveMeetingSites(ctx, subscriptionId, [
    { name: 'kyivcloud', timeZone: 'Europe/Kyiv', earlyRelease: false },
  ]);
  await saveEnterpriseSubdomain(ctx, subscriptionId, 'kyivcloud');
  await provisionSubscription(ctx, subscriptionId);
}
