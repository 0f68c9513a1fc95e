import type { Hono } from 'hono';
import PostalMime from 'postal-mime';
import { displayEmail } from '../email.ts';
import { notFound } from '../errors.ts';
import { formatDateTime } from '../format.ts';
import type { AppEnv } from '../http.ts';
import { translator } from '../i18n.ts';
import type { Runtime } from '../runtime.ts';
import { EmptyState, TableFrame } from '../ui/components.tsx';
import { Layout } from '../ui/layout.tsx';
import { findMailboxMessage, listMailbox } from './repository.ts';

/**
 * The development mailbox: without SMTP_URL, every message the relay "sends" is kept (full MIME) and
 * listed here, so a newcomer can click *Set up now* with no mail server. Never mounted in production.
 */
const BASE = '/dev/mailbox';
const LIST_LIMIT = 200;

/**
 * Inside the preview's frame a link would navigate the frame itself, which the sandbox forbids: every
 * link opens a new tab instead (what a mail client does), without telling the page where it came from.
 */
export function opensLinksInNewTab(html: string): string {
  const base = '<base target="_blank"><meta name="referrer" content="no-referrer">';
  const head = /<head\b[^>]*>/i.exec(html);
  if (head) return html.replace(head[0], `${head[0]}${base}`);
  return `${base}${html}`;
}

function messageId(param: string): number {
  const id = Number(param);
  if (!Number.isSafeInteger(id) || id < 1) throw notFound();
  return id;
}

export function registerMailboxPages(app: Hono<AppEnv>, rt: Runtime): void {
  if (rt.config.production) return;

  app.get(BASE, async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    const to = c.req.query('to')?.trim().toLowerCase() || undefined;
    const messages = await listMailbox(rt.db, LIST_LIMIT, to);
    return c.html(
      <Layout t={t} locale={locale} title={t('mailbox.title')} path={c.req.path}>
        <h1>{t('mailbox.title')}</h1>
        <p>{t('mailbox.intro')}</p>
        <form method="get" action={BASE} class="filters">
          <div>
            <label for="to">{t('mailbox.to')}</label>
            <input id="to" name="to" type="search" value={to ?? ''} aria-describedby="to-hint" />
            <small id="to-hint">{t('mailbox.to_hint')}</small>
          </div>
          <button type="submit">{t('orders.apply')}</button>
        </form>
        {messages.length === 0 ? (
          <EmptyState title={t('mailbox.empty')} />
        ) : (
          <TableFrame label={t('mailbox.title')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('mailbox.received')}</th>
                  <th scope="col">{t('mailbox.to')}</th>
                  <th scope="col">{t('mailbox.subject')}</th>
                </tr>
              </thead>
              <tbody>
                {messages.map((m) => (
                  <tr>
                    <td>{formatDateTime({ locale }, m.received_at, 'second')}</td>
                    <td>{displayEmail(m.to_address)}</td>
                    <td>
                      <a href={`${BASE}/${m.id}`}>{m.subject}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        )}
      </Layout>,
    );
  });

  app.get(`${BASE}/:id`, async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    const row = await findMailboxMessage(rt.db, messageId(c.req.param('id')));
    if (!row) throw notFound();
    const parsed = await PostalMime.parse(row.mime);
    // The links in the message, listed so they can be followed from here too.
    const links = [...new Set((parsed.html ?? '').match(/https?:\/\/[^"'<>\s]+/g) ?? [])];
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(
      <Layout t={t} locale={locale} title={row.subject} path={c.req.path}>
        <p>
          <a href={BASE}>{t('mailbox.back')}</a>
        </p>
        <h1>{row.subject}</h1>
        <dl class="facts">
          <dt>{t('mailbox.from')}</dt>
          <dd>{parsed.from?.address ?? ''}</dd>
          <dt>{t('mailbox.to')}</dt>
          <dd>{displayEmail(row.to_address)}</dd>
          <dt>{t('mailbox.received')}</dt>
          <dd>{formatDateTime({ locale }, row.received_at, 'second')}</dd>
          <dt>Message-ID</dt>
          <dd>
            <code>{row.message_id}</code>
          </dd>
        </dl>
        {links.length ? (
          <ul>
            {links.map((href) => (
              <li>
                <a href={href}>{href}</a>
              </li>
            ))}
          </ul>
        ) : null}
        <p class="muted">{t('mailbox.preview_hint')}</p>
        {/* No scripts and no same origin, as in a mail client; a click may open its link in a new tab,
            outside this sandbox, so the page it opens (the setup wizard) works as it would from mail. */}
        <iframe
          title={row.subject}
          src={`${BASE}/${row.id}/html`}
          class="mail-preview"
          sandbox="allow-popups allow-popups-to-escape-sandbox"
        />
        <details>
          <summary>{t('mailbox.text_part')}</summary>
          <pre>{parsed.text ?? ''}</pre>
        </details>
        <p>
          <a href={`${BASE}/${row.id}/raw`}>{t('mailbox.raw')}</a>
        </p>
      </Layout>,
    );
  });

  app.get(`${BASE}/:id/html`, async (c) => {
    const row = await findMailboxMessage(rt.db, messageId(c.req.param('id')));
    if (!row) throw notFound();
    const parsed = await PostalMime.parse(row.mime);
    // The message as a mail client shows it: its own inline styles, no scripts, nothing fetched.
    c.header(
      'Content-Security-Policy',
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
    );
    c.header('X-Frame-Options', 'SAMEORIGIN');
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(opensLinksInNewTab(parsed.html ?? ''));
  });

  app.get(`${BASE}/:id/raw`, async (c) => {
    const row = await findMailboxMessage(rt.db, messageId(c.req.param('id')));
    if (!row) throw notFound();
    return c.body(row.mime, 200, {
      'Content-Type': 'message/rfc822',
      'Content-Disposition': `attachment; filename="message-${row.id}.eml"`,
    });
  });
}
