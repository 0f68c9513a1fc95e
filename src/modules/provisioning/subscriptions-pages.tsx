import type { Hono } from 'hono';
import { formatDate, readerOf } from '../../platform/format.ts';
import { type Translate, translator } from '../../platform/i18n.ts';
import { EmptyState, Field, fieldAttrs, TableFrame } from '../../platform/ui/components.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { LineProvisioningActions, ProvisioningNotice } from './actions.tsx';
import { LineStatusBadge } from './badges.tsx';
import { FilterErrors, Pager, runListQuery } from './list-page.tsx';
import {
  listPendingSubscriptions,
  listSubscriptionsQuerySchema,
  type SubscriptionActions,
  subscriptionActions,
} from './subscriptions.ts';
import { LineDeadline } from './timeline.tsx';

const FILTERS = ['q', 'cursor'] as const;
const LABELS: Record<string, string> = { q: 'subscriptions.search', cursor: 'orders.paging' };

export function registerSubscriptionPages(app: Hono<UserEnv>): void {
  app.use('/subscriptions', requireUser());
  app.get('/subscriptions', async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    const ctx = c.get('ctx');
    const { filters, result, errors } = await runListQuery(
      c,
      t,
      listSubscriptionsQuerySchema,
      FILTERS,
      LABELS,
      (q) => listPendingSubscriptions(ctx, q),
    );
    if (!result) c.status(422);
    const now = ctx.clock.now();
    const items = result?.items ?? [];
    const actions = await subscriptionActions(
      ctx,
      items.map((s) => s.orderId),
    );
    // Resend and Edit come back here with their outcome, as they do to the order page.
    const done = c.req.query('done');
    const doneLine = actions.lines.get(c.req.query('line') ?? '');
    return c.html(
      <Layout t={t} locale={locale} title={t('subscriptions.title')} path={c.req.path} user={c.get('user')}>
        <script src="/assets/provisioning.js" defer></script>
        <h1>{t('subscriptions.title')}</h1>
        <ProvisioningNotice t={t} done={done} line={doneLine} />
        <p class="muted">{t('subscriptions.intro')}</p>
        <FilterErrors t={t} errors={errors} />
        <form class="filters" method="get" action="/subscriptions">
          <Field
            name="q"
            label={t('subscriptions.search')}
            hint={t('subscriptions.search_hint')}
            errors={errors}
          >
            <input type="search" value={filters.q ?? ''} {...fieldAttrs(errors, 'q', true)} />
          </Field>
          <div class="filters-submit">
            <button type="submit">{t('orders.apply')}</button>
          </div>
        </form>
        <section id="results" aria-live="polite">
          {!result ? null : items.length === 0 ? (
            filters.q ? (
              <EmptyState
                title={t('subscriptions.none_match')}
                action={
                  <a class="button secondary" href="/subscriptions">
                    {t('orders.clear_filters')}
                  </a>
                }
              />
            ) : (
              <EmptyState
                title={t('subscriptions.none')}
                action={
                  <a class="button secondary" href="/orders">
                    {t('orders.title')}
                  </a>
                }
              />
            )
          ) : (
            <TableFrame label={t('subscriptions.title')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('orders.reference')}</th>
                    <th scope="col">{t('order.subscription')}</th>
                    <th scope="col">{t('order.offer')}</th>
                    <th scope="col">{t('order.contact_email')}</th>
                    <th scope="col">{t('orders.status')}</th>
                    <th scope="col">{t('subscriptions.billing')}</th>
                    <th scope="col">{t('subscriptions.actions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((s) => (
                    <tr id={`subscription-${s.subscriptionId}`}>
                      <td>
                        <a href={`/orders/${s.orderId}`}>{s.orderReference}</a>
                        <div class="muted">
                          <span class="id">{s.orderNumber}</span>
                        </div>
                      </td>
                      <td>
                        <span class="id">{s.subscriptionId}</span>
                      </td>
                      <td>{s.offerCode}</td>
                      <td>{s.contactEmail}</td>
                      <td>
                        <LineStatusBadge t={t} status={s.status} />
                      </td>
                      <td>
                        {s.facts?.billingStartedAt ? (
                          t('subscriptions.billing_started_on', {
                            date: formatDate(readerOf(locale, c.get('user')), s.facts.billingStartedAt),
                          })
                        ) : (
                          <LineDeadline t={t} facts={s.facts} now={now} />
                        )}
                      </td>
                      <td class="actions">
                        <SubscriptionLineActions
                          t={t}
                          actions={actions}
                          orderId={s.orderId}
                          lineId={s.lineId}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableFrame>
          )}
          <Pager t={t} base="/subscriptions" filters={filters} nextCursor={result?.nextCursor ?? null} />
        </section>
      </Layout>,
    );
  });
}

function SubscriptionLineActions(props: {
  t: Translate;
  actions: SubscriptionActions;
  orderId: string;
  lineId: string;
}) {
  const { actions, lineId } = props;
  const line = actions.lines.get(lineId);
  const state = actions.states.get(lineId);
  if (line?.orderId !== props.orderId || !state) return null;
  return (
    <LineProvisioningActions
      t={props.t}
      orderId={props.orderId}
      line={line}
      state={state}
      adminHubUrl={actions.adminHubUrl}
      back="/subscriptions"
      sender={actions.sender}
      failure={actions.failures.get(lineId)}
    />
  );
}
