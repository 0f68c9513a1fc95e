import { formatDateTime } from '../../platform/format.ts';
import type { Locale } from '../../platform/i18n.ts';
import { oneFinalPeriod } from '../../platform/sentence.ts';
import {
  button,
  documentShell,
  emailTranslator,
  esc,
  facts,
  heading,
  link,
  muted,
  paragraph,
  textBody,
  textFacts,
} from '../provisioning/emails/layout.ts';
import { failureReason, fieldLabel } from './labels.ts';
import type { AnswerMessage } from './schema.ts';

interface Rendered {
  subject: string;
  html: string;
  text: string;
}

export interface OutcomeEmailInput {
  locale: Locale;
  outcome: 'failed' | 'needs_info';
  subscriptionId: string;
  orderNumber: string;
  reference: string;
  offerName: string;
  customerName: string;
  code: string | null;
  message: AnswerMessage | null;
  fields: string[];
  setupUrl: string;
}

/**
 * To the partner and the customer's admins when the vendor answers a fulfilment request with a failure
 * or a request for information: what it said, in the reader's language, and where to act.
 */
export function renderOutcomeEmail(input: OutcomeEmailInput): Rendered {
  const t = emailTranslator(input.locale);
  const k = (key: string) => `fulfilment.email.${input.outcome}.${key}`;
  const values = {
    subscription: input.subscriptionId,
    reference: input.reference,
    customer: input.customerName,
  };
  const subject = t(k('subject'), values);
  const said =
    input.outcome === 'failed'
      ? failureReason(t, input.locale, input.code, input.message)
      : failureReason(t, input.locale, null, input.message);
  const rows: [string, string][] = [
    [t('services.summary.order'), `${input.orderNumber} · ${input.reference}`],
    [t('services.summary.subscription'), input.subscriptionId],
    [t('services.summary.offer'), input.offerName],
    [t('services.summary.customer'), input.customerName],
  ];
  const fieldList = input.fields.map((f) => fieldLabel(t, f));
  const intro = oneFinalPeriod(t(k('intro'), values));
  const html = documentShell({
    locale: input.locale,
    title: subject,
    preheader: intro,
    rows: [
      heading(t(k('heading'))),
      paragraph(esc(intro)),
      paragraph(`<strong>${esc(t(k('said')))}</strong><br>${esc(said)}`),
      fieldList.length
        ? paragraph(
            `${esc(t('fulfilment.email.needs_info.fields'))}<br>${fieldList.map((f) => `• ${esc(f)}`).join('<br>')}`,
          )
        : '',
      facts(rows, true),
      paragraph(esc(t(k('action')))),
      button(input.setupUrl, t(k('button'))),
      muted(link(input.setupUrl)),
      muted(esc(t('email.common.automated', { product: t('ui.product') }))),
    ],
  });
  const text = textBody([
    t(k('heading')),
    intro,
    `${t(k('said'))}\n${said}`,
    fieldList.length
      ? `${t('fulfilment.email.needs_info.fields')}\n${fieldList.map((f) => `- ${f}`).join('\n')}`
      : null,
    textFacts(rows),
    t(k('action')),
    `${t(k('button'))}: ${input.setupUrl}`,
    t('email.common.automated', { product: t('ui.product') }),
  ]);
  return { subject, html, text };
}

export interface StalledEmailInput {
  locale: Locale;
  /** The representative's zone when known; UTC (named in the text) otherwise. */
  timeZone?: string | undefined;
  hours: number;
  requests: {
    subscriptionId: string;
    partnerName: string;
    customerName: string;
    openedAt: Date;
    url: string;
  }[];
  listUrl: string;
}

/** To the account representative: fulfilment requests nobody answered within FULFILMENT_STALL_HOURS. */
export function renderStalledEmail(input: StalledEmailInput): Rendered {
  const t = emailTranslator(input.locale);
  const k = (key: string) => `fulfilment.email.stalled.${key}`;
  const counted = { count: input.requests.length, hours: input.hours };
  const subject = t(k('subject'), counted);
  const items = input.requests.map(
    (r) =>
      `${r.subscriptionId} · ${r.partnerName} · ${r.customerName} · ${t(k('since'), { date: formatDateTime(input, r.openedAt) })}`,
  );
  const html = documentShell({
    locale: input.locale,
    title: subject,
    preheader: t(k('body'), counted),
    rows: [
      heading(t(k('heading'))),
      paragraph(esc(t('email.common.greeting'))),
      paragraph(esc(t(k('body'), counted))),
      paragraph(input.requests.map((r, i) => `• ${link(r.url, items[i] ?? r.subscriptionId)}`).join('<br>')),
      paragraph(esc(t(k('action')))),
      button(input.listUrl, t(k('open_list'))),
      muted(esc(t('email.common.automated', { product: t('ui.product') }))),
    ],
  });
  const text = textBody([
    t(k('heading')),
    t('email.common.greeting'),
    t(k('body'), counted),
    input.requests.map((r, i) => `- ${items[i]}\n  ${r.url}`).join('\n'),
    t(k('action')),
    `${t(k('open_list'))}: ${input.listUrl}`,
    t('email.common.automated', { product: t('ui.product') }),
  ]);
  return { subject, html, text };
}
