import { formatDate } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { FulfilmentStageBadge } from './badges.tsx';
import { failureReason, fieldLabel } from './labels.ts';
import type { ProvisionRequestView } from './requests.ts';
import { type FulfilmentStage, messageFor, stepOfField } from './schema.ts';

export { isFulfilmentStage } from './schema.ts';

/**
 * How a subscription's fulfilment reads where people act on it (service setup, the hub, the order page):
 * waiting for the vendor, *Action required* with the fields to edit and *Resubmit*, or why it failed
 * with *Retry* and *Open a case*. Texts come in the reader's language; the vendor's message too, when it
 * gave one in that language.
 */

export interface PanelProps {
  t: Translate;
  locale: Locale;
  /** The reader's zone (their organization's), for when the request was sent. */
  timeZone?: string | undefined;
  subscriptionId: string;
  stage: FulfilmentStage;
  request: ProvisionRequestView | undefined;
  /** The reader may set the subscription up: Resubmit and Retry are theirs to press. */
  mayAct: boolean;
  /** The reader may open a support case (partners and distributors). */
  mayOpenCase: boolean;
}

function setupUrl(subscriptionId: string, step?: string): string {
  const base = `/hub/setups/${encodeURIComponent(subscriptionId)}`;
  return step ? `${base}?step=${step}` : base;
}

function caseUrl(t: Translate, subscriptionId: string, reason: string): string {
  return `/support/cases/new?${new URLSearchParams({
    requestType: 'other',
    subscriptionId,
    description: t('fulfilment.case_description', { subscription: subscriptionId, reason }),
  })}`;
}

/** The reason a failed request gives the reader. */
export function reasonOf(t: Translate, locale: Locale, request: ProvisionRequestView | undefined): string {
  return failureReason(t, locale, request?.code ?? null, request?.message ?? null);
}

function ProvisionButton(props: { t: Translate; subscriptionId: string; label: string; id: string }) {
  return (
    <form method="post" action={`${setupUrl(props.subscriptionId)}/provision`} class="inline-form">
      <button type="submit" id={props.id}>
        {props.label}
      </button>
    </form>
  );
}

/** The full panel, at the top of service setup. */
export function FulfilmentPanel(props: PanelProps) {
  const { t, locale, subscriptionId, request } = props;
  const id = `fulfilment-${subscriptionId}`;
  if (props.stage === 'provisioning') {
    return (
      <section class="fulfil fulfil-wait" role="status" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{t('fulfilment.provisioning.title')}</h2>
        <p>
          {t(request?.mode === 'manual' ? 'fulfilment.provisioning.manual' : 'fulfilment.provisioning.http')}
        </p>
        {request ? (
          <p class="muted">
            {t('fulfilment.provisioning.since', {
              date: formatDate({ locale, timeZone: props.timeZone }, request.openedAt),
            })}
          </p>
        ) : null}
      </section>
    );
  }
  if (props.stage === 'needs_info') {
    return (
      <section class="fulfil fulfil-action" role="alert" aria-labelledby={`${id}-title`}>
        <h2 id={`${id}-title`}>{t('fulfilment.needs_info.title')}</h2>
        <p>{t('fulfilment.needs_info.intro')}</p>
        <blockquote class="prewrap">{messageFor(request?.message ?? null, locale) ?? ''}</blockquote>
        {request?.fields.length ? (
          <>
            <p>{t('fulfilment.needs_info.fields')}</p>
            <ul>
              {request.fields.map((f) => (
                <li>
                  {props.mayAct ? (
                    <a href={setupUrl(subscriptionId, stepOfField(f))}>{fieldLabel(t, f)}</a>
                  ) : (
                    fieldLabel(t, f)
                  )}
                </li>
              ))}
            </ul>
          </>
        ) : null}
        {props.mayAct ? (
          <>
            <p>{t('fulfilment.needs_info.then')}</p>
            <ProvisionButton
              t={t}
              subscriptionId={subscriptionId}
              label={t('fulfilment.resubmit')}
              id={`${id}-resubmit`}
            />
          </>
        ) : null}
      </section>
    );
  }
  const reason = reasonOf(t, locale, request);
  return (
    <section class="fulfil fulfil-failed" role="alert" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('fulfilment.failed.title')}</h2>
      <p>{t('fulfilment.failed.intro')}</p>
      <blockquote class="prewrap">{reason}</blockquote>
      <p class="button-row">
        {props.mayAct ? (
          <ProvisionButton
            t={t}
            subscriptionId={subscriptionId}
            label={t('fulfilment.retry')}
            id={`${id}-retry`}
          />
        ) : null}
        {props.mayOpenCase ? (
          <a class="button secondary" href={caseUrl(t, subscriptionId, reason)}>
            {t('fulfilment.open_case')}
          </a>
        ) : null}
      </p>
      {props.mayOpenCase ? null : <p class="muted">{t('fulfilment.failed.ask_partner')}</p>}
    </section>
  );
}

/** A short version for tables (the hub's subscriptions, the order's lines). */
export function FulfilmentNote(props: PanelProps) {
  const { t, locale, subscriptionId, request } = props;
  if (props.stage === 'provisioning')
    return (
      <div class="fulfil-note">
        <FulfilmentStageBadge t={t} stage="provisioning" />{' '}
        {t(request?.mode === 'manual' ? 'fulfilment.provisioning.manual' : 'fulfilment.provisioning.http')}
      </div>
    );
  if (props.stage === 'needs_info')
    return (
      <div class="fulfil-note fulfil-note-action">
        <FulfilmentStageBadge t={t} stage="needs_info" /> {messageFor(request?.message ?? null, locale) ?? ''}
        {props.mayAct ? (
          <>
            {' '}
            <a
              href={setupUrl(subscriptionId)}
              aria-label={t('fulfilment.review_label', { id: subscriptionId })}
            >
              {t('fulfilment.review')}
            </a>
          </>
        ) : null}
      </div>
    );
  const reason = reasonOf(t, locale, request);
  return (
    <div class="fulfil-note fulfil-note-failed">
      <FulfilmentStageBadge t={t} stage="provisioning_failed" /> {reason}
      <div class="prov-actions">
        {props.mayAct ? (
          <ProvisionButton
            t={t}
            subscriptionId={subscriptionId}
            label={t('fulfilment.retry')}
            id={`retry-${subscriptionId}`}
          />
        ) : null}
        {props.mayOpenCase ? (
          <a class="button secondary" href={caseUrl(t, subscriptionId, reason)}>
            {t('fulfilment.open_case')}
          </a>
        ) : null}
      </div>
    </div>
  );
}
