import { type Locale, translator } from '../../platform/i18n.ts';

/** The email telling a partner its case was answered: subject, HTML and plain text. */
export function renderAnswerEmail(
  locale: Locale,
  p: { caseNumber: string; link: string; answer: string },
): { subject: string; html: string; text: string } {
  const t = translator(locale);
  const subject = t('email.support_answer.subject', { number: p.caseNumber });
  const html = String(
    <html lang={locale}>
      <body>
        <p>{t('email.support_answer.intro', { number: p.caseNumber })}</p>
        <blockquote style="white-space: pre-wrap">{p.answer}</blockquote>
        <p>
          <a href={p.link}>{t('email.support_answer.open_case')}</a>
        </p>
      </body>
    </html>,
  );
  const text = [
    t('email.support_answer.intro', { number: p.caseNumber }),
    '',
    p.answer,
    '',
    `${t('email.support_answer.open_case')}: ${p.link}`,
  ].join('\n');
  return { subject, html, text };
}
