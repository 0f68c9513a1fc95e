import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { isSigningSecret, newSigningSecret, signWebhook } from './standard-webhooks.ts';

test('a receiver written with the standardwebhooks package verifies what we sign', () => {
  const secret = newSigningSecret();
  assert.ok(isSigningSecret(secret));
  const body = JSON.stringify({
    type: 'subscription.activated',
    timestamp: new Date().toISOString(),
    data: { a: 'é' },
  });
  const headers = signWebhook([secret], 'evt_1', new Date(), body);
  const verified = new Webhook(secret).verify(body, { ...headers });
  assert.deepEqual(verified, JSON.parse(body));
});

test('during a rotation both secrets sign, and a receiver with either one verifies', () => {
  const [oldSecret, newSecret] = [newSigningSecret(), newSigningSecret()];
  const body = '{"type":"line.closed","timestamp":"2026-12-05T00:00:00Z","data":{}}';
  const headers = signWebhook([newSecret, oldSecret], 'evt_2', new Date(), body);
  assert.equal(headers['webhook-signature'].split(' ').length, 2);
  for (const secret of [oldSecret, newSecret]) assert.ok(new Webhook(secret).verify(body, { ...headers }));
  assert.throws(() => new Webhook(newSigningSecret()).verify(body, { ...headers }));
});

test('a tampered body or a stale timestamp is refused by the receiver', () => {
  const secret = newSigningSecret();
  const body = '{"type":"x.y","timestamp":"2026-12-05T00:00:00Z","data":{"n":1}}';
  const headers = signWebhook([secret], 'evt_3', new Date(), body);
  assert.throws(() => new Webhook(secret).verify(body.replace('1', '2'), { ...headers }));
  const old = signWebhook([secret], 'evt_3', new Date(Date.now() - 3600_000), body);
  assert.throws(() => new Webhook(secret).verify(body, { ...old }));
});

test('secrets that are not whsec_ keys are refused', () => {
  assert.equal(isSigningSecret('whsec_'), false);
  assert.equal(isSigningSecret('secret'), false);
  assert.equal(isSigningSecret('whsec_!!!!'), false);
  assert.throws(() => signWebhook(['nope'], 'id', new Date(), '{}'));
});
