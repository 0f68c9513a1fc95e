import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeNext } from './redirect.ts';

describe('safeNext', () => {
  it('keeps local paths with their query', () => {
    assert.equal(safeNext('/orders?q=PO-1&status=scheduled'), '/orders?q=PO-1&status=scheduled');
    assert.equal(
      safeNext('/orders/0b0e6a4e-0000-4000-8000-000000000001'),
      '/orders/0b0e6a4e-0000-4000-8000-000000000001',
    );
  });

  it('never leaves the site', () => {
    for (const attempt of [
      '//evil.example/',
      '/\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/%09/evil.example/',
      'https://evil.example/',
      'javascript:alert(1)',
      'orders',
      '',
      undefined,
      ['/orders'],
    ]) {
      const target = safeNext(attempt);
      assert.ok(
        target === '/orders' || (target.startsWith('/') && !target.startsWith('//')),
        String(attempt),
      );
      assert.equal(
        new URL(target, 'https://provisio.example').origin,
        'https://provisio.example',
        String(attempt),
      );
    }
    assert.equal(safeNext('/\t/evil.example'), '/orders');
  });
});
