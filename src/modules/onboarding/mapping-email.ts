import type { Locale } from '../../platform/i18n.ts';
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

export interface InvitationEmailInput {
  locale: Locale;
  /** set_up_services: the customer admin continues service setup (W7); set_password: a new admin (W4). */
  purpose: 'set_up_services' | 'set_password';
  url: string;
  orderReference: string;
  subscriptionId: string;
  offerName: string;
  partnerName: string;
}

/** The email with a one-time invitation link, sent when the mapping hands setup to someone. */
export function renderInvitationEmail(input: InvitationEmailInput): {
  subject: string;
  html: string;
  text: string;
} {
  const t = emailTranslator(input.locale);
  const k = `wizard.email.${input.purpose}`;
  const values = { reference: input.orderReference, partner: input.partnerName };
  const subject = t(`${k}.subject`, values);
  const rows: [string, string][] = [
    [t('wizard.email.order'), input.orderReference],
    [t('wizard.email.subscription'), input.subscriptionId],
    [t('wizard.email.offer'), input.offerName],
  ];
  const html = documentShell({
    locale: input.locale,
    title: subject,
    preheader: t(`${k}.intro`, values),
    rows: [
      heading(subject),
      paragraph(esc(t(`${k}.intro`, values))),
      facts(rows, true),
      button(input.url, t(`${k}.button`)),
      muted(`${esc(t('wizard.email.link_fallback'))} ${link(input.url)}`),
      muted(esc(t('wizard.email.expiry'))),
    ],
  });
  const text = textBody([
    subject,
    t(`${k}.intro`, values),
    textFacts(rows),
    `${t(`${k}.button`)}: ${input.url}`,
    t('wizard.email.expiry'),
  ]);
  return { subject, html, text };
}
