import { formatDay, formatNumber } from '../../../platform/format.ts';
import type { Locale } from '../../../platform/i18n.ts';
import { oneFinalPeriod } from '../../../platform/sentence.ts';
import {
  button,
  divider,
  documentShell,
  type EmailT,
  emailTranslator,
  esc,
  facts,
  heading,
  link,
  muted,
  paragraph,
  subheading,
  textBody,
  textFacts,
} from './layout.ts';

export interface ProvisioningEmailLine {
  subscriptionId: string;
  offerName: string;
  services: string[];
  quantity: number;
  requestedStartDate: string;
  setupUrl: string;
}

export interface ProvisioningEmailInput {
  locale: Locale;
  orderReference: string;
  orderNumber: string;
  partnerName: string;
  endCustomerName: string;
  contactEmail: string;
  sender: string;
  lines: ProvisioningEmailLine[];
  resend: boolean;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

type T = EmailT;

/**
 * A translated sentence as HTML: the catalog text and plain values are escaped, and the values named
 * in `html` (already safe markup, e.g. a bold address) are put in after escaping.
 */
function rich(
  t: T,
  key: string,
  values: Record<string, string | number>,
  html: Record<string, string> = {},
): string {
  const markers = Object.fromEntries(Object.keys(html).map((name) => [name, `\uE001${name}\uE001`]));
  const escaped = esc(t(key, { ...values, ...markers }));
  return escaped.replace(/\uE001(\w+)\uE001/g, (_, name: string) => html[name] ?? '');
}

function strong(value: string): string {
  return `<strong>${esc(value)}</strong>`;
}

/** Service codes the catalog names (meetings, calling…) in the recipient's language; others as given. */
function serviceNames(t: T, services: string[]): string {
  return services
    .map((s) => {
      const key = `service.${s}`;
      const name = /^\w+$/.test(s) ? t(key) : key;
      return name === key ? s : name;
    })
    .join(', ');
}

export function renderProvisioningEmail(input: ProvisioningEmailInput): RenderedEmail {
  const t = emailTranslator(input.locale);
  const k = (key: string) => `email.provisioning.${key}`;
  const count = input.lines.length;
  const people = { partner: input.partnerName, customer: input.endCustomerName, count };
  const subject = t(k('subject'), { reference: input.orderReference });
  const orderFacts: [string, string][] = [
    [t(k('order_reference')), input.orderReference],
    [t(k('order_number')), input.orderNumber],
    [t(k('partner')), input.partnerName],
    [t(k('end_customer')), input.endCustomerName],
  ];
  const lines = input.lines.map((line) => ({
    url: line.setupUrl,
    facts: [
      [t(k('subscription')), line.subscriptionId],
      [t(k('offer')), line.offerName],
      [t(k('services')), serviceNames(t, line.services)],
      [t(k('quantity')), formatNumber(input, line.quantity)],
      [t(k('start_date')), formatDay(input, line.requestedStartDate, 'long')],
    ] as [string, string][],
  }));
  const setUp = t(k('set_up_now'));
  const fallback = t(k('link_fallback'));

  const html = documentShell({
    locale: input.locale,
    title: subject,
    preheader: t(k('preheader'), people),
    rows: [
      heading(t(k('heading'))),
      paragraph(esc(t('email.common.greeting'))),
      paragraph(
        rich(
          t,
          k('intro'),
          { count },
          { partner: strong(input.partnerName), customer: strong(input.endCustomerName) },
        ),
      ),
      input.resend ? paragraph(esc(t(k('resent')))) : '',
      subheading(t(k('order_heading'))),
      facts(orderFacts),
      ...lines.flatMap((line) => [
        facts(line.facts, true),
        button(line.url, setUp),
        muted(`${esc(fallback)}<br>${link(line.url)}`),
      ]),
      paragraph(esc(t(k('leave_anytime')))),
      divider(),
      subheading(t(k('spam_heading'))),
      paragraph(rich(t, k('spam'), {}, { sender: strong(input.sender) })),
      paragraph(rich(t, k('help'), {}, { partner: strong(input.partnerName) })),
      muted(esc(t(k('why'), { reference: input.orderReference }))),
      muted(esc(t('email.common.automated', { product: t('ui.product') }))),
    ],
  });

  const text = textBody([
    t(k('heading')),
    t('email.common.greeting'),
    t(k('intro'), people),
    input.resend && t(k('resent')),
    `${t(k('order_heading'))}\n${textFacts(orderFacts)}`,
    ...lines.map((line) => `${textFacts(line.facts)}\n${setUp}: ${line.url}`),
    t(k('leave_anytime')),
    `${t(k('spam_heading'))}\n${t(k('spam'), { sender: input.sender })}`,
    t(k('help'), { partner: input.partnerName }),
    t(k('why'), { reference: input.orderReference }),
    t('email.common.automated', { product: t('ui.product') }),
  ]);
  return { subject, html, text };
}

export function renderContactChangedNotice(input: {
  locale: Locale;
  orderReference: string;
  subscriptionIds: string[];
  newContactEmail: string;
  partnerName: string;
}): RenderedEmail {
  const t = emailTranslator(input.locale);
  const k = (key: string) => `email.contact_changed.${key}`;
  const values = {
    reference: input.orderReference,
    email: input.newContactEmail,
    partner: input.partnerName,
    count: input.subscriptionIds.length,
  };
  const subject = t(k('subject'), values);
  const list = `<ul style="margin:0;padding-left:20px">${input.subscriptionIds.map((id) => `<li>${esc(id)}</li>`).join('')}</ul>`;
  const html = documentShell({
    locale: input.locale,
    title: subject,
    preheader: t(k('preheader'), values),
    rows: [
      heading(t(k('heading'))),
      paragraph(esc(t('email.common.greeting'))),
      paragraph(
        rich(t, k('body'), values, {
          email: strong(input.newContactEmail),
          partner: strong(input.partnerName),
        }),
      ),
      paragraph(list),
      paragraph(esc(oneFinalPeriod(t(k('no_action'), values)))),
      muted(esc(t('email.common.automated', { product: t('ui.product') }))),
    ],
  });
  const text = textBody([
    t(k('heading')),
    t('email.common.greeting'),
    `${t(k('body'), values)}\n${input.subscriptionIds.map((id) => `- ${id}`).join('\n')}`,
    oneFinalPeriod(t(k('no_action'), values)),
    t('email.common.automated', { product: t('ui.product') }),
  ]);
  return { subject, html, text };
}
