import { type Locale, translator } from '../../platform/i18n.ts';

/** Asks a customer's admins to make the partner that provisioned them a full admin (W6). */
export function renderFullAdminRequestEmail(
  locale: Locale,
  p: { partner: string; customer: string; requester: string | null; link: string },
): { subject: string; html: string; text: string } {
  const t = translator(locale);
  const subject = t('hub.email.full_admin_request.subject', { partner: p.partner });
  // An API key asks in its organization's name: no person to name.
  const intro = p.requester
    ? t('hub.email.full_admin_request.intro', { ...p, requester: p.requester })
    : t('hub.email.full_admin_request.intro_org', p);
  const explain = t('hub.email.full_admin_request.explain', { partner: p.partner });
  const action = t('hub.email.full_admin_request.action');
  const html = String(
    <html lang={locale}>
      <body>
        <p>{intro}</p>
        <p>{explain}</p>
        <p>
          <a href={p.link}>{action}</a>
        </p>
      </body>
    </html>,
  );
  return { subject, html, text: [intro, '', explain, '', `${action}: ${p.link}`].join('\n') };
}
