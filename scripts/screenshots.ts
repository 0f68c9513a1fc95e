/**
 * `npm run screenshots`: every page of every role (the list the every-page test checks, in
 * test/support/page-tour.ts) photographed at 390×844 and 1280×800 in English and Italian, into
 * screenshots/<lang>/<role>-<page>-<width>.png. Not run in CI: it is for people to look at.
 *
 *   npm run screenshots                     all pages, en and it
 *   npm run screenshots -- --lang it        one language
 *   npm run screenshots -- --role operator  one role (signed-out, partner-admin, partner-user,
 *                                           distributor, customer-admin, customer-setup, operator,
 *                                           setup-partner, contact)
 *   npm run screenshots -- --out /tmp/shots another directory
 *
 * Needs Chromium (CHROMIUM_PATH, default /usr/bin/chromium). Runs on an in-memory demo database.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/browser.ts';
import { startTour, TOUR_LANGS, type TourLang, tourPages } from '../test/support/page-tour.ts';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    lang: { type: 'string', multiple: true },
    role: { type: 'string', multiple: true },
    out: { type: 'string', default: path.join(root, 'screenshots') },
  },
});
const langs = TOUR_LANGS.filter((l) => !values.lang || values.lang.includes(l)) as TourLang[];
const out = path.resolve(values.out ?? 'screenshots');

/** The tallest capture, in CSS pixels; a longer page is photographed from its top. */
const MAX_HEIGHT = 8000;

const started = performance.now();
const tour = await startTour();
const browser = await launchChromium();
let count = 0;
const failures: string[] = [];
try {
  await tourPages(
    browser,
    tour,
    langs,
    async (page, visit) => {
      const dir = path.join(out, visit.lang);
      mkdirSync(dir, { recursive: true });
      // Chromium fails (and closes) on a full-page capture much taller than this: the API reference.
      const height = await page.evaluate(
        () =>
          (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document
            .documentElement.scrollHeight,
      );
      await page.screenshot({
        path: path.join(dir, `${visit.role}-${visit.page}-${visit.size.width}.png`),
        ...(height <= MAX_HEIGHT
          ? { fullPage: true }
          : { fullPage: true, clip: { x: 0, y: 0, width: visit.size.width, height: MAX_HEIGHT } }),
      });
      count += 1;
    },
    (where, error) =>
      failures.push(`${where}: ${error instanceof Error ? error.message.split('\n')[0] : error}`),
    (visitor) => !values.role || values.role.includes(visitor.role),
  );
} finally {
  await browser.close();
  await tour.close();
}
console.log(
  `screenshots: ${count} pages in ${path.relative(root, out) || out}/ in ${Math.round((performance.now() - started) / 1000)} s`,
);
for (const failure of failures) console.log(`not reached: ${failure}`);
process.exitCode = failures.length ? 1 : 0;
