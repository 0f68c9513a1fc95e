import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeReturn, withOutcome } from './actions.tsx';

const ORDER = '0b9c6a57-4a3e-4f5b-9c1e-2f7d8a1b3c4d';

describe('where a provisioning form goes back to', () => {
  it('keeps the order page and the subscriptions page', () => {
    assert.equal(safeReturn(`/orders/${ORDER}`, 'x'), `/orders/${ORDER}`);
    assert.equal(safeReturn('/subscriptions', 'x'), '/subscriptions');
    assert.equal(
      safeReturn('/subscriptions?q=SUB-1&status=closed', 'x'),
      '/subscriptions?q=SUB-1&status=closed',
    );
  });

  it('sends anything else to the order page', () => {
    for (const target of [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      '/login',
      `/orders/${ORDER}/../../login`,
      `/orders/${ORDER}?x=1`,
      '/subscriptions/../login',
      '/subscriptions?next=//evil.example#x',
      undefined,
      42,
    ])
      assert.equal(safeReturn(target, ORDER), `/orders/${ORDER}`, String(target));
  });

  it('adds the outcome to the query, keeping the page’s own', () => {
    assert.equal(withOutcome(`/orders/${ORDER}`, 'resent', 'L1'), `/orders/${ORDER}?done=resent&line=L1`);
    assert.equal(
      withOutcome('/subscriptions?q=a', 'contact_changed', 'L2'),
      '/subscriptions?q=a&done=contact_changed&line=L2',
    );
  });
});
