import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneFinalPeriod } from './sentence.ts';

test('a message ending with a name that ends with a period has one period', () => {
  assert.equal(oneFinalPeriod('Opened by ACME S.r.l..'), 'Opened by ACME S.r.l.');
  assert.equal(oneFinalPeriod('Ask ACME Inc.. They placed it.'), 'Ask ACME Inc. They placed it.');
});

test('ellipses and ordinary sentences are left as they are', () => {
  assert.equal(oneFinalPeriod('Wait... then go.'), 'Wait... then go.');
  assert.equal(oneFinalPeriod('Opened by ACME SpA.'), 'Opened by ACME SpA.');
  assert.equal(oneFinalPeriod('v1.2.3 is out.'), 'v1.2.3 is out.');
});
