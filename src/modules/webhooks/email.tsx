import { formatDateTime, type Reader } from '../../platform/format.ts';
import { translator } from '../../platform/i18n.ts';

/** The email telling an endpoint's owner it was disabled, why, and what to do: subject, HTML and text. */
export function renderDisabledEmail(
  reader: Reader,
  p: { url: string; reason: 'gone' | 'failing'; failingSince: Date | null; link: string },
): { subject: string; html: string; text: string } {
  const { locale } = reader;
  const t = translator(locale);
  const since = p.failingSince ? formatDateTime(reader, p.failingSince) : '';
  const subject = t('webhooks.email.subject', { url: p.url });
  const why = p.reason === 'gone' ? t('webhooks.email.gone') : t('webhooks.email.failing', { since });
  const next = t('webhooks.email.next');
  const html = String(
    <html lang={locale}>
      <body>
        <p>{t('webhooks.email.intro', { url: p.url })}</p>
        <p>{why}</p>
        <p>{next}</p>
        <p>
          <a href={p.link}>{t('webhooks.email.open')}</a>
        </p>
      </body>
    </html>,
  );
  const text = [
    t('webhooks.email.intro', { url: p.url }),
    '',
    why,
    '',
    next,
    '',
    `${t('webhooks.email.open')}: ${p.link}`,
  ].join('\n');
  return { subject, html, text };
}
