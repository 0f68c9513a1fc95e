/**
 * Text as pdfmake can lay it out (ADR 0025). pdfmake breaks lines only between words and clips a
 * word wider than its column; and it has no bidirectional algorithm, while the font engine under it
 * (fontkit) shapes and reverses each right-to-left *word* on its own, so an Arabic or Hebrew phrase
 * came out with its words joined and its spaces misplaced. So:
 *
 * - a word longer than `maxWordLength` is cut into pieces of that length (after `@ . - _ /` when one
 *   is near), given as separate inlines: pdfmake may break between them, and when they share a line
 *   they sit side by side with no character added (copying the text gives it back unchanged);
 * - a right-to-left phrase (Hebrew, Arabic and their neighbours) is one inline with no-break spaces,
 *   so the font engine lays the whole phrase out right to left, shaped; a phrase too long for one
 *   line is cut at spaces into lines of its own, top to bottom, which is how it is read.
 *
 * Limits, accepted: the document's base direction stays left to right, so in a phrase mixing
 * right-to-left words with digits or Latin words the runs follow each other left to right.
 */

const RTL_LETTER = String.raw`\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}`;
/** Right-to-left letters, with the marks and spaces between them. */
const RTL_RUN = new RegExp(`[${RTL_LETTER}](?:[${RTL_LETTER}\\p{M}\\s]*[${RTL_LETTER}\\p{M}])?`, 'gu');
const NBSP = '\u00a0';
/** Characters after which a long word (an address, a URL) is best broken. */
const SOFT_BREAK = /[@._\-/]/u;

export interface PdfText {
  text: string | string[];
}

/** A word cut into pieces of at most `max` characters, preferring to end a piece after `@ . - _ /`. */
export function cutWord(word: string, max: number): string[] {
  const chars = [...word];
  const pieces: string[] = [];
  let start = 0;
  while (chars.length - start > max) {
    let end = start + max;
    for (let i = end - 1; i > start + max / 2; i -= 1) {
      if (SOFT_BREAK.test(chars[i] ?? '')) {
        end = i + 1;
        break;
      }
    }
    pieces.push(chars.slice(start, end).join(''));
    start = end;
  }
  pieces.push(chars.slice(start).join(''));
  return pieces;
}

function leftToRight(segment: string, maxWordLength: number): string[] {
  // Words keep the spaces that follow them, so breaking a line there works as it always did.
  return (segment.match(/\S+\s*|\s+/gu) ?? []).flatMap((token) => {
    const word = token.trimEnd();
    if ([...word].length <= maxWordLength) return [token];
    const pieces = cutWord(word, maxWordLength);
    const last = pieces.length - 1;
    pieces[last] = `${pieces[last]}${token.slice(word.length)}`;
    return pieces;
  });
}

function rightToLeft(run: string, maxLineLength: number): string {
  const words = run.split(/\s+/u).flatMap((w) => cutWord(w, maxLineLength));
  const lines: string[] = [];
  for (const word of words) {
    const current = lines[lines.length - 1];
    if (current !== undefined && [...current].length + 1 + [...word].length <= maxLineLength)
      lines[lines.length - 1] = `${current}${NBSP}${word}`;
    else lines.push(word);
  }
  return lines.join('\n');
}

/**
 * `value` as pdfmake content that wraps within a column where `maxWordLength` characters always fit:
 * the plain string when nothing needs doing, so ordinary text is laid out exactly as before.
 */
export function flowingText(value: string, maxWordLength: number): string | PdfText {
  const hasRtl = new RegExp(`[${RTL_LETTER}]`, 'u').test(value);
  const hasLongWord = (value.match(/\S+/gu) ?? []).some((w) => [...w].length > maxWordLength);
  if (!hasRtl && !hasLongWord) return value;
  const parts: string[] = [];
  let at = 0;
  for (const match of value.matchAll(RTL_RUN)) {
    parts.push(...leftToRight(value.slice(at, match.index), maxWordLength));
    // Hebrew and Arabic letters are narrower than the widest Latin ones the limit is counted in.
    parts.push(rightToLeft(match[0], Math.floor(maxWordLength * 1.5)));
    at = match.index + match[0].length;
  }
  parts.push(...leftToRight(value.slice(at), maxWordLength));
  return { text: parts.filter((p) => p !== '') };
}
