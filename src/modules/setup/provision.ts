import type { Ctx } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { inRetriedTransaction } from '../../platform/transaction-retry.ts';
import { advance } from '../subscriptions/advance.ts';
import { actorUserId, loadForSetUp, progressOf, type SetupProgress } from './services.ts';
import * as repo from './services-repository.ts';

export interface ProvisionResult {
  subscriptionId: string;
  provisionedAt: Date;
  billingStartedAt: Date;
  billingStartReason: 'policy' | 'provisioned';
}

function resultOf(p: SetupProgress): ProvisionResult | null {
  const s = p.setup;
  if (!s.provisionedAt || !s.billingStartedAt || !s.billingStartReason) return null;
  return {
    subscriptionId: s.subscriptionId,
    provisionedAt: s.provisionedAt,
    billingStartedAt: s.billingStartedAt,
    billingStartReason: s.billingStartReason,
  };
}

/**
 * S5: activates the subscription and starts billing, once. The row lock and the conditional UPDATE
 * make a second press, a retry or a race answer the first press's result without billing or
 * emailing again; a line the policy window already billed keeps its first date and reason. What
 * activation does beyond the stage (names made permanent, admins told) is its effects'.
 */
export async function provisionSubscription(ctx: Ctx, subscriptionId: string): Promise<ProvisionResult> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: false });
  const already = resultOf(await progressOf(ctx, setup));
  if (already) return already;
  await inRetriedTransaction(ctx, async (tx) => {
    const locked = await repo.lockSubscription(tx.db, subscriptionId);
    if (!locked || locked.provisioned_at) return;
    // Read again under the lock: the steps saved by now are the ones that count.
    const progress = await progressOf(tx, setup);
    if (progress.missing.length) {
      throw new DomainError(
        'services_setup_incomplete',
        409,
        { missing: progress.missing.join(', ') },
        progress.missing.map((step) => ({ field: step, rule: 'services_step_incomplete' })),
      );
    }
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
