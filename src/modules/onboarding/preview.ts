import type { Ctx } from '../../platform/context.ts';
import { notFound } from '../../platform/errors.ts';
import { type MatchOutcome, matchAddresses } from '../identity/matching.ts';
import { orderScope } from '../identity/policy.ts';
import type { OrderView } from '../orders/schema.ts';
import { findMappedSubscriptionIds } from './preview-repository.ts';

/**
 * The order page's match preview (issue 7 item 12): for each line not yet mapped, where its
 * provisioning contact's address would land, on either side, so a wrong contact is fixed before it
 * bills. A constant number of queries for the whole order, whatever its number of lines.
 * Keyed by line id; mapped lines have no entry.
 */
export async function previewOrderMatches(ctx: Ctx, order: OrderView): Promise<Map<string, MatchOutcome>> {
  // The order came from getOrder, but the preview names organizations: check the scope again.
  const scope = orderScope(ctx.actor);
  if (scope !== 'all' && scope.orgId !== order.partnerOrgId && scope.orgId !== order.placedByOrgId) {
    throw notFound();
  }
  const mapped = await findMappedSubscriptionIds(
    ctx.db,
    order.lines.map((l) => l.subscriptionId),
  );
  const open = order.lines.filter((l) => !mapped.has(l.subscriptionId) && l.status !== 'provisioned');
  if (open.length === 0) return new Map();
  const outcomes = await matchAddresses(
    ctx,
    open.map((l) => l.provisioningContactEmail),
    'any',
  );
  const result = new Map<string, MatchOutcome>();
  for (const line of open) {
    const outcome = outcomes.get(line.provisioningContactEmail);
    if (outcome) result.set(line.id, outcome);
  }
  return result;
}
