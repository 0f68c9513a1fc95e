// @ts-check
/**
 * A PDF renderer thread (platform/pdf/renderer.ts): turns a pdfmake document definition into PDF
 * bytes off the main thread. Plain JavaScript on purpose: the build copies it beside the bundle as it
 * is, and the thread starts without a TypeScript loader.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import PdfPrinter from 'pdfmake';

const require = createRequire(import.meta.url);
const FONT_DIR = path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
// DejaVu Sans, because the standard PDF fonts have no Cyrillic.
const printer = new PdfPrinter({
  DejaVuSans: {
    normal: path.join(FONT_DIR, 'DejaVuSans.ttf'),
    bold: path.join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
    italics: path.join(FONT_DIR, 'DejaVuSans.ttf'),
    bolditalics: path.join(FONT_DIR, 'DejaVuSans-Bold.ttf'),
  },
});

/**
 * The footer "Page 1 of 2" from the sentences the caller sent per plural category (renderer.ts,
 * PageNumbering): the page count's category picks one, the numbers are written in the language.
 * @param {import('./renderer.ts').PageNumbering} numbering
 * @returns {import('pdfmake/interfaces.js').DynamicContent}
 */
function pageFooter(numbering) {
  const plural = new Intl.PluralRules(numbering.locale);
  const number = new Intl.NumberFormat(numbering.locale);
  return (currentPage, pageCount) => {
    const template = numbering.templates[plural.select(pageCount)] ?? numbering.templates.other;
    const text = template
      .replace('{{page}}', number.format(currentPage))
      .replace('{{pages}}', number.format(pageCount));
    return { text, alignment: 'center', fontSize: 8, color: '#52606d', margin: [40, 12, 40, 0] };
  };
}

/** @param {unknown} doc */
function render(doc) {
  return new Promise((resolve, reject) => {
    // The definition was built and typed by the caller (summary-pdf.ts): it is passed on as it came.
    const { pageNumbers, ...definition } = /** @type {import('./renderer.ts').PdfDocument} */ (doc);
    if (pageNumbers) definition.footer = pageFooter(pageNumbers);
    const pdf = printer.createPdfKitDocument(definition);
    /** @type {Buffer[]} */
    const chunks = [];
    pdf.on('data', (/** @type {Buffer} */ chunk) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    pdf.end();
  });
}

parentPort?.on('message', async (/** @type {{ id: number, doc: unknown }} */ task) => {
  try {
    const bytes = /** @type {Buffer} */ (await render(task.doc));
    // A copy of its own: a small Buffer may share a pooled ArrayBuffer, which cannot be transferred.
    const out = new Uint8Array(bytes);
    parentPort?.postMessage({ id: task.id, ok: true, bytes: out }, [out.buffer]);
  } catch (error) {
    parentPort?.postMessage({ id: task.id, ok: false, message: String(error) });
  }
});
