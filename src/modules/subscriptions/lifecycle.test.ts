import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SUBSCRIPTION_STAGES, stageTableProblems, TRANSITIONS, type Transition } from './lifecycle.ts';

test('the transition table is sound: every stage reachable from scheduled, none a dead name', () => {
  assert.deepEqual(stageTableProblems(), []);
  const reached = new Set(Object.values(TRANSITIONS).map((t) => t.to));
  for (const stage of SUBSCRIPTION_STAGES.filter((s) => s !== 'scheduled'))
    assert.ok(reached.has(stage), stage);
});

test('a table with an unreachable stage or a move to itself is reported', () => {
  const broken: Record<string, Transition> = {
    ...TRANSITIONS,
    information_requested: { from: ['needs_info'], to: 'needs_info', events: [], effects: [] },
  };
  const problems = stageTableProblems(broken);
  assert.ok(problems.some((p) => p.includes('needs_info -> needs_info')));
  assert.ok(problems.some((p) => p.startsWith('needs_info: unreachable')));
});

test('the Point of No Return is only reached from a sent email, and billing starts only on policy or activation', () => {
  assert.deepEqual([...TRANSITIONS.mapped.from].sort(), ['awaiting_details', 'closed']);
  const billing = Object.entries(TRANSITIONS).filter(([, t]) => t.startsBilling);
  assert.deepEqual(billing.map(([name, t]) => `${name}:${t.startsBilling}`).sort(), [
    'activated:provisioned',
    'policy_window_ended:policy',
  ]);
});
