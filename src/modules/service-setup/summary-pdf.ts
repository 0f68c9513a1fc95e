import type { Content, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { Actor, Ctx } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { type Locale, translator } from '../../platform/i18n.ts';
import { countryName } from '../../platform/regions.ts';
import { formatDate } from '../provisioning/emails/layout.ts';
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

function day(locale: Locale, date: Date): string {
  return formatDate(locale, date.toISOString());
}

/** The document, separate from rendering so its content can be read in tests and reused. */
export function summaryDocument(locale: Locale, p: SetupProgress): TDocumentDefinitions {
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
    { text: t('services.summary.title'), fontSize: 18, bold: true, margin: [0, 0, 0, 12] },
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
        fact(
          t('services.calling.address'),
          [
            l.addressLine1,
            l.addressLine2,
            [l.postalCode, l.city].filter(Boolean).join(' '),
            l.stateRegion,
            countryName(locale, l.country),
          ]
            .filter(Boolean)
            .join('\n'),
        ),
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
        `${day(locale, s.billingStartedAt)} (${t(`services.billing_reason.${s.billingStartReason}`)})`,
      ),
    );
  if (s.provisionedAt) billing.push(fact(t('services.summary.provisioned_at'), day(locale, s.provisionedAt)));
  if (billing.length) content.push(table(billing));
  return {
    info: { title: `${t('services.summary.title')} ${s.subscriptionId}` },
    language: locale,
    content,
    defaultStyle: { font: 'DejaVuSans', fontSize: 10 },
    pageMargins: [40, 40, 40, 40],
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
  const doc = summaryDocument(ctx.locale, await progressOf(ctx, setup));
  const outcome = await ctx.pdf.render(callerOf(ctx.actor), doc);
  if (outcome.ok) return outcome.bytes;
  const params = { retryAfterSeconds: outcome.retryAfterSeconds, seconds: outcome.retryAfterSeconds };
  if (outcome.reason === 'caller_busy') throw new DomainError('summary_busy', 429, params);
  throw new DomainError('service_unavailable', 503, params);
}
