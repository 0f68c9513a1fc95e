import type { Hono } from 'hono';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { LOCALE_NAMES, translator } from '../../platform/i18n.ts';
import { PART_OF_TEXT_MIN_RUN, searchesPartOfText } from '../../platform/search-text.ts';
import { ErrorPage } from '../../platform/ui/error-page.tsx';
import { invalid } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { homeOf, requireUser, type UserEnv } from '../identity/middleware.ts';
import { organizationNames, type SessionUser } from '../identity/service.ts';
import { LINE_STATUSES } from './lifecycle.ts';
import { loadOrderPanels, type OrderPagePanel, type OrderPanelParts } from './panels.ts';
import { listOrdersQuerySchema, type OrderSummary, type OrderView } from './schema.ts';
import { listOrders } from './search.ts';
import { getOrder } from './service.ts';

function formatDate(locale: Locale, date: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(`${date.slice(0, 10)}T00:00:00Z`),
  );
}

function StatusBadge({ t, status }: { t: Translate; status: string }) {
  return <span class={`status status-${status}`}>{t(`status.${status}`)}</span>;
}

interface ListProps {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  path: string;
  filters: Record<string, string>;
  items: OrderSummary[];
  nextCursor: string | null;
  /** Message per filter field, for filters that were refused. */
  errors: Record<string, string>;
}

const FILTERS = ['q', 'status', 'startFrom', 'startTo', 'cursor'] as const;
const FILTER_LABELS: Record<string, string> = {
  q: 'orders.search',
  status: 'orders.status',
  startFrom: 'orders.start_from',
  startTo: 'orders.start_to',
  cursor: 'orders.paging',
};

function DateFilter(props: {
  t: Translate;
  name: 'startFrom' | 'startTo';
  filters: Record<string, string>;
  errors: Record<string, string>;
}) {
  return (
    <div>
      <label for={props.name}>{props.t(FILTER_LABELS[props.name] ?? '')}</label>
      <input
        id={props.name}
        name={props.name}
        type="date"
        value={props.filters[props.name] ?? ''}
        {...invalid(props.errors, props.name)}
      />
    </div>
  );
}

