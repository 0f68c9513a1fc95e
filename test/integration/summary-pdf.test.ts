import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { TDocumentDefinitions } from 'pdfmake/interfaces.js';
import { formatDate } from '../../src/platform/format.ts';
import { PDF_LIMITS } from '../../src/platform/pdf/renderer.ts';
import { type Harness, startHarness, testEngines } from '../support/harness.ts';
import { type MappedSubscription, mappedSubscription } from '../support/mapped-subscription.ts';

const base = (id: string) => `/api/v1/subscriptions/${id}`;

interface Problem {
  code: string;
  detail: string;
}

/** The PDF's text as pdftotext reads it, with line breaks, bidi marks and no-break spaces taken out. */
function pdfText(pdf: Buffer): string {
  return execFileSync('pdftotext', ['-', '-'], { input: pdf })
    .toString('utf8')
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/\u00a0/g, ' ');
}
const unwrapped = (text: string) => text.replace(/\s*\n\s*/g, '');

const smallDoc = (text: string): TDocumentDefinitions => ({
  content: [text],
  defaultStyle: { font: 'DejaVuSans', fontSize: 10 },
});

for (const engine of testEngines()) {
  describe(`order summary PDF: off the main thread, bounded, after Provision, text that fits (${engine})`, () => {
    let h: Harness;
    let n = 0;
    const unique = (prefix: string) => `${prefix}-${engine}-${++n}`;

    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h.close());

    async function setUp(m: MappedSubscription, location: Record<string, string> = {}) {
      const put = async (path: string, payload: unknown) => {
        const res = await h.api(m.partner, 'PUT', `${base(m.subscriptionId)}/setup/${path}`, payload);
        assert.equal(res.status, 200, await res.clone().text());
      };
      await put('meeting-sites', { sites: [{ name: unique('site'), timeZone: 'Europe/Rome' }] });
      await put('calling-location', {
        name: 'Sede di Milano',
        country: 'IT',
        addressLine1: 'Via Roma 1',
        city: 'Milano',
        postalCode: '20121',
        timeZone: 'Europe/Rome',
        language: 'it',
        ...location,
      });
      await put('enterprise-subdomain', { subdomain: unique('sub') });
    }
    const provision = async (m: MappedSubscription) =>
      assert.equal((await h.api(m.partner, 'POST', `${base(m.subscriptionId)}/provision`)).status, 200);
    const summary = (m: MappedSubscription, lang = 'en') =>
      h.api(m.partner, 'GET', `${base(m.subscriptionId)}/summary.pdf`, undefined, {
        'Accept-Language': lang,
      });

    it('answers 409 summary_not_provisioned, in the reader’s language, until the subscription is provisioned', async () => {
      const m = await mappedSubscription(h);
      await setUp(m);
      for (const [lang, detail] of [
        ['en', /once the subscription has been provisioned/],
        ['it', /quando l'abbonamento è stato attivato/],
      ] as const) {
        const res = await summary(m, lang);
        assert.equal(res.status, 409);
        assert.equal(res.headers.get('content-type'), 'application/problem+json');
        const problem = (await res.json()) as Problem;
        assert.equal(problem.code, 'summary_not_provisioned');
        assert.match(problem.detail, detail);
      }
      await provision(m);
      const res = await summary(m);
      assert.equal(res.status, 200);
      assert.equal(
        Buffer.from(await res.arrayBuffer())
          .subarray(0, 5)
          .toString('latin1'),
        '%PDF-',
      );
    });

    it('opens with a title block: the vendor, the title, the issue date in the reader’s language; numbered pages', async () => {
      const m = await mappedSubscription(h);
      await setUp(m, { stateRegion: 'MI' });
      await provision(m);
      for (const [lang, locale, page] of [
        ['en', 'en', 'Page 1 of 1'],
        ['it', 'it', 'Pagina 1 di 1'],
        ['ru', 'ru', 'Страница 1 из 1'],
      ] as const) {
        const res = await summary(m, lang);
        assert.equal(res.status, 200);
        const text = pdfText(Buffer.from(await res.arrayBuffer()));
        const head = text.slice(0, text.indexOf(m.subscriptionId));
        assert.ok(head.includes(h.rt.config.vendorName), `vendor name in the title block of\n${text}`);
        const issued = formatDate({ locale }, h.rt.clock.now(), 'long');
        assert.ok(head.includes(issued), `issue date ${issued} in\n${text}`);
        assert.ok(text.includes(page), `${page} in\n${text}`);
      }
      // The calling location's address as the Italian post writes it.
      const it = pdfText(Buffer.from(await (await summary(m, 'it')).arrayBuffer()));
      assert.ok(it.includes('20121 Milano (MI)'), `Italian address line in\n${it}`);
      assert.ok(it.includes('Data di emissione:'), it);
    });

    it('numbers every page "Page n of N" in the language, with the plural the count needs', async () => {
      const numbered = (locale: string, templates: Record<string, string>) => ({
        ...smallDoc(''),
        content: Array.from({ length: 120 }, (_, i) => `${locale} line ${engine} ${i}`),
        pageNumbers: { locale, templates: { other: '', ...templates } },
      });
      const it = await h.rt.pdf.render(
        'pages',
        numbered('it', { one: 'Pagina {{page}} di {{pages}}', other: 'Pagina {{page}} di {{pages}}' }),
      );
      assert.ok(it.ok);
      const itText = pdfText(it.bytes);
      const pages = Number(/Pagina 1 di (\d+)/.exec(itText)?.[1]);
      assert.ok(pages >= 2, itText);
      assert.ok(itText.includes(`Pagina ${pages} di ${pages}`), itText);
      // Russian picks its form by the page count: "few" for 2–4 pages, "other" is never used for them.
      const ru = await h.rt.pdf.render(
        'pages',
        numbered('ru', {
          one: 'одна {{page}}/{{pages}}',
          few: 'few {{page}}/{{pages}}',
          many: 'many {{page}}/{{pages}}',
          other: 'other {{page}}/{{pages}}',
        }),
      );
      assert.ok(ru.ok);
      assert.match(pdfText(ru.bytes), /few 1\/[2-4]/);
    });

    it('wraps long unbroken text instead of clipping it: all of it can be read back', async () => {
      const customerName = `Customer${'x'.repeat(90)}${'y'.repeat(92)}`;
      assert.equal(customerName.length, 190);
      const email = `${'operations.team'.repeat(6)}@${'subsidiary'.repeat(8)}.example.com`;
      const locationName = `Sede${'z'.repeat(76)}`;
      const m = await mappedSubscription(h, { customerName });
      await setUp(m, { name: locationName, addressLine1: email });
      await provision(m);
      const res = await summary(m);
      assert.equal(res.status, 200);
      const text = unwrapped(pdfText(Buffer.from(await res.arrayBuffer())));
      assert.ok(text.includes(customerName), `customer name in\n${text}`);
      assert.ok(text.includes(email), `email-like address in\n${text}`);
      assert.ok(text.includes(locationName), `location name in\n${text}`);
    });

    it('keeps the words of Hebrew and Arabic names in their order, with their spaces', async () => {
      const hebrew = 'חברת תקשורת ישראלית';
      const arabic = 'شركة الاتصالات السعودية';
      const m = await mappedSubscription(h, { customerName: hebrew });
      await setUp(m, { name: `${arabic} 2` });
      await provision(m);
      const res = await summary(m);
      assert.equal(res.status, 200);
      const text = pdfText(Buffer.from(await res.arrayBuffer()));
      assert.ok(text.includes(hebrew), `Hebrew phrase in logical order in\n${text}`);
      // pdftotext writes the lam-alef ligature back as two letters: the first and last words tell the order.
      const first = text.indexOf('شركة');
      const last = text.indexOf('السعودية');
      assert.ok(first >= 0 && last > first, `Arabic words in order in\n${text}`);
    });

    it('answers 60 parallel requests with a PDF or 429 and Retry-After, while another tenant is served', async () => {
      const m = await mappedSubscription(h);
      await setUp(m);
      await provision(m);
      const other = await h.tenant('partner');
      const langs = ['en', 'it', 'pt-BR', 'ru', 'uk'];
      const pdfs = Array.from({ length: 60 }, (_, i) => summary(m, langs[i % langs.length]));
      const plain = await h.api(other, 'GET', '/api/v1/support/cases');
      assert.equal(plain.status, 200);
      let served = 0;
      for (const res of await Promise.all(pdfs)) {
        if (res.status === 200) {
          const pdf = Buffer.from(await res.arrayBuffer());
          assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
          assert.match(pdf.subarray(-32).toString('latin1'), /%%EOF/);
          served += 1;
        } else {
          assert.equal(res.status, 429);
          assert.ok(Number(res.headers.get('retry-after')) > 0);
          assert.equal(((await res.json()) as Problem).code, 'summary_busy');
        }
      }
      assert.ok(served >= 1);
    });

    it(`lets one caller have ${PDF_LIMITS.perCaller} renders under way, not more; others are not held up`, async () => {
      const mine = Array.from({ length: PDF_LIMITS.perCaller + 1 }, (_, i) =>
        h.rt.pdf.render('caller-a', smallDoc(`limit test ${engine} ${i}`)),
      );
      const theirs = h.rt.pdf.render('caller-b', smallDoc(`limit test ${engine} other`));
      const outcomes = await Promise.all(mine);
      assert.deepEqual(
        outcomes.map((o) => o.ok),
        [...Array.from({ length: PDF_LIMITS.perCaller }, () => true), false],
      );
      const refused = outcomes[PDF_LIMITS.perCaller];
      assert.ok(refused && !refused.ok && refused.reason === 'caller_busy' && refused.retryAfterSeconds > 0);
      assert.equal((await theirs).ok, true);
      // Once they are done, the same caller is served again, and a document already rendered costs nothing.
      assert.equal((await h.rt.pdf.render('caller-a', smallDoc(`limit test ${engine} again`))).ok, true);
    });

    it('recovers when its rendering threads die mid-render', async () => {
      const during = h.rt.pdf.render('crash', smallDoc(`crash test ${engine}`));
      await h.rt.pdf.terminateThreads();
      const outcome = await during;
      assert.ok(outcome.ok);
      assert.match(pdfText(outcome.bytes), /crash test/);
      const afterwards = await h.rt.pdf.render('crash', smallDoc(`after the crash ${engine}`));
      assert.ok(afterwards.ok);
      assert.match(pdfText(afterwards.bytes), /after the crash/);
    });
  });
}
