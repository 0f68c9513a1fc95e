import type { Locale } from '../../platform/i18n.ts';
import { translator } from '../../platform/i18n.ts';

/**
 * The account representative's "reach out" email. Same signature as the email templates module's
 * `renderEscalationEmail`; this plain version stands in until that module lands.
 */
export interface EscalationEmailInput {
  locale: Locale;
  partnerName: string;
  orderReference: string;
  orderNumber: string;
  subscriptionId: string;
  contactEmail: string;
  requestedStartDate: string;
  orderUrl: string;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function renderEscalationEmail(input: EscalationEmailInput): {
  subject: string;
  html: string;
  text: string;
} {
  const t = translator(input.locale);
  const params = { ...input };
  const subject = t('timeline.escalation_email.subject', params);
  const body = t('timeline.escalation_email.body', params);
  const action = t('timeline.escalation_email.action');
  const html = `<!doctype html><html lang="${input.locale}"><body><p>${escapeHtml(body)}</p><p><a href="${escapeHtml(input.orderUrl)}">${escapeHtml(action)}</a></p></body></html>`;
  return { subject, html, text: `${body}\n\n${action}: ${input.orderUrl}\n` };
}
