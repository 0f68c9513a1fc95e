import type { Hono } from 'hono';
import type { Child } from 'hono/jsx';
import type { AppEnv } from '../../platform/http.ts';
import { translator } from '../../platform/i18n.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { openSetupLink } from './links.ts';

/**
 * `/setup/<token>`: where the provisioning email's *Set up now* button leads. No sign-in: the token
 * is the key. The token never reaches a log (the request log masks the path) or another site (no
 * referrer), and no cache keeps the page.
 */
export function registerSetupLinkPages(app: Hono<AppEnv>): void {
  app.get('/setup/:token', async (c) => {
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    const ctx = c.get('ctx');
    const locale = c.get('locale');
    const t = translator(locale);
    const link = await openSetupLink(ctx, c.req.param('token'));
    const page = (title: string, body: Child, status: 200 | 404 | 410) =>
      c.html(
        <Layout t={t} locale={locale} title={title} path={c.req.path}>
          <h1>{title}</h1>
          {body}
        </Layout>,
        status,
      );
    if (link.state === 'unknown')
      return page(
        t('provisioning.setup.invalid_title'),
        <p>{t('provisioning.setup.invalid_detail')}</p>,
        404,
      );
    if (link.state === 'ended')
      return page(
        t(`provisioning.setup.ended.${link.reason}.title`),
        <p>{t(`provisioning.setup.ended.${link.reason}.detail`, { adminHubUrl: ctx.config.adminHubUrl })}</p>,
        410,
      );
    const { line, orderReference } = link;
    return page(
      t('provisioning.setup.title'),
      <>
        <dl class="facts">
          <dt>{t('provisioning.setup.order')}</dt>
          <dd>{orderReference}</dd>
          <dt>{t('order.subscription')}</dt>
          <dd>{line.subscriptionId}</dd>
          <dt>{t('order.offer')}</dt>
          <dd>{line.offer.name}</dd>
          <dt>{t('order.services')}</dt>
          <dd>{line.services.map((s) => t(`service.${s.code}`)).join(', ')}</dd>
          <dt>{t('order.quantity')}</dt>
          <dd>{line.quantity}</dd>
          <dt>{t('order.requested_start_date')}</dt>
          <dd>{line.requestedStartDate}</dd>
          <dt>{t('order.contact_email')}</dt>
          <dd>{line.provisioningContactEmail}</dd>
        </dl>
        <p>{t('provisioning.setup.wizard_next')}</p>
      </>,
      200,
    );
  });
}
