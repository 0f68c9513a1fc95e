import type { Locale } from '../../platform/i18n.ts';
import {
  button,
  documentShell,
  emailTranslator,
  esc,
  facts,
  heading,
  paragraph,
  textBody,
  textFacts,
} from '../provisioning/emails/layout.ts';

/** The emails of a consent request (docs/adr/0022): to the organization's admins, then to the contact. */

export interface ConsentEmailFacts {
  locale: Locale;
  organization: string;
  partner: string;
  subject: string;
  orderReference: string;
  subscriptionId: string;
  offerName: string;
}

function render(
  locale: Locale,
  subject: string,
  paragraphs: string[],
  rows: [string, string][],
  action: { url: string; label: string },
) {
  const html = documentShell({
    locale,
    title: subject,
    preheader: paragraphs[0] ?? subject,
    rows: [
      heading(subject),
      ...paragraphs.map((p) => paragraph(esc(p))),
      facts(rows, true),
      button(action.url, action.label),
    ],
  });
  const text = textBody([subject, ...paragraphs, textFacts(rows), `${action.label}: ${action.url}`]);
  return { subject, html, text };
}

function rowsOf(t: (key: string) => string, f: ConsentEmailFacts): [string, string][] {
  return [
    [t('wizard.email.order'), f.orderReference],
    [t('wizard.email.subscription'), f.subscriptionId],
    [t('wizard.email.offer'), f.offerName],
  ];
}

/** To each admin of the organization: someone asks to join it, or a partner asks for access. */
export function renderConsentRequestEmail(
  f: ConsentEmailFacts & { reason: 'join' | 'partner_access'; url: string },
) {
  const t = emailTranslator(f.locale);
  const values = { organization: f.organization, partner: f.partner, email: f.subject };
  return render(
    f.locale,
    t('consent.email.request.subject', values),
    [t(`consent.email.request.intro_${f.reason}`, values), t('consent.email.request.safety', values)],
    rowsOf(t, f),
    { url: f.url, label: t('consent.email.request.button') },
  );
}

/**
 * To the contact: the admins approved (the mapping went through), refused, or did not answer within
 * `days` (expired); the last two say what to do next.
 */
export function renderConsentDecisionEmail(
  f: ConsentEmailFacts & { decision: 'approved' | 'refused' | 'expired'; url: string; days?: number },
) {
  const t = emailTranslator(f.locale);
  const values = { organization: f.organization, ...(f.days === undefined ? {} : { count: f.days }) };
  const k = `consent.email.${f.decision}`;
  return render(
    f.locale,
    t(`${k}.subject`, values),
    [t(`${k}.intro`, values), t(`${k}.next`, values)],
    rowsOf(t, f),
    { url: f.url, label: t(`${k}.button`) },
  );
}
