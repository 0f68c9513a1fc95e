import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  lineStatusProblems,
  SUBSCRIPTION_STAGES,
  stageTableProblems,
  TRANSITIONS,
  type Transition,
} from './lifecycle.ts';

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

test('no row of the table moves a line backwards, from any state a subscription can be in', () => {
  assert.deepEqual(lineStatusProblems(), []);
  const backwards: Record<string, Transition> = {
    ...TRANSITIONS,
    information_requested: { ...TRANSITIONS.information_requested, lineStatus: 'scheduled' },
  };
  assert.deepEqual(lineStatusProblems(backwards), [
    'information_requested: moves a line awaiting_provisioning_details -> scheduled, which the line lifecycle forbids',
    'information_requested: moves a line closed -> scheduled, which the line lifecycle forbids',
    // And what follows from it: a line left `scheduled` could then be activated.
    'activated: moves a line scheduled -> provisioned, which the line lifecycle forbids',
  ]);
});
