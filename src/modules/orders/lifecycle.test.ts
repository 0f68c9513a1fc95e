import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canTransition, lifecycleProblems } from './lifecycle.ts';

describe('order line lifecycle', () => {
  it('is a sound table: every target known, every state reachable', () => {
    assert.deepEqual(lifecycleProblems(), []);
  });

  it('moves a scheduled line to awaiting provisioning details, and never back', () => {
    assert.equal(canTransition('scheduled', 'awaiting_provisioning_details'), true);
    assert.equal(canTransition('awaiting_provisioning_details', 'scheduled'), false);
    assert.equal(canTransition('scheduled', 'scheduled'), false);
  });

  it('the soundness check catches a broken table', () => {
    assert.deepEqual(
      lifecycleProblems({
        statuses: ['new', 'active', 'orphan', 'island', 'rowless'],
        initial: 'new',
        transitions: {
          new: ['active', 'ghost'],
          active: [],
          orphan: [],
          // Reachable only from a state nothing reaches: still unreachable.
          island: ['orphan'],
          stray: ['new'],
        },
      }),
      [
        'rowless: no transition row',
        'stray: transition row for an unknown status',
        'new -> ghost: unknown status',
        'orphan: unreachable from new',
        'island: unreachable from new',
        'rowless: unreachable from new',
      ],
    );
    assert.deepEqual(lifecycleProblems({ statuses: ['a'], initial: 'b', transitions: { a: [] } }), [
      'b: initial status unknown',
      'a: unreachable from b',
    ]);
  });
});
