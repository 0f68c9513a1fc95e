import { formatDate } from '../../platform/format.ts';
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
import type { SetupProgress } from './services.ts';

/** "Your subscription is active": what was set up and when billing started, with the summary's link. */
export function renderProvisionedEmail(input: {
  locale: Locale;
  /** The recipient's organization's zone: billing starts on that day there. */
  timeZone: string;
  progress: SetupProgress;
  billingStartedAt: Date;
  billingStartReason: 'policy' | 'provisioned';
  summaryUrl: string;
}): { subject: string; html: string; text: string } {
  const t = emailTranslator(input.locale);
  const { setup, sites, location, subdomain } = input.progress;
  const subject = t('services.email.subject', {
    subscription: setup.subscriptionId,
    reference: setup.order.reference,
  });
  const rows: [string, string][] = [
    [t('services.summary.order'), `${setup.order.number} · ${setup.order.reference}`],
    [t('services.summary.subscription'), setup.subscriptionId],
    [t('services.summary.offer'), `${setup.offer.name} (${setup.offer.code})`],
    [t('services.summary.customer'), setup.mapping.customer.name],
    ...sites.map((s): [string, string] => [
      t('services.summary.site'),
      `${s.name} · ${s.timeZone} · ${s.licenses}`,
    ]),
    ...(location
      ? [[t('services.summary.location'), `${location.name}, ${location.city}`] as [string, string]]
      : []),
    ...(subdomain ? [[t('services.summary.subdomain'), subdomain] as [string, string]] : []),
    [
      t('services.summary.billing_start'),
      `${formatDate(input, input.billingStartedAt, 'long')} (${t(`services.billing_reason.${input.billingStartReason}`)})`,
    ],
  ];
  const intro = t('services.email.intro', { customer: setup.mapping.customer.name });
  return {
    subject,
    html: documentShell({
      locale: input.locale,
      title: subject,
      preheader: intro,
      rows: [
        heading(t('services.email.heading')),
        paragraph(esc(intro)),
        facts(rows, true),
        button(input.summaryUrl, t('services.email.open_summary')),
      ],
    }),
    text: textBody([
      t('services.email.heading'),
      intro,
      textFacts(rows),
      `${t('services.email.open_summary')}: ${input.summaryUrl}`,
    ]),
  };
}
