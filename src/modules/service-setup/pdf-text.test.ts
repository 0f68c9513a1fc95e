import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutWord, flowingText } from './pdf-text.ts';

const NBSP = '\u00a0';

describe('text laid out for the summary PDF', () => {
  it('leaves ordinary text as it is', () => {
    assert.equal(flowingText('Sede di Milano', 16), 'Sede di Milano');
  });

  it('cuts a long word into pieces that give the word back, preferring a break after @ . - _ /', () => {
    const email = 'operations.team.of.the.customer@subsidiary.example.com';
    const pieces = cutWord(email, 16);
    assert.equal(pieces.join(''), email);
    for (const piece of pieces) assert.ok([...piece].length <= 16);
    assert.ok(
      pieces.slice(0, -1).every((p) => /[@._\-/]$/.test(p)),
      pieces.join(' | '),
    );
    const plain = 'x'.repeat(40);
    assert.deepEqual(cutWord(plain, 16), ['x'.repeat(16), 'x'.repeat(16), 'x'.repeat(8)]);
  });

  it('keeps the spaces around a long word, so the sentence reads the same', () => {
    const value = `Customer ${'y'.repeat(40)} Srl`;
    const flowed = flowingText(value, 16);
    assert.ok(typeof flowed !== 'string');
    assert.equal([flowed.text].flat().join(''), value);
  });

  it('gives a right-to-left phrase as one piece with no-break spaces, apart from the text around it', () => {
    const flowed = flowingText('Org חברת תקשורת ישראלית 123', 28);
    assert.ok(typeof flowed !== 'string');
    assert.deepEqual(flowed.text, ['Org ', `חברת${NBSP}תקשורת${NBSP}ישראלית`, ' ', '123']);
  });

  it('puts a right-to-left phrase too long for a line on lines of its own', () => {
    const words = Array.from({ length: 12 }, () => 'الاتصالات');
    const flowed = flowingText(words.join(' '), 28);
    assert.ok(typeof flowed !== 'string');
    const [phrase] = [flowed.text].flat();
    const lines = (phrase ?? '').split('\n');
    assert.ok(lines.length > 1);
    for (const line of lines) assert.ok([...line].length <= 42);
    assert.equal(lines.join(NBSP).replaceAll(NBSP, ' '), words.join(' '));
  });
});
