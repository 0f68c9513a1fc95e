import type { Content } from 'pdfmake/interfaces.js';
import { addressLines } from '../../platform/address.ts';
import type { Actor, Ctx } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { formatDate, formatDateTime, type Reader } from '../../platform/format.ts';
import { type Translate, translator } from '../../platform/i18n.ts';
import type { PageNumbering, PdfDocument } from '../../platform/pdf/renderer.ts';
import { flowingText } from './pdf-text.ts';
import { loadForSetUp, progressOf, type SetupProgress } from './services.ts';

/**
 * The order summary (S7) as a PDF for the reader's records, in their language, rendered on the
 * runtime's PDF threads (platform/pdf/renderer.ts) in DejaVu Sans, which has Cyrillic, Hebrew and
 * Arabic.
 */

/**
 * Characters of the widest letters that fit in a column (10 pt DejaVu Sans, ~9.5 pt a letter): the
 * facts' value column is 60% of the page, a site's name or time zone a quarter of it.
 */
const FACT_VALUE_CHARS = 28;
const SITE_CELL_CHARS = 16;

/** The footer's "Page 1 of 2" for each plural category of the language, for the PDF thread to pick from. */
function pageNumbering(t: Translate, locale: string): PageNumbering {
  const rules = new Intl.PluralRules(locale);
  const templates: Partial<Record<Intl.LDMLPluralRule, string>> = {};
  // The smallest count of each category stands for it: i18next picks the key's plural form by count.
  for (let count = 0; count <= 200; count++) {
    const category = rules.select(count);
    templates[category] ??= t('services.summary.page_of', { count, page: '{{page}}', pages: '{{pages}}' });
  }
  return { locale, templates: { ...templates, other: templates.other ?? '{{page}}/{{pages}}' } };
}

/** Who the document is for and from: the reader (language and zone), the vendor, when it was issued. */
export interface SummaryIssue {
  reader: Reader;
  vendorName: string;
  issuedAt: Date;
}

