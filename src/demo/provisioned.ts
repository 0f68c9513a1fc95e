import { mapSubscription } from '../modules/provisioning/service.ts';
import { provisionSubscription } from '../modules/service-setup/provision.ts';
import {
  saveCallingLocation,
  saveEnterpriseSubdomain,
  saveMeetingSites,
} from '../modules/service-setup/service-saves.ts';
import type { Ctx } from '../platform/context.ts';
import { KYIV_CLOUD, NORTHWIND } from './data.ts';

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

/** The demo order whose line waits for an operator: Cloud Calling, fulfilled manually. */
export const FULFILMENT_REFERENCE = 'NW-2026-0398';

/**
 * Northwind set up Cloud Calling for itself and pressed Provision: the offer is fulfilled by the
 * vendor's operators, so a request waits in the back office (*Provision requests*) for one to approve it.
 */
export async function requestDemoFulfilment(ctx: Ctx, subscriptionId: string): Promise<void> {
  await mapSubscription(ctx, subscriptionId, { partnerOrgId: NORTHWIND, customerOrgId: NORTHWIND });
  await saveCallingLocation(ctx, subscriptionId, {
    name: 'Sede di Milano',
    country: 'IT',
    addressLine1: 'Via Torino 61',
    city: 'Milano',
    postalCode: '20123',
    timeZone: 'Europe/Rome',
    language: 'it',
  });
  await saveEnterpriseSubdomain(ctx, subscriptionId, 'northwind');
  await provisionSubscription(ctx, subscriptionId);
}
