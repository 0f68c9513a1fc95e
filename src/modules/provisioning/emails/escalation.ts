import { formatDay, formatNumber } from '../../../platform/format.ts';
import type { Locale } from '../../../platform/i18n.ts';
import {
  button,
  documentShell,
  emailTranslator,
  esc,
  heading,
  link,
  muted,
  paragraph,
  textBody,
} from './layout.ts';
import type { RenderedEmail } from './render.ts';

/** Lines one digest lists; the rest are counted, and the back office lists them all. */
export const ESCALATION_DIGEST_LINES = 100;

export interface EscalatedLine {
  orderReference: string;
  orderNumber: string;
  partnerName: string;
  subscriptionId: string;
  contactEmail: string;
  requestedStartDate: string;
  orderUrl: string;
}

const CELL = "font-family:Arial,'Helvetica Neue',Helvetica,sans-serif;font-size:13px;line-height:18px";
const HEAD = `${CELL};color:#52606d;text-align:left;padding:4px 8px 4px 0;border-bottom:1px solid #d9e2ec`;
const BODY = `${CELL};color:#1f2933;padding:6px 8px 6px 0;border-bottom:1px solid #f0f4f8;vertical-align:top`;

/**
 * One email per representative per run (C10): the stalled lines of every partner they look after,
 * the first `ESCALATION_DIGEST_LINES` listed, the rest counted, and a link to the whole list.
 */
export function renderEscalationDigest(input: {
  locale: Locale;
  lines: EscalatedLine[];
  total: number;
  listUrl: string;
}): RenderedEmail {
  const { locale, lines, total } = input;
  const t = emailTranslator(locale);
  const k = (key: string) => `email.escalation.${key}`;
  const counted = { count: total, n: formatNumber({ locale }, total) };
  const subject = t(k('subject'), counted);
  const rest = total - lines.length;
  const more = rest > 0 ? t(k('more'), { count: rest, n: formatNumber({ locale }, rest) }) : null;
  const dated = lines.map((l) => ({ ...l, date: formatDay({ locale }, l.requestedStartDate, 'long') }));
  const columns = [k('order'), k('partner'), k('contact'), k('start_date')].map((c) => t(c));
  const table = `<tr><td style="padding:0 32px 16px"><table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"><tr>${columns
    .map((c) => `<th scope="col" style="${HEAD}">${esc(c)}</th>`)
    .join('')}</tr>${dated
    .map(
      (l) =>
        `<tr><td style="${BODY}">${link(l.orderUrl, l.orderReference)}<br><span style="color:#52606d">${esc(l.orderNumber)} · ${esc(l.subscriptionId)}</span></td><td style="${BODY}">${esc(l.partnerName)}</td><td style="${BODY};word-break:break-all">${esc(l.contactEmail)}</td><td style="${BODY};white-space:nowrap">${esc(l.date)}</td></tr>`,
    )
    .join('')}</table></td></tr>`;
  const html = documentShell({
    locale,
    title: subject,
    preheader: t(k('preheader'), counted),
    rows: [
      heading(t(k('heading'))),
      paragraph(esc(t('email.common.greeting'))),
      paragraph(esc(t(k('body'), counted))),
      paragraph(esc(t(k('action')))),
      table,
      more ? paragraph(esc(more)) : '',
      button(input.listUrl, t(k('open_list'))),
      muted(link(input.listUrl)),
      muted(esc(t('email.common.automated', { product: t('ui.product') }))),
    ],
  });
  const text = textBody([
    t(k('heading')),
    t('email.common.greeting'),
    t(k('body'), counted),
    t(k('action')),
    dated
      .map(
        (l) =>
          `- ${l.orderReference} (${l.orderNumber}) · ${l.partnerName} · ${l.subscriptionId} · ${l.contactEmail} · ${l.date}\n  ${l.orderUrl}`,
      )
      .join('\n'),
    more,
    `${t(k('open_list'))}: ${input.listUrl}`,
    t('email.common.automated', { product: t('ui.product') }),
  ]);
  return { subject, html, text };
}
