import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from '@hono/zod-openapi';
import { identifierText, isInvisibleOnly, lineText, requiredText, unprintable } from './text.ts';
import { fieldErrorsFromZod } from './validation.ts';

/** The rules a value breaks, as the API would name them. */
function rules(schema: z.ZodType, value: unknown): string[] {
  const result = z.object({ text: schema }).safeParse({ text: value });
  return result.success ? [] : fieldErrorsFromZod(result.error.issues, { text: value }).map((f) => f.rule);
}

describe('printable text', () => {
  it('names control characters and half surrogate pairs', () => {
    for (const control of [
      '\u0000',
      'a\u0001',
      '\u0008',
      'a\tb',
      'a\nb',
      '\r',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u009f',
    ])
      assert.equal(unprintable(control), 'control_characters', JSON.stringify(control));
    assert.equal(unprintable('a\u2028b'), 'control_characters');
    assert.equal(unprintable('a\u2029b'), 'control_characters');
    for (const broken of ['\ud800', '\udfff', 'a\ud83d', '\ude00b', '\ude00\ud83d'])
      assert.equal(unprintable(broken), 'unpaired_surrogate', JSON.stringify(broken));
    for (const fine of ['', 'PO-1', 'Zoë', '😀', '👩‍💻', 'Ελληνικά', 'Київ', 'a b', 'a\u00a0b', '\u200b'])
      assert.equal(unprintable(fine), undefined, JSON.stringify(fine));
  });

  it('tells text that shows nothing from text that shows something', () => {
    for (const invisible of [
      '\u200b',
      '\ufeff',
      '\u2060',
      '\u00ad',
      '\u200c\u200d',
      ' ',
      '\u3000',
      '\u3164',
      '\u2800',
      '\ufe0f',
      '\u202e',
      '\u200e',
    ])
      assert.equal(isInvisibleOnly(invisible), true, JSON.stringify(invisible));
    for (const visible of ['', 'a', '\u200ba', '😀', '\u0301', '-', '.', '\u00a0x'])
      assert.equal(isInvisibleOnly(visible), false, JSON.stringify(visible));
  });

  it('requiredText refuses with one specific rule, before length and after trimming', () => {
    const schema = requiredText(5);
    assert.deepEqual(rules(schema, 'abc'), []);
    assert.deepEqual(rules(schema, '  abc\n'), [], 'edges are trimmed, not refused');
    assert.equal(schema.parse('  abc\n'), 'abc');
    assert.deepEqual(rules(schema, 'a\u0000'), ['control_characters']);
    assert.deepEqual(rules(schema, `${'a'.repeat(10)}\u0000`), ['control_characters'], 'not also max_length');
    assert.deepEqual(rules(schema, 'a\ud800'), ['unpaired_surrogate']);
    assert.deepEqual(rules(schema, '\u200b'), ['invisible_only']);
    assert.deepEqual(rules(schema, ''), ['required']);
    assert.deepEqual(rules(schema, ' \t '), ['required']);
    assert.deepEqual(rules(schema, 'abcdef'), ['max_length']);
    assert.deepEqual(rules(schema, 5), ['type_string']);
    assert.deepEqual(rules(schema, undefined), ['required']);
  });

  it('lineText may be empty or blank, never unprintable', () => {
    const schema = lineText().max(5);
    assert.deepEqual(rules(schema, ''), []);
    assert.deepEqual(rules(schema, '  '), []);
    assert.deepEqual(rules(schema, '\u200b'), []);
    assert.deepEqual(rules(schema, '\u0000'), ['control_characters']);
    assert.deepEqual(rules(schema, '\udc00'), ['unpaired_surrogate']);
  });

  it('identifierText refuses bidirectional controls, one rule per field', () => {
    const schema = identifierText(20);
    for (const control of [
      '\u202a',
      '\u202b',
      '\u202c',
      '\u202d',
      '\u202e',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200e',
      '\u200f',
      '\u061c',
    ])
      assert.deepEqual(rules(schema, `PO-${control}1001`), ['bidi_controls'], JSON.stringify(control));
    assert.deepEqual(rules(schema, '\u202e'), ['invisible_only'], 'nothing visible is said once');
    assert.deepEqual(rules(schema, 'PO-1001'), []);
    assert.deepEqual(rules(schema, 'PO-שלום-1'), [], 'right-to-left letters are fine');
    assert.deepEqual(rules(requiredText(20), 'Acme \u200f'), [], 'names keep direction marks');
  });
});
