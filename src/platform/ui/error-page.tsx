import type { DomainError } from '../errors.ts';
import { type Locale, translator } from '../i18n.ts';
import { Layout, type PageChrome } from './layout.tsx';

/** A refusal or failure as a page, in the visitor's language (parameters are escaped like any text). */
export function ErrorPage(props: {
  locale: Locale;
  path: string;
  error: DomainError;
  user?: PageChrome['user'];
}) {
  const t = translator(props.locale);
  const { code, params } = props.error;
  return (
    <Layout t={t} locale={props.locale} title={t(`errors.${code}.title`)} path={props.path} user={props.user}>
      <h1>{t(`errors.${code}.title`)}</h1>
      <p>{t(`errors.${code}.detail`, params)}</p>
      <p>
        <a href="/orders">{t('order.back')}</a>
      </p>
    </Layout>
  );
}

export function renderErrorPage(locale: Locale, path: string, error: DomainError): string {
  return String(<ErrorPage locale={locale} path={path} error={error} />);
}
