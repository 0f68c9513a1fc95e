import type { Hono } from 'hono';
import { formatDateTime, readerOf } from '../../platform/format.ts';
import { translator } from '../../platform/i18n.ts';
import { invalid } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
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
        <form class="filters" method="get" action="/transactions">
          <div>
            <label for="type">{t('transactions.type')}</label>
            <select id="type" name="type" {...invalid(errors, 'type')}>
              <option value="">{t('transactions.any_type')}</option>
              {TRANSACTION_TYPES.map((type) => (
                <option value={type} selected={filters.type === type}>
                  {t(`transactions.types.${type}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label for="subscriptionId">{t('transactions.search')}</label>
            <input
              id="subscriptionId"
              name="subscriptionId"
              type="search"
              value={filters.subscriptionId ?? ''}
              placeholder="SUB-100001"
              {...invalid(errors, 'subscriptionId')}
            />
          </div>
          <div>
            <label for="status">{t('transactions.status')}</label>
            <select id="status" name="status" {...invalid(errors, 'status')}>
              <option value="">{t('orders.any_status')}</option>
              {TRANSACTION_STATUSES.map((status) => (
                <option value={status} selected={filters.status === status}>
                  {t(`transactions.statuses.${status}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('orders.apply')}</button>
        </form>
        <section id="results" aria-live="polite">
          <FilterErrors errors={errors} />
          {items.length === 0 ? (
            <p class="muted">{t('transactions.none')}</p>
          ) : (
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
                    <td class="nowrap">
                      {tx.subscriptionId}
                      {approvals.has(tx.subscriptionId) ? (
                        <div class="status status-awaiting_approval">
                          {t('consent.status.awaiting_approval')}: {approvals.get(tx.subscriptionId)}
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
                      <span class={`status tx-${tx.status}`}>{t(`transactions.statuses.${tx.status}`)}</span>
                      {tx.status === 'failed' && tx.failureReason ? (
                        <div class="muted">{tx.failureReason}</div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager t={t} base="/transactions" filters={filters} nextCursor={result?.nextCursor ?? null} />
        </section>
      </Layout>,
    );
  });
}
