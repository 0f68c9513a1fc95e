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

/** Where a user's product starts: the brand links there, and an error page leads back to it. */
export function homePath(role: string | undefined): string {
  if (role?.startsWith('customer_')) return '/hub';
  if (role === 'operator') return '/backoffice';
  return '/orders';
}

interface NavItem {
  href: string;
  label: string;
  /** Shown in the desktop row inside the *Change view* menu instead of as its own link. */
  changeView?: boolean;
}

/** The main navigation of a role, in the order both the desktop row and the phone menu show it. */
function navItems(t: Translate, role: string | undefined): NavItem[] {
  const items: NavItem[] = [];
  const customer = role?.startsWith('customer_') ?? false;
  const partner = role?.startsWith('partner_') ?? false;
  // Customer users have the admin hub only: the workspace is the partners'.
  if (!customer) items.push({ href: '/orders', label: t('orders.title') });
  // Partners' and distributors' views of their orders (C8, C9).
  if (partner) {
    items.push({ href: '/subscriptions', label: t('subscriptions.title') });
    items.push({ href: '/transactions', label: t('transactions.title'), changeView: true });
  }
  if (role && HUB_ROLES.has(role)) items.push({ href: '/hub', label: t('hub.title') });
  if (role === 'operator') items.push({ href: '/backoffice', label: t('backoffice.title') });
  else if (!customer) items.push({ href: '/support/cases', label: t('support.title') });
  return items;
}

/** The organization's settings a partner admin keeps: in the account menu, as GitHub and Stripe do. */
function settingsItems(t: Translate, role: string | undefined): NavItem[] {
  if (role !== 'partner_admin') return [];
  return [
    { href: '/settings/api-keys', label: t('api_keys.title') },
    { href: '/settings/webhooks', label: t('webhooks.title') },
  ];
}

function isCurrent(href: string, path: string): boolean {
  return path === href || path.startsWith(`${href}/`) || path.startsWith(`${href}?`);
}

function NavLink({ href, path, children }: { href: string; path: string; children?: Child }) {
  return (
    <a href={href} {...(isCurrent(href, path) ? { 'aria-current': 'page' } : {})}>
      {children}
    </a>
  );
}

/** C9's *Change View* menu: the same orders seen as orders, as subscriptions, or as transactions. */
function ChangeView({ t, path }: { t: Translate; path: string }) {
  return (
    <details class="change-view menu">
      <summary>{t('transactions.change_view')}</summary>
      <ul class="menu-panel">
        {['/orders', '/subscriptions', '/transactions'].map((href) => (
          <li>
            <NavLink href={href} path={path}>
              {t(`${href.slice(1)}.title`)}
            </NavLink>
          </li>
        ))}
      </ul>
    </details>
  );
}

function LanguageSwitch({ t, locale, path, id }: Pick<PageChrome, 't' | 'locale' | 'path'> & { id: string }) {
  return (
    <form method="post" action="/lang" class="lang">
      <input type="hidden" name="back" value={path} />
      <label for={id}>{t('ui.language')}</label>
      <select id={id} name="lang">
        {LOCALES.map((l) => (
          <option value={l} selected={l === locale} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
      <button type="submit" class="secondary">
        {t('ui.change_language')}
      </button>
    </form>
  );
}

/** Who is signed in, and what they do about their own account: password, language, sign out. */
function AccountMenu(props: PageChrome & { user: NonNullable<PageChrome['user']> }) {
  const { t, user } = props;
  return (
    <details class="menu account-menu">
      <summary>
        <span class="account-initial" aria-hidden="true">
          {(user.email[0] ?? '?').toUpperCase()}
        </span>
        <span class="account-label">{t('ui.account')}</span>
      </summary>
      <div class="menu-panel account-panel">
        <p class="account-who">
          <span class="account-email">{user.email}</span>
          <span class="muted account-org">{user.orgName}</span>
        </p>
        {settingsItems(t, user.role).map((i) => (
          <a
            href={i.href}
            class="menu-item"
            {...(isCurrent(i.href, props.path) ? { 'aria-current': 'page' } : {})}
          >
            {i.label}
          </a>
        ))}
        <a
          href="/account/password"
          class="menu-item"
          {...(isCurrent('/account/password', props.path) ? { 'aria-current': 'page' } : {})}
        >
          {t('password.title')}
        </a>
        <LanguageSwitch t={t} locale={props.locale} path={props.path} id="lang-select" />
        <form method="post" action="/logout" class="sign-out">
          <button type="submit" class="secondary">
            {t('ui.sign_out')}
          </button>
        </form>
      </div>
    </details>
  );
}

export function Layout(props: PageChrome & { children?: Child }) {
  const { t, locale, title, user, path } = props;
  const items = user ? navItems(t, user.role) : [];
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={locale} data-theme="light">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <meta name="color-scheme" content="light" />
          <title>{`${title} · ${t('ui.product')}`}</title>
          <link rel="stylesheet" href="/assets/pico.min.css" />
          <link rel="stylesheet" href="/assets/app.css" />
          {/* Swap 422 answers (they carry the messages) and keep htmx's inline styles out: our CSP forbids them. */}
          <meta name="htmx-config" content={HTMX_CONFIG} />
          <script src="/assets/htmx.min.js" defer></script>
        </head>
        <body class={user ? undefined : 'signed-out'}>
          <a class="skip" href="#main">
            {t('ui.skip_to_content')}
          </a>
          <header class="top">
            <div class="top-inner">
              <a class="brand" href={homePath(user?.role)}>
                {t('ui.product')}
              </a>
              {user ? (
                <>
                  {/* A desktop sees the links in the row; a phone the same links behind *Menu* (no script). */}
                  <nav aria-label={t('ui.main_navigation')} class="nav-row">
                    <ul>
                      {items
                        .filter((i) => !i.changeView)
                        .map((i) => (
                          <li>
                            <NavLink href={i.href} path={path}>
                              {i.label}
                            </NavLink>
                          </li>
                        ))}
                      {items.some((i) => i.changeView) ? (
                        <li>
                          <ChangeView t={t} path={path} />
                        </li>
                      ) : null}
                    </ul>
                  </nav>
                  <div class="spacer" />
                  <details class="menu nav-menu">
                    <summary>{t('ui.menu')}</summary>
                    <nav aria-label={t('ui.main_navigation')} class="menu-panel">
                      <ul>
                        {items.map((i) => (
                          <li>
                            <NavLink href={i.href} path={path}>
                              {i.label}
                            </NavLink>
                          </li>
                        ))}
                      </ul>
                    </nav>
                  </details>
                  <AccountMenu {...props} user={user} />
                </>
              ) : (
                <>
                  <div class="spacer" />
                  <LanguageSwitch t={t} locale={locale} path={path} id="lang-select" />
                </>
              )}
            </div>
          </header>
          <main id="main" tabindex={-1}>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}
