import { z } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import { formatDate, readerOf } from '../../platform/format.ts';
import { translator } from '../../platform/i18n.ts';
import { EmptyState, Field, fieldAttrs, TableFrame } from '../../platform/ui/components.tsx';
import type { UserEnv } from '../identity/middleware.ts';
import { partnerChoices } from '../identity/partner-choices.ts';
import { LINE_STATUSES } from '../orders/lifecycle.ts';
import { listOrdersQuerySchema, type OrderSummary } from '../orders/schema.ts';
import { listOrdersForOperator } from '../orders/search.ts';
import { LineStatusBadge } from '../provisioning/badges.tsx';
import {
  AgeSelect,
  commonFilters,
  FilterForm,
  loadFiltered,
  NextPage,
  nextPageHref,
  olderThan,
  PartnerSelect,
  StatusSelect,
} from './filters.tsx';
import { BackofficeLayout, type Chrome, chrome } from './layout.tsx';

const LABELS: Record<string, string> = {
  q: 'orders.search',
  partner: 'backoffice.partner',
  status: 'orders.status',
  age: 'backoffice.age',
  cursor: 'orders.paging',
};

const querySchema = z.object({
  q: listOrdersQuerySchema.shape.q,
  status: listOrdersQuerySchema.shape.status,
  ...commonFilters,
});

function OrdersPage(
  p: Chrome & {
    filters: Record<string, string>;
    errors: Record<string, string>;
    partners: { id: string; name: string }[];
    items: OrderSummary[];
    nextCursor: string | null;
  },
) {
  const { t, locale, filters, errors } = p;
  const reader = readerOf(locale, p.user);
  return (
    <BackofficeLayout {...p} title={t('backoffice.orders')}>
      <FilterForm t={t} action="/backoffice/orders" errors={errors}>
        <Field name="q" label={t('orders.search')} hint={t('orders.search_hint')} errors={errors}>
          <input type="search" value={filters.q ?? ''} {...fieldAttrs(errors, 'q', true)} />
        </Field>
        <PartnerSelect t={t} partners={p.partners} value={filters.partner} errors={errors} />
        <StatusSelect
          t={t}
          label={t('orders.status')}
          anyLabel={t('orders.any_status')}
          choices={LINE_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          value={filters.status}
          errors={errors}
        />
        <AgeSelect t={t} value={filters.age} errors={errors} />
      </FilterForm>
      {p.items.length === 0 ? (
        <EmptyState title={t('orders.none')} body={t('backoffice.filters_none_body')} />
      ) : (
        <TableFrame label={t('backoffice.orders')}>
          <table id="results">
            <thead>
              <tr>
                <th scope="col">{t('orders.reference')}</th>
                <th scope="col">{t('orders.customer')}</th>
                <th scope="col">{t('orders.status')}</th>
                <th scope="col">{t('backoffice.created')}</th>
                <th scope="col">{t('orders.contact')}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((o) => (
                <tr>
                  <td>
                    <a href={`/orders/${o.id}`}>{o.reference}</a>
                    <div class="muted nowrap">{o.orderNumber}</div>
                  </td>
                  <td>
                    {o.endCustomer.name}
                    <div class="muted">{t('orders.line_count', { count: o.lineCount })}</div>
                  </td>
                  <td>
                    {o.statuses.map((s) => (
                      <>
                        <LineStatusBadge t={t} status={s} />{' '}
                      </>
                    ))}
                  </td>
                  <td class="nowrap">{formatDate(reader, new Date(o.createdAt))}</td>
                  <td>{o.contactEmails.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <NextPage
        t={t}
        href={p.nextCursor ? nextPageHref('/backoffice/orders', filters, p.nextCursor) : null}
      />
    </BackofficeLayout>
  );
}

export function registerOrdersPage(app: Hono<UserEnv>): void {
  app.get('/backoffice/orders', async (c) => {
    const ctx = c.get('ctx');
    const t = translator(c.get('locale'));
    const page = await loadFiltered(t, c.req.query(), querySchema, LABELS, (f) =>
      listOrdersForOperator(
        ctx,
        { q: f.q, status: f.status, cursor: f.cursor, limit: 25 },
        { partnerOrgId: f.partner, createdBefore: olderThan(ctx.clock.now(), f.age) },
      ),
    );
    if (!page.result) c.status(400);
    return c.html(
      <OrdersPage
        {...chrome(c)}
        filters={page.filters}
        errors={page.errors}
        partners={await partnerChoices(ctx)}
        items={page.result?.items ?? []}
        nextCursor={page.result?.nextCursor ?? null}
      />,
    );
  });
}
