import { formatDate, formatDateTime, type Reader } from '../../platform/format.ts';
import type { Translate } from '../../platform/i18n.ts';
import { Callout, ConfirmPanel, type StepState, Steps } from '../../platform/ui/components.tsx';
import { pageUrl, previousScreen, type Screen } from './service-views.tsx';
import type { SetupProgress } from './services.ts';

/** The wizard's review screens: the steps, S1's review, Provision's check list and S7's summary. */

/** The setup's steps, drawn by the one step indicator; a finished step links back to itself. */
export function StepNav(props: { t: Translate; p: SetupProgress; current: Screen }) {
  const { t, p } = props;
  const id = p.setup.subscriptionId;
  const screens: Screen[] = ['review', ...p.steps, 'provision', 'summary'];
  const current: Screen =
    props.current === 'done' ? 'summary' : props.current === 'confirm' ? 'provision' : props.current;
  const at = screens.indexOf(current);
  const provisioned = Boolean(p.setup.provisionedAt);
  const stateOf = (s: Screen, i: number): StepState => {
    if (s === current) return 'current';
    if ((p.steps as Screen[]).includes(s)) return (p.missing as Screen[]).includes(s) ? 'todo' : 'done';
    if (s === 'provision') return provisioned ? 'done' : 'todo';
    return i < at ? 'done' : 'todo';
  };
  return (
    <Steps
      t={t}
      steps={screens.map((s, i) => {
        const state = stateOf(s, i);
        return {
          label: t(`services.step.${s}`),
          state,
          ...(provisioned || s === 'summary' ? {} : { href: pageUrl(id, s) }),
        };
      })}
    />
  );
}

