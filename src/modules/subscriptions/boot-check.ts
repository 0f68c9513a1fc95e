import type { Executor } from '../../platform/db.ts';
import { EFFECT_NAMES, type TransitionEffects } from './effects.ts';
import {
  BOOKED,
  isSubscriptionStage,
  SUBSCRIPTION_STAGES,
  stageTableProblems,
  TRANSITIONS,
} from './lifecycle.ts';
import { listStageCodes } from './repository.ts';

/**
 * Run at boot: the transition table is sound, names only effects some module performs, and the
 * database's `subscription_stages` (what the stage column's foreign key allows) names the same stages.
 */
export async function assertStagesMatchDatabase(db: Executor, effects: TransitionEffects): Promise<void> {
  const problems = stageTableProblems();
  for (const [name, row] of Object.entries(TRANSITIONS))
    for (const effect of row.effects)
      if (!effects[effect]) problems.push(`${name}: no module performs ${effect}`);
  for (const effect of BOOKED.effects)
    if (!effects[effect]) problems.push(`booked: no module performs ${effect}`);
  for (const name of Object.keys(effects))
    if (!(EFFECT_NAMES as readonly string[]).includes(name)) problems.push(`${name}: unknown effect`);
  const inDb = new Set(await listStageCodes(db));
  for (const stage of SUBSCRIPTION_STAGES)
    if (!inDb.has(stage)) problems.push(`${stage}: missing from subscription_stages`);
  for (const code of inDb)
    if (!isSubscriptionStage(code)) problems.push(`${code}: in subscription_stages but not in the code`);
  if (problems.length) throw new Error(`Subscription lifecycle is inconsistent:\n  ${problems.join('\n  ')}`);
}
