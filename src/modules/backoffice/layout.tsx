import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { type Locale, type Translate, translator } from '../../platform/i18n.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import type { UserEnv } from '../identity/middleware.ts';
import type { SessionUser } from '../identity/service.ts';

export interface Chrome {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  path: string;
}

export function chrome(c: Context<UserEnv>): Chrome {
  const locale = c.get('locale');
  return { t: translator(locale), locale, user: c.get('user'), path: c.req.path };
}

const SECTIONS = [
  { href: '/backoffice/orders', label: 'backoffice.orders' },
  { href: '/backoffice/escalations', label: 'backoffice.escalations' },
  { href: '/backoffice/support', label: 'backoffice.queue' },
  { href: '/backoffice/webhooks', label: 'webhooks.title' },
  { href: '/backoffice/provision-requests', label: 'backoffice.provision_requests' },
] as const;

/** The back office's frame: its sections (the current one marked), then the page's title and content. */
export function BackofficeLayout(p: Chrome & { title: string; children?: Child }) {
  const { t } = p;
  return (
    <Layout t={t} locale={p.locale} title={p.title} path={p.path} user={p.user}>
      <nav class="subnav" aria-label={t('backoffice.title')}>
        {SECTIONS.map((s) => (
          <a
            href={s.href}
            {...(p.path === s.href || p.path.startsWith(`${s.href}/`) ? { 'aria-current': 'page' } : {})}
          >
            {t(s.label)}
          </a>
        ))}
      </nav>
      <h1>{p.title}</h1>
      {p.children}
    </Layout>
  );
}
