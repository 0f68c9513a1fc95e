import type { Ctx } from '../../platform/context.ts';
import { findPartnerOrganizations } from './partner-choices-repository.ts';
import { requireOperator } from './policy.ts';

/** How many organizations a partner filter offers: a select beyond this would not be read. */
export const PARTNER_CHOICES_MAX = 500;

export interface PartnerChoice {
  id: string;
  name: string;
}

/** The partner and distributor organizations an operator's lists can be narrowed to, by name. */
export async function partnerChoices(ctx: Ctx): Promise<PartnerChoice[]> {
  requireOperator(ctx.actor);
  const rows = await findPartnerOrganizations(ctx.db, PARTNER_CHOICES_MAX);
  return rows.map((r) => ({ id: r.id, name: r.name }));
}
