import type { Hono } from 'hono';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import { formatDateTime, formatDay, formatNumber, readerOf } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { LOCALE_NAMES, translator } from '../../platform/i18n.ts';
import { PART_OF_TEXT_MIN_RUN, searchesPartOfText } from '../../platform/search-text.ts';
import { EmptyState, ErrorSummary, Field, fieldAttrs, TableFrame } from '../../platform/ui/components.tsx';
import { DayInput, readDayInputs } from '../../platform/ui/date-input.tsx';
import { ErrorPage } from '../../platform/ui/error-page.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { homeOf, requireUser, type UserEnv } from '../identity/middleware.ts';
import { organizationNames, type SessionUser } from '../identity/service.ts';
import { LineStatusBadge } from '../provisioning/badges.tsx';
import { LINE_STATUSES } from './lifecycle.ts';
import { loadOrderPanels, type OrderPagePanel, type OrderPanelParts } from './panels.ts';
import { listOrdersQuerySchema, type OrderSummary, type OrderView } from './schema.ts';
import { listOrders } from './search.ts';
import { getOrder } from './service.ts';

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

/** The filters drawn by DayInput, which carry their own message. */

function DateFilter(props: {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  name: 'startFrom' | 'startTo';
  filters: Record<string, string>;
  errors: Record<string, string>;
}) {
  return (
    <DayInput
      t={props.t}
      reader={readerOf(props.locale, props.user)}
      name={props.name}
      label={props.t(FILTER_LABELS[props.name] ?? '')}
      value={props.filters[props.name]}
      errors={props.errors}
    />
  );
}

/** No orders yet (they come through the API), or none matching the filters (clear them). */
function OrdersEmpty({ t, filtered }: { t: Translate; filtered: boolean }) {
  return filtered ? (
    <EmptyState
      title={t('orders.none')}
      action={
        <a class="button secondary" href="/orders">
          {t('orders.clear_filters')}
        </a>
      }
    />
  ) : (
    <EmptyState
      title={t('orders.empty_title')}
      body={t('orders.empty_body')}
      action={
        <a class="button" href="/api/docs">
          {t('orders.empty_action')}
        </a>
      }
    />
  );
}

function OrdersListPage(p: ListProps) {
  const { t, locale, filters } = p;
  const reader = readerOf(locale, p.user);
  const { cursor, ...withoutCursor } = filters;
  const nextHref = p.nextCursor
    ? `/orders?${new URLSearchParams({ ...withoutCursor, cursor: p.nextCursor })}`
    : null;
  return (
    <Layout t={t} locale={locale} title={t('orders.title')} path={p.path} user={p.user}>
      <h1>{t('orders.title')}</h1>
      {/* Above the form; htmx brings it along with the results (out of band) when the filters change. */}
      <div id="filter-errors">
        <ErrorSummary t={t} errors={p.errors} />
      </div>
      <form
        class="filters"
        method="get"
        action="/orders"
        hx-get="/orders"
        hx-target="#results"
        hx-select="#results"
        hx-select-oob="#filter-errors"
        hx-swap="outerHTML"
        hx-push-url="true"
        hx-trigger="submit, input changed delay:400ms from:#q"
      >
        <Field name="q" label={t('orders.search')} hint={t('orders.search_hint')} errors={p.errors}>
          <input type="search" value={filters.q ?? ''} {...fieldAttrs(p.errors, 'q', true)} />
        </Field>
        <Field name="status" label={t('orders.status')} errors={p.errors}>
          <select {...fieldAttrs(p.errors, 'status')}>
            <option value="">{t('orders.any_status')}</option>
            {LINE_STATUSES.map((s) => (
              <option value={s} selected={filters.status === s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <DateFilter
          t={t}
          locale={locale}
          user={p.user}
          name="startFrom"
          filters={filters}
          errors={p.errors}
        />
        <DateFilter t={t} locale={locale} user={p.user} name="startTo" filters={filters} errors={p.errors} />
        <div class="filters-submit">
          <button type="submit">{t('orders.apply')}</button>
        </div>
      </form>
      <section id="results" aria-live="polite">
        {p.filters.q && !searchesPartOfText(p.filters.q) ? (
          <p class="muted">{t('orders.short_search', { min: PART_OF_TEXT_MIN_RUN })}</p>
        ) : null}
        {Object.keys(p.errors).length ? null : p.items.length === 0 ? (
          <OrdersEmpty t={t} filtered={Object.keys(withoutCursor).length > 0} />
        ) : (
          <TableFrame label={t('orders.title')}>
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
                      <div class="muted">
                        <span class="id">{o.orderNumber}</span>
                      </div>
                    </td>
                    <td>{o.endCustomer.name}</td>
                    <td>{t('orders.line_count', { count: o.lineCount })}</td>
                    <td>{o.firstStartDate ? formatDay(reader, o.firstStartDate.slice(0, 10)) : ''}</td>
                    <td>{o.contactEmails.join(', ')}</td>
                    <td>
                      {o.statuses.map((s) => (
                        <LineStatusBadge t={t} status={s} />
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
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
  const reader = readerOf(locale, user);
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
        <dd>
          <span class="id">{order.orderNumber}</span>
        </dd>
        <dt>{t('orders.customer')}</dt>
        <dd>{order.endCustomer.name}</dd>
        <dt>{t('order.partner')}</dt>
        <dd>
          {order.partnerOrgId === order.placedByOrgId ? partner : t('order.placed_for', { partner, placer })}
        </dd>
        <dt>{t('order.email_language')}</dt>
        <dd lang={order.locale}>{LOCALE_NAMES[order.locale]}</dd>
        <dt>{t('order.placed')}</dt>
        <dd>{formatDateTime(reader, order.createdAt)}</dd>
      </dl>
      <h2 id="lines-heading">{t('order.lines_heading', { count: order.lines.length })}</h2>
      <TableFrame label={t('order.lines_heading', { count: order.lines.length })}>
        <table class="order-lines">
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
                <td>{formatNumber(reader, line.quantity)}</td>
                <td class="nowrap">{formatDay(reader, line.requestedStartDate.slice(0, 10))}</td>
                <td>
                  <span class="contact-email">{line.provisioningContactEmail}</span>
                  {panels.map((p) => p.lineContact?.(line))}
                </td>
                <td>
                  <LineStatusBadge t={t} status={line.status} />
                  {panels.map((p) => p.lineStatus?.(line))}
                </td>
                <td>
                  <span class="id">{line.subscriptionId}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
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
    // Dates come as the reader writes them (or ISO); the query schema reads ISO.
    const typed = readDayInputs(readerOf(locale, c.get('user')), filters, ['startFrom', 'startTo']);
    const parsed = listOrdersQuerySchema.safeParse({ ...filters, ...typed.days });
    if (typed.problems.length) {
      problems = typed.problems;
    } else if (parsed.success) {
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
