import { formatDateTime, type Reader, readerOf } from '../../platform/format.ts';
import type { Translate } from '../../platform/i18n.ts';
import {
  Badge,
  Callout,
  EmptyState,
  ErrorSummary,
  Field,
  TableFrame,
  type Tone,
} from '../../platform/ui/components.tsx';
import { DateTimeInput } from '../../platform/ui/date-input.tsx';
import { DELIVERY_STATUSES, type DeliveryView, type EndpointView } from './schema.ts';
import { EndpointStatus, EventList, type Frame, Notice, type WebhookChrome } from './views.tsx';

const DELIVERY_TONES: Record<DeliveryView['status'], Tone> = {
  pending: 'info',
  delivered: 'success',
  failed: 'danger',
};

/** An endpoint's page: what it is, what can be done with it, and its delivery log with every attempt. */

function AttemptRows({ t, reader, d }: { t: Translate; reader: Reader; d: DeliveryView }) {
  if (d.attempts.length === 0) return <p class="muted">{t('webhooks.no_attempt_yet')}</p>;
  return (
    <TableFrame label={t('webhooks.attempts', { count: d.attempts.length })}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('webhooks.attempt_at')}</th>
            <th scope="col">{t('webhooks.attempt_result')}</th>
            <th scope="col">{t('webhooks.attempt_latency')}</th>
            <th scope="col">{t('webhooks.attempt_answer')}</th>
          </tr>
        </thead>
        <tbody>
          {d.attempts.map((a) => (
            <tr>
              <td class="nowrap">{formatDateTime(reader, a.attemptedAt)}</td>
              <td>
                {a.statusCode !== null
                  ? t('webhooks.http_status', { status: a.statusCode })
                  : t(`webhooks.error.${a.error ?? 'network'}`)}
              </td>
              <td class="nowrap">{t('webhooks.latency_ms', { ms: a.latencyMs })}</td>
              <td>{a.responseExcerpt ? <pre class="excerpt">{a.responseExcerpt}</pre> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function Delivery(p: { t: Translate; reader: Reader; d: DeliveryView; action: string; enabled: boolean }) {
  const { t, reader, d } = p;
  return (
    <li id={`delivery-${d.id}`}>
      <details>
        <summary>
          <Badge tone={DELIVERY_TONES[d.status]}>{t(`webhooks.status_${d.status}`)}</Badge>{' '}
          <code>{d.eventType}</code> · {formatDateTime(reader, d.createdAt)} ·{' '}
          {t('webhooks.attempts', { count: d.attempts.length })}
        </summary>
        <dl class="facts">
          <dt>{t('webhooks.webhook_id')}</dt>
          <dd>
            <code>{d.eventId ?? d.id}</code>
          </dd>
          {d.nextAttemptAt ? (
            <>
              <dt>{t('webhooks.status')}</dt>
              <dd>{t('webhooks.next_attempt', { date: formatDateTime(reader, d.nextAttemptAt) })}</dd>
            </>
          ) : null}
        </dl>
        <AttemptRows t={t} reader={reader} d={d} />
        {p.enabled ? (
          <form method="post" action={p.action}>
            <button type="submit" class="secondary">
              {t('webhooks.retry')}
            </button>
          </form>
        ) : null}
      </details>
    </li>
  );
}

export function EndpointPage(
  p: WebhookChrome & {
    frame: Frame;
    endpoint: EndpointView;
    deliveries: DeliveryView[];
    nextCursor: string | null;
    status: string;
    since: string;
    now: Date;
    errors: Record<string, string>;
    notice?: string | undefined;
  },
) {
  const { t, locale, endpoint: e } = p;
  const here = `${p.base}/${e.id}`;
  return p.frame({
    ...p,
    title: e.description || t('webhooks.title'),
    children: (
      <>
        <p>
          <a href={p.base}>← {t('webhooks.back')}</a>
        </p>
        <Notice text={p.notice} />
        <dl class="facts">
          <dt>{t('webhooks.url')}</dt>
          <dd>
            <code>{e.url}</code>
          </dd>
          <dt>{t('webhooks.events')}</dt>
          <dd>
            <EventList t={t} types={e.eventTypes} />
          </dd>
          <dt>{t('webhooks.status')}</dt>
          <dd>
            <EndpointStatus t={t} reader={readerOf(locale, p.user)} e={e} />
          </dd>
          <dt>{t('webhooks.created')}</dt>
          <dd>{formatDateTime(readerOf(locale, p.user), e.createdAt)}</dd>
        </dl>
        {e.previousSecretExpiresAt && new Date(e.previousSecretExpiresAt) > p.now ? (
          <p class="muted">
            {t('webhooks.previous_secret_until', {
              date: formatDateTime(readerOf(locale, p.user), e.previousSecretExpiresAt),
            })}
          </p>
        ) : null}
        {e.enabled ? null : (
          <Callout tone="warning">
            <p>{t('webhooks.disabled_hint')}</p>
          </Callout>
        )}
        <div class="prov-actions">
          {e.enabled ? (
            <form method="post" action={`${here}/test`}>
              <button type="submit">{t('webhooks.send_test')}</button>
            </form>
          ) : null}
          <a class="button secondary" href={`${here}/edit`}>
            {t('webhooks.edit')}
          </a>
          <a class="button secondary" href={`${here}/rotate`}>
            {t('webhooks.rotate')}
          </a>
          <a class="button secondary" href={`${here}/delete`}>
            {t('webhooks.delete')}
          </a>
        </div>
        {e.enabled ? (
          <section aria-labelledby="recover-heading">
            <h2 id="recover-heading">{t('webhooks.recover_heading')}</h2>
            <p class="muted">{t('webhooks.recover_intro')}</p>
            <ErrorSummary t={t} errors={p.errors} />
            <form method="post" action={`${here}/recover`} class="filters" novalidate>
              <DateTimeInput
                t={t}
                reader={readerOf(locale, p.user)}
                name="since"
                label={t('webhooks.recover_since')}
                value={p.since}
                errors={p.errors}
                required
              />
              <div class="filters-submit">
                <button type="submit">{t('webhooks.recover')}</button>
              </div>
            </form>
          </section>
        ) : null}
        <section aria-labelledby="log-heading">
          <h2 id="log-heading">{t('webhooks.log_heading')}</h2>
          <p class="muted">{t('webhooks.log_intro')}</p>
          <form method="get" action={here} class="filters">
            <Field name="status" label={t('webhooks.status')} errors={{}}>
              <select id="status" name="status">
                <option value="" selected={p.status === ''}>
                  {t('webhooks.filter_all')}
                </option>
                {DELIVERY_STATUSES.map((s) => (
                  <option value={s} selected={p.status === s}>
                    {t(`webhooks.status_${s}`)}
                  </option>
                ))}
              </select>
            </Field>
            <div class="filters-submit">
              <button type="submit" class="secondary">
                {t('webhooks.filter_apply')}
              </button>
            </div>
          </form>
          {p.deliveries.length === 0 ? (
            // The one thing to do about it (Send test event) is among the endpoint's actions above.
            <EmptyState title={t('webhooks.log_none')} />
          ) : (
            <ul class="deliveries">
              {p.deliveries.map((d) => (
                <Delivery
                  t={t}
                  reader={readerOf(locale, p.user)}
                  d={d}
                  action={`${here}/deliveries/${d.id}/retry`}
                  enabled={e.enabled}
                />
              ))}
            </ul>
          )}
          {p.nextCursor ? (
            <p class="pager">
              <a
                href={`${here}?${new URLSearchParams({ status: p.status, cursor: p.nextCursor })}`}
                rel="next"
              >
                {t('webhooks.older')}
              </a>
            </p>
          ) : null}
        </section>
      </>
    ),
  });
}