export function ReviewStep(props: { t: Translate; p: SetupProgress }) {
  const { t, p } = props;
  const s = p.setup;
  return (
    <section class="card">
      <h2>{t('services.review.heading')}</h2>
      <p>{t('services.review.intro')}</p>
      <dl class="facts">
        <dt>{t('services.summary.order')}</dt>
        <dd>{`${s.order.number} · ${s.order.reference}`}</dd>
        <dt>{t('services.summary.subscription')}</dt>
        <dd class="nowrap">{s.subscriptionId}</dd>
        <dt>{t('services.summary.offer')}</dt>
        <dd>{`${s.offer.name} (${s.offer.code})`}</dd>
        <dt>{t('services.summary.partner')}</dt>
        <dd>{s.mapping.partner.name}</dd>
        <dt>{t('services.summary.customer')}</dt>
        <dd>{s.mapping.customer.name}</dd>
      </dl>
      <table>
        <caption>{t('services.review.services')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('services.review.services')}</th>
            <th scope="col">{t('services.review.quantity')}</th>
          </tr>
        </thead>
        <tbody>
          {s.services.map((svc) => (
            <tr>
              <td>{t(`services.service.${svc.code}`)}</td>
              <td>{svc.quantity}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="prov-buttons">
        <a class="button" href={pageUrl(s.subscriptionId, p.next === 'done' ? 'summary' : p.next)}>
          {t('services.review.set_up_now')}
        </a>{' '}
        <a class="button secondary" href="/hub">
          {t('services.review.set_up_later')}
        </a>
      </p>
      <p class="muted">{t('services.review.later_note')}</p>
    </section>
  );
}

/**
 * When billing starts, by the real rules (subscriptions/advance.ts): at activation, unless the policy
 * window already started it (that date stays); on an offer the vendor or an operator fulfils, at their
 * activation, not at the press.
 */
export function BillingStart(props: { t: Translate; reader: Reader; p: SetupProgress; now: Date }) {
  const { t, reader, p } = props;
  const s = p.setup;
  const services = s.services
    .map((svc) => `${t(`services.service.${svc.code}`)} (${svc.quantity})`)
    .join(', ');
  const when = s.billingStartedAt
    ? t('services.provision.billing_already', { date: formatDate(reader, s.billingStartedAt) })
    : s.offer.fulfilment !== 'none'
      ? t('services.provision.billing_at_fulfilment')
      : t('services.provision.billing_today', { date: formatDate(reader, props.now) });
  return (
    <dl class="facts billing-start">
      <dt>{t('services.provision.what_bills')}</dt>
      <dd>{services}</dd>
      <dt>{t('services.provision.when_bills')}</dt>
      <dd>{when}</dd>
    </dl>
  );
}

/**
 * After a fulfilment failed or asked for information, Provision is the Retry or the resubmission of a
 * press already confirmed (billing still starts only at the vendor's activation): no second confirmation.
 */
export function isRetry(p: SetupProgress): boolean {
  return p.setup.stage === 'needs_info' || p.setup.stage === 'provisioning_failed';
}

export function ProvisionStep(props: {
  t: Translate;
  reader: Reader;
  p: SetupProgress;
  now: Date;
  buttonLabel?: string;
}) {
  const { t, reader, p } = props;
  const id = p.setup.subscriptionId;
  return (
    <section class="card">
      <h2>{t('services.provision.title')}</h2>
      <p>{t('services.provision.intro')}</p>
      <Facts t={t} reader={reader} p={p} />
      {p.missing.length ? (
        <Callout tone="warning" title={t('services.provision.missing')}>
          <ul>
            {p.missing.map((s) => (
              <li>
                <a href={pageUrl(id, s)}>{t(`services.step.${s}`)}</a>
              </li>
            ))}
          </ul>
        </Callout>
      ) : (
        <BillingStart t={t} reader={reader} p={p} now={props.now} />
      )}
      <div class="button-row">
        {p.missing.length ? null : isRetry(p) ? (
          // Retry or Resubmit repeats a Provision already confirmed: it is pressed here.
          <form method="post" action={`/hub/setups/${id}/provision`}>
            <button type="submit">{props.buttonLabel ?? t('services.provision.button')}</button>
          </form>
        ) : (
          <a class="button" href={pageUrl(id, 'confirm')}>
            {props.buttonLabel ?? t('services.provision.button')}
          </a>
        )}
        <a class="button secondary" href={pageUrl(id, previousScreen(p, 'provision'))}>
          {t('services.back')}
        </a>
      </div>
    </section>
  );
}

/** Provision's confirmation: what starts billing and when, the press itself, and the way back. */
export function ProvisionConfirm(props: {
  t: Translate;
  reader: Reader;
  p: SetupProgress;
  now: Date;
  buttonLabel?: string;
}) {
  const { t, p } = props;
  const id = p.setup.subscriptionId;
  return (
    <ConfirmPanel
      title={t('services.provision.confirm_title', { subscription: id })}
      consequence={
        <>
          <p>{t('services.provision.confirm_intro', { customer: p.setup.mapping.customer.name })}</p>
          <BillingStart t={t} reader={props.reader} p={p} now={props.now} />
          <p>{t('services.provision.confirm_final')}</p>
        </>
      }
      action={`/hub/setups/${id}/provision`}
      hidden={{ confirm: 'yes' }}
      confirmLabel={
        props.buttonLabel ??
        // "and start billing" only where this press starts it (not fulfilled, not billed by the policy).
        (p.setup.offer.fulfilment === 'none' && !p.setup.billingStartedAt
          ? t('services.provision.confirm_button')
          : t('services.provision.button'))
      }
      cancelHref={pageUrl(id, 'provision')}
      cancelLabel={t('services.back')}
    />
  );
}

export function SummaryStep(props: { t: Translate; reader: Reader; p: SetupProgress; closed: boolean }) {
  const { t, reader, p } = props;
  const id = p.setup.subscriptionId;
  return (
    <section class="card">
      <h2>{t('services.summary.title')}</h2>
      <p role="status">{t(props.closed ? 'services.summary.closed' : 'services.summary.intro')}</p>
      <Facts t={t} reader={reader} p={p} />
      <p class="button-row">
        <a
          class={props.closed ? 'button' : 'button secondary'}
          href={`/hub/setups/${id}/summary.pdf`}
          download
        >
          {t('services.summary.download')}
        </a>
        {!props.closed ? (
          <a class="button" href={pageUrl(id, 'summary')}>
            {t('services.summary.close')}
          </a>
        ) : (
          <a class="button secondary" href="/hub">
            {t('services.summary.to_hub')}
          </a>
        )}
      </p>
    </section>
  );
}

export function Facts(props: { t: Translate; reader: Reader; p: SetupProgress }) {
  const { t, reader, p } = props;
  const s = p.setup;
  return (
    <dl class="facts">
      <dt>{t('services.summary.order')}</dt>
      <dd>{`${s.order.number} · ${s.order.reference}`}</dd>
      <dt>{t('services.summary.subscription')}</dt>
      <dd class="nowrap">{s.subscriptionId}</dd>
      <dt>{t('services.summary.customer')}</dt>
      <dd>{s.mapping.customer.name}</dd>
      {p.sites.map((site) => (
        <>
          <dt>{t('services.summary.site')}</dt>
          <dd>{`${site.name} · ${site.timeZone} · ${t('services.meetings.licences')}: ${site.licenses}`}</dd>
        </>
      ))}
      {p.location ? (
        <>
          <dt>{t('services.summary.location')}</dt>
          <dd>{`${p.location.name}, ${p.location.city}`}</dd>
        </>
      ) : null}
      {p.subdomain ? (
        <>
          <dt>{t('services.summary.subdomain')}</dt>
          <dd>{p.subdomain}</dd>
        </>
      ) : null}
      {s.billingStartedAt && s.billingStartReason ? (
        <>
          <dt>{t('services.summary.billing_start')}</dt>
          <dd>{`${formatDate(reader, s.billingStartedAt)} (${t(`services.billing_reason.${s.billingStartReason}`)})`}</dd>
        </>
      ) : null}
      {s.provisionedAt ? (
        <>
          <dt>{t('services.summary.provisioned_at')}</dt>
          <dd>{formatDateTime(reader, s.provisionedAt)}</dd>
        </>
      ) : null}
    </dl>
  );
}
