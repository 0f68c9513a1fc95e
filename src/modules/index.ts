import { auditModule } from './audit/module.ts';
import { backofficeModule } from './backoffice/module.ts';
import { catalogModule } from './catalog/module.ts';
import type { ModuleDeclaration } from './declaration.ts';
import { eventsModule } from './events/module.ts';
import { fulfilmentModule } from './fulfilment/module.ts';
import { hubModule } from './hub/module.ts';
import { identityModule } from './identity/module.ts';
import { onboardingModule } from './onboarding/module.ts';
import { ordersModule } from './orders/module.ts';
import { provisioningModule } from './provisioning/module.ts';
import { serviceSetupModule } from './service-setup/module.ts';
import { subscriptionsModule } from './subscriptions/module.ts';
import { supportModule } from './support/module.ts';
import { webhooksModule } from './webhooks/module.ts';

/**
 * Every module's declaration (declaration.ts). The order here decides nothing but the order of the
 * API reference's operations: routes guard themselves, panels carry their rank, and a name two modules
 * contribute fails the boot.
 */
export const MODULES: readonly ModuleDeclaration[] = [
  identityModule,
  catalogModule,
  ordersModule,
  subscriptionsModule,
  eventsModule,
  webhooksModule,
  provisioningModule,
  onboardingModule,
  serviceSetupModule,
  fulfilmentModule,
  hubModule,
  supportModule,
  backofficeModule,
  auditModule,
];