function OrdersListPage(p: ListProps) {
  const { t, locale, filters } = p;
  const { cursor, ...withoutCursor } = filters;
  const nextHref = p.nextCursor
    ? `/orders?${new URLSearchParams({ ...withoutCursor, cursor: p.nextCursor })}`
    : null;
  return (
    <Layout t={t} locale={locale} title={t('orders.title')} path={p.path} user={p.user}>
      <h1>{t('orders.title')}</h1>
      <form
        class="filters"
        method="get"
        action="/orders"
        hx-get="/orders"
        hx-target="#results"
        hx-select="#results"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, input changed delay:400ms from:#q"
      >
        <div>
          <label for="q">{t('orders.search')}</label>
          <input
            id="q"
            name="q"
            type="search"
            value={filters.q ?? ''}
            placeholder={t('orders.search_hint')}
            size={36}
            {...invalid(p.errors, 'q')}
          />
        </div>
        <div>
          <label for="status">{t('orders.status')}</label>
          <select id="status" name="status" {...invalid(p.errors, 'status')}>
            <option value="">{t('orders.any_status')}</option>
            {LINE_STATUSES.map((s) => (
              <option value={s} selected={filters.status === s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <DateFilter t={t} name="startFrom" filters={filters} errors={p.errors} />
        <DateFilter t={t} name="startTo" filters={filters} errors={p.errors} />
        <button type="submit">{t('orders.apply')}</button>
      </form>
      <section id="results" aria-live="polite">
        {Object.keys(p.errors).length ? (
          <ul class="error" role="alert">
            {Object.entries(p.errors).map(([field, message]) => (
              <li id={`error-${field}`}>{message}</li>
            ))}
          </ul>
        ) : null}
        {p.filters.q && !searchesPartOfText(p.filters.q) ? (
          <p class="muted">{t('orders.short_search', { min: PART_OF_TEXT_MIN_RUN })}</p>
        ) : null}
        {p.items.length === 0 ? (
          <p class="muted">{t('orders.none')}</p>
        ) : (
          <table>
            <caption class="muted">{t('orders.shown', { count: p.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('orders.reference')}</th>
                <th scope="col">{t('orders.customer')}</th>
                <th scope="col">{t('orders.lines')}</th>
                <th scope="col">{t('orders.first_start')}</th>
                <th scope="col">{t('orders.contact')}</th>
                <th scope="col">{t('orders.status')}</th>
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
                  <td>{o.firstStartDate ? formatDate(locale, o.firstStartDate) : ''}</td>
                  <td>{o.contactEmails.join(', ')}</td>
                  <td>
                    {o.statuses.map((s) => (
                      <StatusBadge t={t} status={s} />
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <nav class="pager" aria-label={t('orders.paging')}>
          {cursor ? (
            <a href={`/orders?${new URLSearchParams(withoutCursor)}`}>{t('orders.first_page')}</a>
          ) : null}
          {nextHref ? (
            <a href={nextHref} rel="next">
              {t('orders.next_page')}
            </a>
          ) : null}
        </nav>
      </section>
    </Layout>
  );
}

function OrderPage({
  t,
  locale,
  user,
  order,
  path,
  orgNames,
  panels,
}: {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  order: OrderView;
  path: string;
  orgNames: Map<string, string>;
  /** What other modules show here (provisioning's actions and history, the match preview), in rank order. */
  panels: readonly OrderPanelParts[];
}) {
  const partner = orgNames.get(order.partnerOrgId) ?? '';
  const placer = orgNames.get(order.placedByOrgId) ?? '';
  return (
    <Layout
      t={t}
      locale={locale}
      title={t('order.heading', { reference: order.reference })}
      path={path}
      user={user}
    >
      <p>
        <a href="/orders">← {t('order.back')}</a>
      </p>
      <h1>{t('order.heading', { reference: order.reference })}</h1>
      {panels.map((p) => p.top)}
      <dl class="facts">
        <dt>{t('order.number')}</dt>
        <dd>{order.orderNumber}</dd>
        <dt>{t('orders.customer')}</dt>
        <dd>{order.endCustomer.name}</dd>
        <dt>{t('order.partner')}</dt>
        <dd>
          {order.partnerOrgId === order.placedByOrgId ? partner : t('order.placed_for', { partner, placer })}
        </dd>
        <dt>{t('order.email_language')}</dt>
        <dd lang={order.locale}>{LOCALE_NAMES[order.locale]}</dd>
        <dt>{t('order.placed')}</dt>
        <dd>{formatDate(locale, order.createdAt)}</dd>
      </dl>
      <h2>{t('order.lines_heading', { count: order.lines.length })}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">{t('order.offer')}</th>
            <th scope="col">{t('order.services')}</th>
            <th scope="col">{t('order.quantity')}</th>
            <th scope="col">{t('order.requested_start_date')}</th>
            <th scope="col">{t('order.contact_email')}</th>
            <th scope="col">{t('orders.status')}</th>
            <th scope="col">{t('order.subscription')}</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr id={`line-${line.lineNumber}`}>
              <td>{line.lineNumber}</td>
              <td>
                {line.offer.code}
                <div class="muted">{line.offer.name}</div>
              </td>
              <td>{line.services.map((s) => t(`service.${s.code}`)).join(', ')}</td>
              <td>{new Intl.NumberFormat(locale).format(line.quantity)}</td>
              <td>{formatDate(locale, line.requestedStartDate)}</td>
              <td>
                <span class="contact-email">{line.provisioningContactEmail}</span>
                {panels.map((p) => p.lineContact?.(line))}
              </td>
              <td>
                <StatusBadge t={t} status={line.status} />
                {panels.map((p) => p.lineStatus?.(line))}
              </td>
              <td class="nowrap">{line.subscriptionId}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

/** The order list and the order page; `panels` are what other modules show on the order page. */
export function registerOrderPages(app: Hono<UserEnv>, panels: readonly OrderPagePanel[]): void {
  // Each user's start page: an operator's is the back office, a customer's the hub.
  app.get('/', requireUser(), (c) => c.redirect(homeOf(c.get('user').orgKind), 303));
  app.use('/orders', requireUser());
  app.use('/orders/*', requireUser());

  app.get('/orders', async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    const query = c.req.query();
    const filters = Object.fromEntries(FILTERS.flatMap((k) => (query[k] ? [[k, query[k]]] : []))) as Record<
      string,
      string
    >;
    const path = c.req.path + (new URL(c.req.url).search || '');
    const base = { t, locale, user: c.get('user'), path, filters };
    let problems: FieldError[];
    const parsed = listOrdersQuerySchema.safeParse(filters);
    if (parsed.success) {
      try {
        const page = await listOrders(c.get('ctx'), parsed.data);
        return c.html(
          <OrdersListPage {...base} items={page.items} nextCursor={page.nextCursor} errors={{}} />,
        );
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
        problems = error.fields;
      }
    } else {
      problems = fieldErrorsFromZod(parsed.error.issues, filters);
    }
    // Each message names the filter as the form labels it.
    const errors = Object.fromEntries(
      problems.map((f) => [
        f.field,
        t(`validation.${f.rule}`, { ...f.params, field: t(FILTER_LABELS[f.field] ?? 'orders.search') }),
      ]),
    );
    c.status(422);
    return c.html(<OrdersListPage {...base} items={[]} nextCursor={null} errors={errors} />);
  });

  app.get('/orders/:orderId', async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    try {
      const ctx = c.get('ctx');
      const order = await getOrder(ctx, c.req.param('orderId'));
      const orgNames = await organizationNames(ctx, [order.partnerOrgId, order.placedByOrgId]);
      const parts = await loadOrderPanels(panels, { ctx, t, locale, order, query: c.req.query() });
      return c.html(
        <OrderPage
          t={t}
          locale={locale}
          user={c.get('user')}
          order={order}
          path={c.req.path}
          orgNames={orgNames}
          panels={parts}
        />,
      );
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'not_found') throw error;
      c.status(404);
      return c.html(<ErrorPage locale={locale} path={c.req.path} error={error} user={c.get('user')} />);
    }
  });
}
