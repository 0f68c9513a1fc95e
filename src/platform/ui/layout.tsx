import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { LOCALE_NAMES, LOCALES, type Locale, type Translate } from '../i18n.ts';

const HTMX_CONFIG = JSON.stringify({
  includeIndicatorStyles: false,
  responseHandling: [
    { code: '204', swap: false },
    { code: '[23]..', swap: true },
    { code: '422', swap: true },
    { code: '[45]..', swap: false, error: true },
  ],
});

export interface PageChrome {
  t: Translate;
  locale: Locale;
  title: string;
  /** The current path, so the language switch can come back to it. */
  path: string;
  /** The signed-in user; partner admins also see the API keys page in the navigation. */
  user?: { email: string; orgName: string; role?: string };
}

/** Who finds the admin hub in the navigation: partner admins and users, customer admins. */
const HUB_ROLES = new Set(['partner_admin', 'partner_user', 'customer_admin']);

function NavLink({ href, path, children }: { href: string; path: string; children?: Child }) {
  const current = path === href || path.startsWith(`${href}/`) || path.startsWith(`${href}?`);
  return (
    <a href={href} {...(current ? { 'aria-current': 'page' } : {})}>
      {children}
    </a>
  );
}

/** C9's *Change View* menu: the same orders seen as orders, as subscriptions, or as transactions. */
function ChangeView({ t, path }: { t: Translate; path: string }) {
  return (
    <details class="change-view">
      <summary>{t('transactions.change_view')}</summary>
      <ul>
        <li>
          <NavLink href="/orders" path={path}>
            {t('orders.title')}
          </NavLink>
        </li>
        <li>
          <NavLink href="/subscriptions" path={path}>
            {t('subscriptions.title')}
          </NavLink>
        </li>
        <li>
          <NavLink href="/transactions" path={path}>
            {t('transactions.title')}
          </NavLink>
        </li>
      </ul>
    </details>
  );
}

function LanguageSwitch({ t, locale, path }: Pick<PageChrome, 't' | 'locale' | 'path'>) {
  return (
    <form method="post" action="/lang" class="lang">
      <input type="hidden" name="back" value={path} />
      <label for="lang-select">{t('ui.language')}</label>
      <select id="lang-select" name="lang">
        {LOCALES.map((l) => (
          <option value={l} selected={l === locale} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
      <button type="submit">{t('ui.change_language')}</button>
    </form>
  );
}

export function Layout(props: PageChrome & { children?: Child }) {
  const { t, locale, title, user } = props;
  const customer = user?.role?.startsWith('customer_') ?? false;
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${title} · ${t('ui.product')}`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
          {/* Swap 422 answers (they carry the messages) and keep htmx's inline styles out: our CSP forbids them. */}
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <script src="/assets/htmx.min.js" defer></script>
        </head>
        <body>
          <a class="skip" href="#main">
            {t('ui.skip_to_content')}
          </a>
          <header class="top">
            <a class="brand" href={customer ? '/hub' : '/orders'}>
              {t('ui.product')}
            </a>
            {user ? (
              <nav aria-label={t('ui.main_navigation')}>
                {/* Customer users have the admin hub only: the workspace is the partners'. */}
                {customer ? null : (
                  <NavLink href="/orders" path={props.path}>
                    {t('orders.title')}
                  </NavLink>
                )}
                {/* Partners' and distributors' views of their orders (C8, C9). */}
                {user.role?.startsWith('partner_') ? (
                  <>
                    <NavLink href="/subscriptions" path={props.path}>
                      {t('subscriptions.title')}
                    </NavLink>
                    <ChangeView t={t} path={props.path} />
                  </>
                ) : null}
                {user.role && HUB_ROLES.has(user.role) ? (
                  <NavLink href="/hub" path={props.path}>
                    {t('hub.title')}
                  </NavLink>
                ) : null}
                {user.role === 'operator' ? (
                  <NavLink href="/backoffice" path={props.path}>
                    {t('backoffice.title')}
                  </NavLink>
                ) : customer ? null : (
                  <NavLink href="/support/cases" path={props.path}>
                    {t('support.title')}
                  </NavLink>
                )}
                {user.role === 'partner_admin' ? (
                  <>
                    <NavLink href="/settings/api-keys" path={props.path}>
                      {t('api_keys.title')}
                    </NavLink>
                    <NavLink href="/settings/webhooks" path={props.path}>
                      {t('webhooks.title')}
                    </NavLink>
                  </>
                ) : null}
              </nav>
            ) : null}
            <div class="spacer" />
            <LanguageSwitch t={t} locale={locale} path={props.path} />
            {user ? (
              <form method="post" action="/logout" class="who">
                <span>
                  {user.email} · {user.orgName}
                </span>
                <a href="/account/password">{t('password.title')}</a>
                <button type="submit">{t('ui.sign_out')}</button>
              </form>
            ) : null}
          </header>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
