import { type Locale, translator } from '../../platform/i18n.ts';
import { oneFinalPeriod } from '../../platform/sentence.ts';

/** Asks a customer's admins to make the partner that provisioned them a full admin (W6). */
export function renderFullAdminRequestEmail(
  locale: Locale,
  p: { partner: string; customer: string; requester: string | null; link: string },
): { subject: string; html: string; text: string } {
  const t = translator(locale);
  const subject = t('hub.email.full_admin_request.subject', { partner: p.partner });
  // An API key asks in its organization's name: no person to name.
  const intro = oneFinalPeriod(
    p.requester
      ? t('hub.email.full_admin_request.intro', { ...p, requester: p.requester })
      : t('hub.email.full_admin_request.intro_org', p),
  );
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

function render(
  locale: Locale,
  subject: string,
  paragraphs: string[],
  action: { label: string; link: string },
) {
  const html = String(
    <html lang={locale}>
      <body>
        {paragraphs.map((p) => (
          <p>{p}</p>
        ))}
        <p>
          <a href={action.link}>{action.label}</a>
        </p>
      </body>
    </html>,
  );
  const text = [...paragraphs.flatMap((p) => [p, '']), `${action.label}: ${action.link}`].join('\n');
  return { subject, html, text };
}

/** Invites a new user to the organization, in the language the inviting admin chose for them. */
export function renderUserInvitationEmail(
  locale: Locale,
  p: { organization: string; inviter: string; role: string; link: string; days: number },
): { subject: string; html: string; text: string } {
  const t = translator(locale);
  const role = t(`hub.role.${p.role}`);
  return render(
    locale,
    t('hub.email.invitation.subject', { organization: p.organization }),
    [t('hub.email.invitation.intro', { ...p, role }), t('hub.email.invitation.explain', { count: p.days })],
    { label: t('hub.email.invitation.action'), link: p.link },
  );
}

/** Tells the partner that asked (or its admins) that the customer granted full admin. */
export function renderFullAdminGrantedEmail(
  locale: Locale,
  p: { partner: string; customer: string; granter: string; link: string },
): { subject: string; html: string; text: string } {
  const t = translator(locale);
  return render(
    locale,
    t('hub.email.full_admin_granted.subject', { customer: p.customer }),
    [t('hub.email.full_admin_granted.intro', p), t('hub.email.full_admin_granted.explain', p)],
    { label: t('hub.email.full_admin_request.action'), link: p.link },
  );
}
