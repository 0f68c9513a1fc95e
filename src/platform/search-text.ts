/**
 * Letters or digits in a row a search text needs before it is looked for inside names and email
 * addresses. pg_trgm indexes a text by its runs of three characters: a LIKE pattern without three
 * letters or digits in a row gives it nothing to look up, and PostgreSQL reads every row of the
 * tenant instead (docs/adr/0024).
 */
export const PART_OF_TEXT_MIN_RUN = 3;

const RUN = new RegExp(`[\\p{L}\\p{N}]{${PART_OF_TEXT_MIN_RUN}}`, 'u');

/**
 * Whether a search text may match part of a name or an address (by the trigram indexes). A shorter
 * text still finds a reference by its start and a whole order number or subscription id, on b-trees.
 */
export function searchesPartOfText(text: string): boolean {
  return RUN.test(text);
}
