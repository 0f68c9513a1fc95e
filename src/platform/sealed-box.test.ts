import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { parseSealingKeys, seal, sealingKeyFromPassphrase, unseal } from './sealed-box.ts';

const keyText = () => randomBytes(32).toString('base64');

describe('sealed secrets', () => {
  it('opens what it sealed, for the same context only', () => {
    const keys = parseSealingKeys(keyText()) ?? [];
    const sealed = seal(keys, 'whsec_abc', 'endpoint-1');
    assert.doesNotMatch(sealed, /whsec_abc/);
    assert.equal(unseal(keys, sealed, 'endpoint-1'), 'whsec_abc');
    assert.throws(() => unseal(keys, sealed, 'endpoint-2'));
    // Each seal has its own nonce.
    assert.notEqual(seal(keys, 'whsec_abc', 'endpoint-1'), sealed);
  });

  it('refuses an altered value, and one sealed by a key the ring does not hold', () => {
    const keys = parseSealingKeys(keyText()) ?? [];
    const sealed = seal(keys, 'whsec_abc', 'e');
    const parts = sealed.split('.');
    const body = Buffer.from(parts[3] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    assert.throws(() => unseal(keys, [...parts.slice(0, 3), body.toString('base64url')].join('.'), 'e'));
    assert.throws(() => unseal(parseSealingKeys(keyText()) ?? [], sealed, 'e'), /does not hold/);
  });

  it('changes keys: the first seals, every key of the ring opens', () => {
    const [oldKey, newKey] = [keyText(), keyText()];
    const before = parseSealingKeys(oldKey) ?? [];
    const sealedBefore = seal(before, 'whsec_old', 'e');
    const ring = parseSealingKeys(`${newKey}, ${oldKey}`) ?? [];
    assert.equal(unseal(ring, sealedBefore, 'e'), 'whsec_old');
    const sealedAfter = seal(ring, 'whsec_new', 'e');
    assert.equal(sealedAfter.split('.')[1], ring[0]?.id);
    assert.throws(() => unseal(before, sealedAfter, 'e'));
  });

  it('accepts only base64 keys of 32 bytes', () => {
    assert.equal(parseSealingKeys(''), undefined);
    assert.equal(parseSealingKeys(randomBytes(16).toString('base64')), undefined);
    assert.equal(parseSealingKeys('not base64!'), undefined);
    assert.equal(parseSealingKeys(`${keyText()},short`), undefined);
    assert.equal(parseSealingKeys(keyText())?.length, 1);
    assert.equal(sealingKeyFromPassphrase('x').key.length, 32);
  });
});
