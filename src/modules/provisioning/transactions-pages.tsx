import type { Hono } from 'hono';
import { formatDateTime, readerOf } from '../../platform/format.ts';
import { translator } from '../../platform/i18n.ts';
import { EmptyState, Field, fieldAttrs, TableFrame } from '../../platform/ui/components.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { StageBadge, TransactionStatusBadge } from './badges.tsx';
import { FilterErrors, Pager, runListQuery } from './list-page.tsx';
import { awaitingApproval, SYSTEM_ACTOR } from './timeline.ts';
import { listTransactions } from './transactions.ts';
import {
  listTransactionsQuerySchema,
  TRANSACTION_STATUSES,
  TRANSACTION_TYPES,
} from './transactions-schema.ts';

const FILTERS = ['subscriptionId', 'type', 'status', 'cursor'] as const;
const LABELS: Record<string, string> = {
  subscriptionId: 'transactions.search',
  type: 'transactions.type',
  status: 'transactions.status',
  cursor: 'orders.paging',
};

export function registerTransactionPages(app: Hono<UserEnv>): void {
  app.use('/transactions', requireUser());
  app.get('/transactions', async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    const ctx = c.get('ctx');
    const { filters, result, errors } = await runListQuery(
      c,
      t,
      listTransactionsQuerySchema,
      FILTERS,
      LABELS,
      (q) => listTransactions(ctx, q),
    );
    if (!result) c.status(422);
    const items = result?.items ?? [];
    const approvals = await awaitingApproval(ctx, [...new Set(items.map((tx) => tx.subscriptionId))]);
    return c.html(
      <Layout t={t} locale={locale} title={t('transactions.title')} path={c.req.path} user={c.get('user')}>
        <h1>{t('transactions.title')}</h1>
        <FilterErrors t={t} errors={errors} />
        <form class="filters" method="get" action="/transactions">
          <Field name="type" label={t('transactions.type')} errors={errors}>
            <select {...fieldAttrs(errors, 'type')}>
              <option value="">{t('transactions.any_type')}</option>
              {TRANSACTION_TYPES.map((type) => (
                <option value={type} selected={filters.type === type}>
                  {t(`transactions.types.${type}`)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            name="subscriptionId"
            label={t('transactions.search')}
            hint={t('transactions.search_hint')}
            errors={errors}
          >
            <input
              type="search"
              value={filters.subscriptionId ?? ''}
              {...fieldAttrs(errors, 'subscriptionId', true)}
            />
          </Field>
          <Field name="status" label={t('transactions.status')} errors={errors}>
            <select {...fieldAttrs(errors, 'status')}>
              <option value="">{t('orders.any_status')}</option>
              {TRANSACTION_STATUSES.map((status) => (
                <option value={status} selected={filters.status === status}>
                  {t(`transactions.statuses.${status}`)}
                </option>
              ))}
            </select>
          </Field>
          <div class="filters-submit">
            <button type="submit">{t('orders.apply')}</button>
          </div>
        </form>
        <section id="results" aria-live="polite">
          {!result ? null : items.length === 0 ? (
            <EmptyState
              title={t('transactions.none')}
              body={t('transactions.none_body')}
              action={
                <a class="button secondary" href="/subscriptions">
                  {t('subscriptions.title')}
                </a>
              }
            />
          ) : (
            <TableFrame label={t('transactions.title')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('transactions.type')}</th>
                    <th scope="col">{t('order.subscription')}</th>
                    <th scope="col">{t('transactions.addresses')}</th>
                    <th scope="col">{t('transactions.who')}</th>
                    <th scope="col">{t('transactions.when')}</th>
                    <th scope="col">{t('transactions.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((tx) => (
                    <tr>
                      <td>{t(`transactions.types.${tx.type}`)}</td>
                      <td>
                        <span class="id">{tx.subscriptionId}</span>
                        {approvals.has(tx.subscriptionId) ? (
                          <div>
                            <StageBadge t={t} stage="awaiting_approval" /> {approvals.get(tx.subscriptionId)}
                          </div>
                        ) : null}
                        <div class="muted">
                          <a href={`/orders/${tx.orderId}`}>{tx.orderReference}</a>
                        </div>
                      </td>
                      <td>
                        {tx.oldEmail && tx.oldEmail !== tx.newEmail
                          ? `${tx.oldEmail} → ${tx.newEmail}`
                          : tx.newEmail}
                      </td>
                      <td>{tx.actor.type === 'system' ? SYSTEM_ACTOR : (tx.actor.label ?? '')}</td>
                      <td>{formatDateTime(readerOf(locale, c.get('user')), tx.createdAt)}</td>
                      <td>
                        <TransactionStatusBadge t={t} type={tx.type} status={tx.status} />
                        {tx.status === 'failed' && tx.failureReason ? (
                          <div class="muted">{tx.failureReason}</div>
                        ) : tx.type === 'provisioning_email_update' &&
                          (tx.status === 'sent' || tx.status === 'completed') ? (
                          <div class="muted">{t(`transactions.update_note.${tx.status}`)}</div>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableFrame>
          )}
          <Pager t={t} base="/transactions" filters={filters} nextCursor={result?.nextCursor ?? null} />
        </section>
      </Layout>,
    );
  });
}
