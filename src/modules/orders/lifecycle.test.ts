import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, LINE_STATUSES, LINE_TRANSITIONS, lifecycleProblems } from './lifecycle.ts';

describe('order line lifecycle', () => {
  it('is a sound table: every target known, every state reachable', () => {
    assert.deepEqual(lifecycleProblems(), []);
  });

  it('moves a scheduled line to awaiting provisioning details, and never back', () => {
    assert.equal(canTransition('scheduled', 'awaiting_provisioning_details'), true);
    assert.equal(canTransition('awaiting_provisioning_details', 'scheduled'), false);
    assert.equal(canTransition('scheduled', 'scheduled'), false);
  });

  it('lists a transition row for every status', () => {
    assert.deepEqual(Object.keys(LINE_TRANSITIONS).sort(), [...LINE_STATUSES].sort());
  });
});
