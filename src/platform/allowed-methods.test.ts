import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allowedMethods } from './allowed-methods.ts';

describe('allowedMethods', () => {
  const methodsOf = allowedMethods([
    { method: 'post', path: '/api/v1/orders' },
    { method: 'get', path: '/api/v1/orders' },
    { method: 'get', path: '/api/v1/orders/{orderId}' },
    { method: 'delete', path: '/api/v1/orders/:orderId' },
    { method: 'get', path: '/api/v1/orders/{orderId}/lines/{lineId}' },
    { method: 'GET', path: '/api/openapi.json' },
  ]);

  it('merges the methods of every template a path matches, HEAD with GET, in a stable order', () => {
    assert.deepEqual(methodsOf('/api/v1/orders'), ['GET', 'HEAD', 'POST']);
    assert.deepEqual(methodsOf('/api/v1/orders/abc'), ['GET', 'HEAD', 'DELETE']);
    assert.deepEqual(methodsOf('/api/v1/orders/abc/lines/def'), ['GET', 'HEAD']);
  });

  it('matches whole segments and literal dots only', () => {
    for (const path of [
      '/api/v1/orders/',
      '/api/v1/orders/a/b',
      '/api/v1/orders/a/lines',
      '/api/openapiXjson',
      '/api/v1',
    ])
      assert.equal(methodsOf(path), undefined, path);
    assert.deepEqual(methodsOf('/api/openapi.json'), ['GET', 'HEAD']);
  });
});
