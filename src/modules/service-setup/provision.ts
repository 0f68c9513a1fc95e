import type { Ctx } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { inRetriedTransaction } from '../../platform/transaction-retry.ts';
import { latestRequestViews, requestProvisioning } from '../fulfilment/requests.ts';
import { advance } from '../subscriptions/advance.ts';
import type { SubscriptionStage } from '../subscriptions/lifecycle.ts';
import { actorUserId, loadForSetUp, type MappedSetup, progressOf, type SetupProgress } from './services.ts';
import * as repo from './services-repository.ts';

/** Active (billing started), or being provisioned by the vendor's service or an operator. */
export interface ProvisionResult {
  subscriptionId: string;
  stage: SubscriptionStage;
  provisionedAt: Date | null;
  billingStartedAt: Date | null;
  billingStartReason: 'policy' | 'provisioned' | null;
  /** The fulfilment request that waits for an answer (offers someone else provisions). */
  provisionRequestId: string | null;
}

function resultOf(p: SetupProgress): ProvisionResult | null {
  const s = p.setup;
  if (!s.provisionedAt || !s.billingStartedAt || !s.billingStartReason) return null;
  return {
    subscriptionId: s.subscriptionId,
    stage: s.stage,
    provisionedAt: s.provisionedAt,
    billingStartedAt: s.billingStartedAt,
    billingStartReason: s.billingStartReason,
    provisionRequestId: null,
  };
}

/** Stages only fulfilment leads to: Provision there is a Retry or a resubmission, never an activation. */
const FULFILMENT_STAGES: readonly SubscriptionStage[] = ['provisioning', 'needs_info', 'provisioning_failed'];

function isFulfilled(setup: MappedSetup): boolean {
  return setup.offer.fulfilment !== 'none' || FULFILMENT_STAGES.includes(setup.stage);
}

/**
 * S5: activates the subscription and starts billing, once. The row lock and the conditional UPDATE
 * make a second press, a retry or a race answer the first press's result without billing or
 * emailing again; a line the policy window already billed keeps its first date and reason. What
 * activation does beyond the stage (names made permanent, admins told) is its effects'. On an offer
 * the vendor's service or an operator fulfils (docs/adr/0032) it makes a fulfilment request instead,
 * and the answer activates it; pressed after a failure or a request for information, it is the Retry
 * or the resubmission.
 */
export async function provisionSubscription(ctx: Ctx, subscriptionId: string): Promise<ProvisionResult> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: false });
  const already = resultOf(await progressOf(ctx, setup));
  if (already) return already;
  if (isFulfilled(setup)) return requestFulfilment(ctx, setup);
  await inRetriedTransaction(ctx, async (tx) => {
    const locked = await repo.lockSubscription(tx.db, subscriptionId);
    if (!locked || locked.provisioned_at) return;
    // Read again under the lock: the steps saved by now are the ones that count.
    const progress = await progressOf(tx, setup);
    if (progress.missing.length) throw incomplete(progress);
    // Activation's effects (provision-effects.ts) make the names permanent and tell the admins.
    await advance(tx, [subscriptionId], {
      type: 'activated',
      externalTenantId: null,
      provisionedByUserId: actorUserId(tx),
    });
  });
  const done = resultOf(await progressOf(ctx, await loadForSetUp(ctx, subscriptionId, { change: false })));
  if (!done) throw new Error(`subscription ${subscriptionId} not provisioned after Provision`);
  return done;
}

function incomplete(progress: SetupProgress): DomainError {
  return new DomainError(
    'services_setup_incomplete',
    409,
    { missing: progress.missing.join(', ') },
    progress.missing.map((step) => ({ field: step, rule: 'services_step_incomplete' })),
  );
}

/**
 * Provision on a fulfilled offer: the setup as it is now goes into a fulfilment request and the
 * subscription moves to `provisioning`, under the same lock the saves take, so the request carries
 * exactly what was saved. Pressed again while one waits, it answers that one.
 */
async function requestFulfilment(ctx: Ctx, setup: MappedSetup): Promise<ProvisionResult> {
  const subscriptionId = setup.subscriptionId;
  await inRetriedTransaction(ctx, async (tx) => {
    const locked = await repo.lockSubscription(tx.db, subscriptionId);
    if (!locked || locked.provisioned_at || locked.stage === 'provisioning') return;
    const progress = await progressOf(tx, setup);
    if (progress.missing.length) throw incomplete(progress);
    await requestProvisioning(tx, {
      subscriptionId,
      offerCode: setup.offer.code,
      quantity: setup.quantity,
      partnerOrgId: setup.mapping.partner.id,
      customerOrgId: setup.mapping.customer.id,
      mode: setup.offer.fulfilment === 'http' ? 'http' : 'manual',
      setup: {
        sites: progress.sites,
        location: progress.location,
        subdomain: progress.subdomain,
        locale: setup.order.locale,
      },
      requestedByUserId: actorUserId(tx),
    });
  });
  const now = await loadForSetUp(ctx, subscriptionId, { change: false });
  const request = (await latestRequestViews(ctx, [subscriptionId])).get(subscriptionId);
  return {
    subscriptionId,
    stage: now.stage,
    provisionedAt: now.provisionedAt,
    billingStartedAt: now.billingStartedAt,
    billingStartReason: now.billingStartReason,
    provisionRequestId: request?.state === 'open' ? request.id : null,
  };
}
