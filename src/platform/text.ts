import { z } from '@hono/zod-openapi';

/**
 * Free text from callers, kept printable. Each refusal is a rule, i.e. a message-catalog key under
 * `validation.`, so the API and the pages name the field and say what is wrong with it.
 */
export type TextRule = 'control_characters' | 'unpaired_surrogate' | 'invisible_only' | 'bidi_controls';

/**
 * C0 and C1 controls (NUL, tab, line feed, escape, DEL, …) and the Unicode line and paragraph
 * separators: none belongs in one line of text, and PostgreSQL cannot store NUL at all.
 */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/**
 * Half of a UTF-16 surrogate pair without its other half: not a character. JSON can carry it
 * ("\ud800"), but it cannot be encoded as UTF-8, so the database would keep U+FFFD instead.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Characters that show nothing: whitespace, format characters (zero-width space, joiners, word
 * joiner, byte order mark, soft hyphen, direction marks), other default-ignorable code points
 * (variation selectors, Hangul fillers) and the blank Braille pattern.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u;

/** What is wrong with a piece of text that must be printable, if anything. */
export function unprintable(value: string): Exclude<TextRule, 'invisible_only'> | undefined {
  if (LONE_SURROGATE.test(value)) return 'unpaired_surrogate';
  if (CONTROL.test(value)) return 'control_characters';
  return undefined;
}

/** True when the text is not empty but shows nothing: "\u200b", "\u00ad", " \u2060 ". */
export function isInvisibleOnly(value: string): boolean {
  return INVISIBLE_ONLY.test(value);
}

/**
 * One line of printable text: trimmed, then refused (before any other check runs) when it holds a
 * control character or half a surrogate pair. For text that may be left empty, such as a search.
 */
export function lineText(): z.ZodString {
  return z
    .string()
    .trim()
    .refine((value) => unprintable(value) !== 'unpaired_surrogate', {
      message: 'unpaired_surrogate' satisfies TextRule,
      abort: true,
    })
    .refine((value) => unprintable(value) !== 'control_characters', {
      message: 'control_characters' satisfies TextRule,
      abort: true,
    });
}

/** Printable text that must say something: 1 to `maxLength` characters, at least one of them visible. */
export function requiredText(maxLength: number): z.ZodString {
  return lineText()
    .min(1)
    .max(maxLength)
    .refine((value) => value === '' || !isInvisibleOnly(value), {
      message: 'invisible_only' satisfies TextRule,
    });
}

/** Line breaks and tabs, which a paragraph may hold and one line may not. */
const LAYOUT_CONTROLS = /[\n\r\t]/g;

/**
 * Free text of several lines (a support case's description): like `requiredText`, but line breaks
 * and tabs are kept; every other control character is still refused.
 */
export function paragraphText(maxLength: number): z.ZodString {
  return (
    z
      .string()
      .trim()
      // Forms send CRLF line breaks (as HTML says they must), JSON callers whatever they have: keep one kind.
      .overwrite((value) => value.replace(/\r\n?/g, '\n'))
      .refine((value) => unprintable(value) !== 'unpaired_surrogate', {
        message: 'unpaired_surrogate' satisfies TextRule,
        abort: true,
      })
      .refine((value) => unprintable(value.replace(LAYOUT_CONTROLS, ' ')) !== 'control_characters', {
        message: 'control_characters' satisfies TextRule,
        abort: true,
      })
      .min(1)
      .max(maxLength)
      .refine((value) => value === '' || !isInvisibleOnly(value), {
        message: 'invisible_only' satisfies TextRule,
      })
  );
}

/**
 * Unicode bidirectional controls: embeddings and overrides (U+202A–U+202E), isolates
 * (U+2066–U+2069) and the direction marks (U+200E, U+200F, U+061C). In an identifier they only
 * make what is shown differ from what is stored ("Trojan Source": `PO-\u202E1001` shows as
 * "PO-1001" reversed), so a reference someone reads back to support would not be found.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u;

/** True when the text holds a bidirectional control character. */
export function hasBidiControls(value: string): boolean {
  return BIDI_CONTROL.test(value);
}

/**
 * An identifier-like text (an order reference, an offer code, an idempotency key): `requiredText`,
 * and no bidirectional controls. Names keep them: a Hebrew or Arabic name may need a direction mark.
 */
export function identifierText(maxLength: number): z.ZodString {
  // Text that shows nothing was already refused as such: one rule per field.
  return requiredText(maxLength).refine((value) => isInvisibleOnly(value) || !hasBidiControls(value), {
    message: 'bidi_controls' satisfies TextRule,
  });
}
