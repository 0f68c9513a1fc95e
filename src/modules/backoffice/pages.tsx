import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Child } from 'hono/jsx';
import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { DomainError } from '../../platform/errors.ts';
import { formatDateTime, formatDay, readerOf } from '../../platform/format.ts';
import { type Locale, type Translate, translator } from '../../platform/i18n.ts';
import { SUPPORT_TEXT_MAX_LENGTH } from '../../platform/limits.ts';
import { FieldMessage, fieldMessages, invalid } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { requireOperator } from '../identity/policy.ts';
import { organizationNames, type SessionUser } from '../identity/service.ts';
import { listOrdersQuerySchema, type OrderSummary } from '../orders/schema.ts';
import { listOrders } from '../orders/search.ts';
import { type EscalatedLine, listEscalatedLines } from '../orders/service.ts';
import { CaseDetails, CaseStatusBadge } from '../support/pages.tsx';
import { type CaseView, caseMessageFormSchema } from '../support/schema.ts';
import { answerCase, closeCase, getCase, listQueue, type QueuedCase } from '../support/service.ts';
import { registerWebhookPages } from '../webhooks/pages.tsx';

/**
 * The vendor's back office: every order, the escalated lines and the support queue. Anyone but an
 * operator gets "not found", so the pages' existence does not leak.
 */

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

function operatorsOnly(): MiddlewareHandler<UserEnv> {
  return async (c, next) => {
    requireOperator(c.get('ctx').actor);
    await next();
  };
}

export function BackofficeLayout(p: Chrome & { title: string; children?: Child }) {
  const { t } = p;
  return (
    <Layout t={t} locale={p.locale} title={p.title} path={p.path} user={p.user}>
      <nav class="subnav" aria-label={t('backoffice.title')}>
        <a href="/backoffice/orders">{t('backoffice.orders')}</a>
        <a href="/backoffice/escalations">{t('backoffice.escalations')}</a>
        <a href="/backoffice/support">{t('backoffice.queue')}</a>
        <a href="/backoffice/webhooks">{t('webhooks.title')}</a>
        <a href="/backoffice/provision-requests">{t('backoffice.provision_requests')}</a>
      </nav>
      <h1>{p.title}</h1>
      {p.children}
    </Layout>
  );
}

