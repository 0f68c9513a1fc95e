import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeNext } from './redirect.ts';

/** What a browser does with a Location header: resolve it against the page it is on. */
function landsOn(target: string, site: string): string {
  return new URL(target, site).origin;
}

describe('safeNext', () => {
  it('keeps local paths with their query', () => {
    assert.equal(safeNext('/orders?q=PO-1&status=scheduled'), '/orders?q=PO-1&status=scheduled');
    assert.equal(
      safeNext('/orders/0b0e6a4e-0000-4000-8000-000000000001'),
      '/orders/0b0e6a4e-0000-4000-8000-000000000001',
    );
    assert.equal(safeNext('/orders/./x/../y'), '/orders/y');
    assert.equal(safeNext('/orders?next=//evil.example'), '/orders?next=//evil.example');
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
      assert.equal(landsOn(target, 'https://provisio.example'), 'https://provisio.example', String(attempt));
    }
    assert.equal(safeNext('/\t/evil.example'), '/orders');
  });

  it('refuses paths that resolve to a protocol-relative or scheme-carrying target', () => {
    for (const attempt of [
      '/.//evil.example',
      '/./evil.example/..//evil.example',
      '/a/..//evil.example',
      '/a/b/../..//evil.example',
      '/..//evil.example',
      '/.//evil.example/path?x=1#y',
      '/%2e//evil.example',
      '/%2E//evil.example',
      '/.%2e//evil.example',
      '/a/%2e%2e//evil.example',
      '/./\\evil.example',
      '/.\\/evil.example',
      '//',
      '///evil.example',
      '/\\/evil.example',
      'http:/evil.example',
      'https:evil.example',
      'HTTPS://evil.example',
      ' /orders',
      ' //evil.example',
      '\t//evil.example',
      '\u00a0//evil.example',
      '\u3000/orders',
      '/\u0000/evil.example',
      '/\r\n/evil.example',
      '/\u007f/evil.example',
    ]) {
      const target = safeNext(attempt);
      assert.equal(target, '/orders', JSON.stringify(attempt));
    }
  });

  it('gives a target that stays on any site it is resolved against, and is stable', () => {
    const attempts = [
      '/orders',
      '/orders?q=a b',
      '/a/./b/../c',
      '/%2f/evil.example',
      '/%5c/evil.example',
      '/\uff0f/evil.example',
      '/\u2215evil.example',
      '/.//evil.example',
    ];
    for (const attempt of attempts) {
      const target = safeNext(attempt);
      assert.ok(target.startsWith('/') && !target.startsWith('//') && !target.startsWith('/\\'), target);
      for (const site of ['https://provisio.example', 'http://localhost:3000/orders/x'])
        assert.equal(landsOn(target, site), new URL(site).origin, JSON.stringify(attempt));
      assert.equal(safeNext(target), target, JSON.stringify(attempt));
    }
  });
});
