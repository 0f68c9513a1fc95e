import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { axeViolations, chromiumSkip, launchChromium } from '../support/browser.ts';
import {
  catalogKeys,
  startTour,
  TOUR_LANGS,
  type Tour,
  tourPages,
  type Visit,
} from '../support/page-tour.ts';

/** Words shaped like a catalog key ("orders.title"); only those that are one count as untranslated. */
const KEY_SHAPE = /\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b/g;

/** What the reader sees that no page may have: wider than the screen, inaccessible, or a raw key. */
async function problems(page: Page, visit: Visit, keys: Set<string>): Promise<string[]> {
  const found: string[] = [];
  if (visit.status >= 500) found.push(`answered ${visit.status}`);
  const width = await page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      }
    ).document;
    return {
      scroll: doc.documentElement.scrollWidth,
      inner: (globalThis as unknown as { innerWidth: number }).innerWidth,
    };
  });
  if (width.scroll > width.inner)
    found.push(`overflows: ${width.scroll}px wide in a ${width.inner}px window`);
  const text = await page.locator('body').innerText();
  const title = await page.title();
  const raw = [...`${title}\n${text}`.matchAll(KEY_SHAPE)].map((m) => m[0]).filter((w) => keys.has(w));
  if (raw.length) found.push(`untranslated: ${[...new Set(raw)].join(', ')}`);
  const lang = await page.getAttribute('html', 'lang');
  if (lang !== visit.lang) found.push(`html lang is ${lang}`);
  for (const violation of await axeViolations(page)) found.push(`axe ${violation}`);
  return found;
}

// One browser, one context per role and language; every page at 390×844 and 1280×800 in English and Italian.
describe('every page of every role, on a phone and a desktop, in English and Italian', {
  skip: chromiumSkip,
}, () => {
  let tour: Tour;
  let browser: Browser;

  before(async () => {
    tour = await startTour();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await tour?.close();
  });

  it('fits the screen, passes axe and shows no catalog key', { timeout: 30 * 60_000 }, async () => {
    const keys = catalogKeys();
    const failures: string[] = [];
    let pages = 0;
    await tourPages(
      browser,
      tour,
      TOUR_LANGS,
      async (page, visit) => {
        pages += 1;
        const where = `${visit.role}/${visit.page} ${visit.size.width}px ${visit.lang} (${new URL(page.url()).pathname})`;
        for (const problem of await problems(page, visit, keys)) failures.push(`${where}: ${problem}`);
      },
      (where, error) =>
        failures.push(
          `${where}: not reached: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        ),
    );
    // All failures of the run in one message, so they can be fixed in one pass.
    if (failures.length)
      assert.fail(`${failures.length} problems on ${pages} pages:\n${failures.join('\n')}`);
    assert.ok(pages > 100, `only ${pages} pages were visited`);
  });
});