function OrdersPage(
  p: Chrome & { q: string; items: OrderSummary[]; nextCursor: string | null; error?: string },
) {
  const { t } = p;
  return (
    <BackofficeLayout {...p} title={t('backoffice.orders')}>
      <form method="get" action="/backoffice/orders" class="filters">
        <label for="q">{t('orders.search')}</label>
        <input id="q" name="q" type="search" value={p.q} placeholder={t('orders.search_hint')} size={36} />
        <button type="submit">{t('orders.apply')}</button>
      </form>
      {p.error ? (
        <p class="error" role="alert">
          {p.error}
        </p>
      ) : null}
      {p.items.length === 0 ? (
        <p class="muted">{t('orders.none')}</p>
      ) : (
        <table id="results">
          <thead>
            <tr>
              <th scope="col">{t('orders.reference')}</th>
              <th scope="col">{t('orders.customer')}</th>
              <th scope="col">{t('orders.lines')}</th>
              <th scope="col">{t('orders.contact')}</th>
            </tr>
          </thead>
          <tbody>
            {p.items.map((o) => (
              <tr>
                <td>
                  <a href={`/orders/${o.id}`}>{o.reference}</a>
                  <div class="muted">{o.orderNumber}</div>
                </td>
                <td>{o.endCustomer.name}</td>
                <td>{t('orders.line_count', { count: o.lineCount })}</td>
                <td>{o.contactEmails.join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.nextCursor ? (
        <a href={`/backoffice/orders?${new URLSearchParams({ q: p.q, cursor: p.nextCursor })}`} rel="next">
          {t('orders.next_page')}
        </a>
      ) : null}
    </BackofficeLayout>
  );
}

function EscalationsPage(p: Chrome & { lines: EscalatedLine[]; representative: string | undefined }) {
  const { t, locale } = p;
  return (
    <BackofficeLayout {...p} title={t('backoffice.escalations')}>
      <p class="muted">{t('backoffice.escalations_intro')}</p>
      {p.representative ? (
        <p>
          {t('backoffice.escalations_for', { email: p.representative })}{' '}
          <a href="/backoffice/escalations">{t('backoffice.all_escalations')}</a>
        </p>
      ) : null}
      {p.lines.length === 0 ? (
        <p class="muted">{t('backoffice.no_escalations')}</p>
      ) : (
        <table id="escalations">
          <thead>
            <tr>
              <th scope="col">{t('backoffice.partner')}</th>
              <th scope="col">{t('orders.reference')}</th>
              <th scope="col">{t('order.subscription')}</th>
              <th scope="col">{t('order.contact_email')}</th>
              <th scope="col">{t('order.requested_start_date')}</th>
              <th scope="col">{t('backoffice.escalated_at')}</th>
            </tr>
          </thead>
          <tbody>
            {p.lines.map((l) => (
              <tr>
                <td>
                  {l.partnerName}
                  {l.accountRepEmail ? <div class="muted">{l.accountRepEmail}</div> : null}
                </td>
                <td>
                  <a href={`/orders/${l.orderId}`}>{l.reference}</a>
                  <div class="muted">{l.orderNumber}</div>
                </td>
                <td class="nowrap">{l.subscriptionId}</td>
                <td>{l.provisioningContactEmail}</td>
                <td>{formatDay({ locale }, l.requestedStartDate)}</td>
                <td>{formatDateTime(readerOf(locale, p.user), l.escalatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </BackofficeLayout>
  );
}

function QueuePage(p: Chrome & { cases: QueuedCase[] }) {
  const { t, locale } = p;
  return (
    <BackofficeLayout {...p} title={t('backoffice.queue')}>
      {p.cases.length === 0 ? (
        <p class="muted">{t('backoffice.queue_empty')}</p>
      ) : (
        <table id="queue">
          <thead>
            <tr>
              <th scope="col">{t('support.case_number')}</th>
              <th scope="col">{t('backoffice.partner')}</th>
              <th scope="col">{t('support.request_type')}</th>
              <th scope="col">{t('support.opened')}</th>
              <th scope="col">{t('support.status_label')}</th>
            </tr>
          </thead>
          <tbody>
            {p.cases.map((c) => (
              <tr>
                <td>
                  <a href={`/backoffice/support/${c.id}`}>{c.caseNumber}</a>
                </td>
                <td>{c.organizationName}</td>
                <td>{t(`support.type.${c.requestType}`)}</td>
                <td>{formatDateTime(readerOf(locale, p.user), c.createdAt)}</td>
                <td>
                  <CaseStatusBadge t={t} status={c.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </BackofficeLayout>
  );
}

function OperatorCasePage(
  p: Chrome & { c: CaseView; orgName: string; errors: Record<string, string>; body?: string },
) {
  const { t, locale, c } = p;
  return (
    <BackofficeLayout {...p} title={t('support.case_heading', { number: c.caseNumber })}>
      <p>{t('backoffice.case_from', { org: p.orgName })}</p>
      <CaseDetails t={t} reader={readerOf(locale, p.user)} c={c} />
      {c.status === 'closed' ? null : (
        <>
          <form method="post" action={`/backoffice/support/${c.id}/answer`} class="stack">
            <label for="body">{t('backoffice.answer')}</label>
            <textarea
              id="body"
              name="body"
              rows={6}
              maxlength={SUPPORT_TEXT_MAX_LENGTH}
              {...invalid(p.errors, 'body')}
            >
              {p.body ?? ''}
            </textarea>
            <FieldMessage errors={p.errors} field="body" />
            <button type="submit">{t('backoffice.send_answer')}</button>
          </form>
          <form method="post" action={`/backoffice/support/${c.id}/close`}>
            <button type="submit">{t('backoffice.close_case')}</button>
          </form>
        </>
      )}
    </BackofficeLayout>
  );
}

export function registerBackofficePages(app: Hono<UserEnv>): void {
  app.use('/backoffice', requireUser(), operatorsOnly());
  app.use('/backoffice/*', requireUser(), operatorsOnly());
  app.get('/backoffice', (c) => c.redirect('/backoffice/orders', 303));
  // The vendor's own webhook endpoints (every partner's events): the workspace's pages in this frame.
  registerWebhookPages(app, { base: '/backoffice/webhooks', vendor: true, frame: BackofficeLayout });

  app.get('/backoffice/orders', async (c) => {
    const q = c.req.query('q') ?? '';
    const parsed = listOrdersQuerySchema.safeParse({ q: q || undefined, cursor: c.req.query('cursor') });
    if (!parsed.success) {
      const t = translator(c.get('locale'));
      const messages = fieldMessages(t, fieldErrorsFromZod(parsed.error.issues), {
        q: 'orders.search',
        cursor: 'orders.paging',
      });
      c.status(422);
      return c.html(
        <OrdersPage
          {...chrome(c)}
          q={q}
          items={[]}
          nextCursor={null}
          error={Object.values(messages).join(' ')}
        />,
      );
    }
    const page = await listOrders(c.get('ctx'), parsed.data);
    return c.html(<OrdersPage {...chrome(c)} q={q} items={page.items} nextCursor={page.nextCursor} />);
  });

  app.get('/backoffice/escalations', async (c) => {
    // The escalation digest links here with its recipient; anything else lists every line.
    const asked = c.req.query('representative')?.trim() ?? '';
    const representative = isValidEmailAddress(asked) ? normalizeEmail(asked) : undefined;
    const lines = await listEscalatedLines(c.get('ctx'), representative);
    return c.html(<EscalationsPage {...chrome(c)} lines={lines} representative={representative} />);
  });

  app.get('/backoffice/support', async (c) =>
    c.html(<QueuePage {...chrome(c)} cases={await listQueue(c.get('ctx'))} />),
  );

  const casePage = async (c: Context<UserEnv>, errors: Record<string, string>, body?: string) => {
    const ctx = c.get('ctx');
    const found = await getCase(ctx, c.req.param('caseId') ?? '');
    const names = await organizationNames(ctx, [found.organizationId]);
    return (
      <OperatorCasePage
        {...chrome(c)}
        c={found}
        orgName={names.get(found.organizationId) ?? ''}
        errors={errors}
        {...(body === undefined ? {} : { body })}
      />
    );
  };

  app.get('/backoffice/support/:caseId', async (c) => c.html(await casePage(c, {})));

  app.post('/backoffice/support/:caseId/answer', async (c) => {
    const form = await c.req.parseBody();
    const parsed = caseMessageFormSchema.safeParse(form);
    if (parsed.success) {
      await answerCase(c.get('ctx'), c.req.param('caseId'), parsed.data.body);
      return c.redirect(`/backoffice/support/${c.req.param('caseId')}`, 303);
    }
    const t = translator(c.get('locale'));
    const errors = fieldMessages(t, fieldErrorsFromZod(parsed.error.issues, form), {
      body: 'backoffice.answer',
    });
    c.status(422);
    return c.html(await casePage(c, errors, typeof form.body === 'string' ? form.body : ''));
  });

  app.post('/backoffice/support/:caseId/close', async (c) => {
    try {
      await closeCase(c.get('ctx'), c.req.param('caseId'));
    } catch (error) {
      // Closing a closed case changes nothing: show it as it is.
      if (!(error instanceof DomainError) || error.code !== 'support_case_closed') throw error;
    }
    return c.redirect(`/backoffice/support/${c.req.param('caseId')}`, 303);
  });
}
