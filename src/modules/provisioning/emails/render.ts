import { type Locale, translator } from '../../../platform/i18n.ts';

/**
 * Minimal provisioning emails: the subject from the catalog, each setup link and the sender address
 * in both the HTML and the text part. The polished layout replaces this file with the same exports.
 */

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

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

export function renderProvisioningEmail(input: ProvisioningEmailInput): RenderedEmail {
  const t = translator(input.locale);
  const subject = t('email.provisioning.subject', { reference: input.orderReference });
  const intro = t('provisioning.email.intro', {
    partner: input.partnerName,
    customer: input.endCustomerName,
    number: input.orderNumber,
  });
  const allowList = t('provisioning.email.allow_list', { sender: input.sender });
  const describe = (line: ProvisioningEmailLine) =>
    `${line.subscriptionId} · ${line.offerName} (${line.services.join(', ')}) × ${line.quantity} · ${line.requestedStartDate}`;
  const button = t('provisioning.email.set_up_now');
  const html = [
    `<p>${escapeHtml(intro)}</p>`,
    ...(input.resend ? [`<p>${escapeHtml(t('provisioning.email.resent_note'))}</p>`] : []),
    '<ul>',
    ...input.lines.map(
      (line) =>
        `<li>${escapeHtml(describe(line))} <a href="${escapeHtml(line.setupUrl)}">${escapeHtml(button)}</a></li>`,
    ),
    '</ul>',
    `<p>${escapeHtml(allowList)}</p>`,
  ].join('\n');
  const text = [
    intro,
    ...(input.resend ? [t('provisioning.email.resent_note')] : []),
    '',
    ...input.lines.map((line) => `- ${describe(line)}\n  ${button}: ${line.setupUrl}`),
    '',
    allowList,
  ].join('\n');
  return { subject, html, text };
}

export function renderContactChangedNotice(input: {
  locale: Locale;
  orderReference: string;
  subscriptionIds: string[];
  newContactEmail: string;
  partnerName: string;
}): RenderedEmail {
  const t = translator(input.locale);
  const subject = t('provisioning.notice.subject', { reference: input.orderReference });
  const body = t('provisioning.notice.body', {
    partner: input.partnerName,
    reference: input.orderReference,
    subscriptions: input.subscriptionIds.join(', '),
    email: input.newContactEmail,
  });
  return { subject, html: `<p>${escapeHtml(body)}</p>`, text: body };
}
