import type { DomainError } from '../errors.ts';
import { type Locale, translator } from '../i18n.ts';
import { homePath, Layout, type PageChrome } from './layout.tsx';

/** A refusal or failure as a page, in the visitor's language (parameters are escaped like any text). */
export function ErrorPage(props: {
  locale: Locale;
  path: string;
  error: DomainError;
  user?: PageChrome['user'] | undefined;
}) {
  const t = translator(props.locale);
  const { code, params } = props.error;
  return (
    <Layout t={t} locale={props.locale} title={t(`errors.${code}.title`)} path={props.path} user={props.user}>
      <section class="error-page" aria-labelledby="error-title">
        <p class="error-status muted">{props.error.status}</p>
        <h1 id="error-title">{t(`errors.${code}.title`)}</h1>
        <p>{t(`errors.${code}.detail`, params)}</p>
        <p>
          {props.user ? (
            <a class="button secondary" href={homePath(props.user.role)}>
              {t('ui.go_home')}
            </a>
          ) : (
            <a class="button secondary" href="/login">
              {t('ui.go_to_sign_in')}
            </a>
          )}
        </p>
      </section>
    </Layout>
  );
}

export function renderErrorPage(
  locale: Locale,
  path: string,
  error: DomainError,
  user?: PageChrome['user'],
): string {
  return String(<ErrorPage locale={locale} path={path} error={error} user={user} />);
}