/** The document, separate from rendering so its content can be read in tests and reused. */
export function summaryDocument(issue: SummaryIssue, p: SetupProgress): PdfDocument {
  const { reader } = issue;
  const { locale } = reader;
  const t = translator(locale);
  const s = p.setup;
  const fact = (label: string, value: string): Content[] => [
    { text: label, bold: true },
    flowingText(value, FACT_VALUE_CHARS),
  ];
  const table = (rows: Content[][]): Content => ({
    table: { widths: ['40%', '*'], body: rows },
    layout: 'lightHorizontalLines',
    margin: [0, 0, 0, 12],
  });
  const content: Content[] = [
    // The title block: whose document, what it is, for which subscription and when it was issued.
    {
      columns: [
        { text: issue.vendorName, fontSize: 12, bold: true },
        {
          text: t('services.summary.issued_on', { date: formatDate(reader, issue.issuedAt, 'long') }),
          alignment: 'right',
        },
      ],
      margin: [0, 0, 0, 8],
    },
    {
      canvas: [{ type: 'line', x1: 0, y1: 0, x2: 515, y2: 0, lineWidth: 0.5, lineColor: '#9aa5b1' }],
      margin: [0, 0, 0, 12],
    },
    { text: t('services.summary.title'), fontSize: 18, bold: true, margin: [0, 0, 0, 4] },
    { text: `${s.subscriptionId} · ${s.mapping.customer.name}`, color: '#52606d', margin: [0, 0, 0, 12] },
    table([
      fact(t('services.summary.order'), s.order.number),
      fact(t('services.summary.reference'), s.order.reference),
      fact(t('services.summary.subscription'), s.subscriptionId),
      fact(t('services.summary.offer'), `${s.offer.name} (${s.offer.code})`),
      ...s.services.map((svc) => fact(t(`services.service.${svc.code}`), String(svc.quantity))),
      fact(t('services.summary.partner'), s.mapping.partner.name),
      fact(t('services.summary.customer'), s.mapping.customer.name),
    ]),
  ];
  if (p.sites.length) {
    content.push({ text: t('services.meetings.title'), fontSize: 13, bold: true, margin: [0, 4, 0, 6] });
    content.push({
      table: {
        headerRows: 1,
        widths: ['*', '*', 'auto', 'auto'],
        body: [
          [
            t('services.meetings.site_name'),
            t('services.meetings.time_zone'),
            t('services.meetings.early_release'),
            t('services.meetings.licences'),
          ].map((h) => ({ text: h, bold: true })),
          ...p.sites.map((site) => [
            flowingText(site.name, SITE_CELL_CHARS),
            flowingText(site.timeZone, SITE_CELL_CHARS),
            t(site.earlyRelease ? 'services.yes' : 'services.no'),
            String(site.licenses),
          ]),
        ],
      },
      layout: 'lightHorizontalLines',
      margin: [0, 0, 0, 12],
    });
  }
  if (p.location) {
    const l = p.location;
    content.push({ text: t('services.calling.title'), fontSize: 13, bold: true, margin: [0, 4, 0, 6] });
    content.push(
      table([
        fact(t('services.calling.name'), l.name),
        fact(t('services.calling.address'), addressLines(locale, l).join('\n')),
        fact(t('services.calling.time_zone'), l.timeZone),
        fact(t('services.calling.language'), t(`services.languages.${l.language}`)),
      ]),
    );
  }
  const billing: Content[][] = [];
  if (p.subdomain) billing.push(fact(t('services.summary.subdomain'), p.subdomain));
  if (s.billingStartedAt && s.billingStartReason)
    billing.push(
      fact(
        t('services.summary.billing_start'),
        `${formatDate(reader, s.billingStartedAt, 'long')} (${t(`services.billing_reason.${s.billingStartReason}`)})`,
      ),
    );
  if (s.provisionedAt)
    billing.push(fact(t('services.summary.provisioned_at'), formatDateTime(reader, s.provisionedAt)));
  if (billing.length) content.push(table(billing));
  return {
    info: { title: `${t('services.summary.title')} ${s.subscriptionId}`, author: issue.vendorName },
    language: locale,
    content,
    defaultStyle: { font: 'DejaVuSans', fontSize: 10 },
    pageMargins: [40, 40, 40, 48],
    pageNumbers: pageNumbering(t, locale),
  };
}

/** Who is asking, for the renderer's per-caller limit. */
function callerOf(actor: Actor): string {
  switch (actor.type) {
    case 'user':
      return `user:${actor.userId}`;
    case 'api_key':
      return `api_key:${actor.apiKeyId}`;
    case 'setup_link':
      return `setup_link:${actor.linkId}`;
    case 'system':
      return `system:${actor.name}`;
    default:
      return 'anonymous';
  }
}

/**
 * getOrderSummaryPdf: whoever may set the subscription up may download its summary, once it is
 * provisioned (before that it would summarise choices that can still change). A caller with two
 * renders under way is asked to retry (429); a full queue is 503.
 */
export async function orderSummaryPdf(ctx: Ctx, subscriptionId: string): Promise<Buffer> {
  const setup = await loadForSetUp(ctx, subscriptionId, { change: false });
  if (!setup.provisionedAt) throw new DomainError('summary_not_provisioned', 409);
  const issue = {
    reader: { locale: ctx.locale, timeZone: ctx.timeZone },
    vendorName: ctx.config.vendorName,
    issuedAt: ctx.clock.now(),
  };
  const doc = summaryDocument(issue, await progressOf(ctx, setup));
  const outcome = await ctx.pdf.render(callerOf(ctx.actor), doc);
  if (outcome.ok) return outcome.bytes;
  const params = { retryAfterSeconds: outcome.retryAfterSeconds, seconds: outcome.retryAfterSeconds };
  if (outcome.reason === 'caller_busy') throw new DomainError('summary_busy', 429, params);
  throw new DomainError('service_unavailable', 503, params);
}
