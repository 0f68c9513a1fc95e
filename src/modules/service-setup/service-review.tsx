import { formatDate, formatDateTime } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { pageUrl, type Screen } from './service-views.tsx';
import type { SetupProgress } from './services.ts';

/** The wizard's review screens: the steps, S1's review, Provision's check list and S7's summary. */

export function StepNav(props: { t: Translate; p: SetupProgress; current: Screen }) {
  const { t, p } = props;
  const screens: Screen[] = ['review', ...p.steps, 'provision', 'summary'];
  const current = props.current === 'done' ? 'summary' : props.current;
  return (
    <nav aria-label={t('services.steps_label')}>
      <ol class="subnav">
        {screens.map((s) => {
          const done = (p.steps as Screen[]).includes(s) && !(p.missing as Screen[]).includes(s);
          const label = `${t(`services.step.${s}`)}${done ? ` (${t('services.step_done')})` : ''}`;
          return (
            <li {...(s === current ? { 'aria-current': 'step' } : {})}>
              {s === current ? <strong>{label}</strong> : label}
            </li>
          );
        })}
      </ol>
    </nav>
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
        <dd>{s.subscriptionId}</dd>
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

export function ProvisionStep(props: {
  t: Translate;
  locale: Locale;
  timeZone?: string | undefined;
  p: SetupProgress;
  buttonLabel?: string;
}) {
  const { t, locale, p } = props;
  const id = p.setup.subscriptionId;
  return (
    <form method="post" action={`/hub/setups/${id}/provision`} class="card">
      <h2>{t('services.provision.title')}</h2>
      <p>{t('services.provision.intro')}</p>
      <Facts t={t} locale={locale} timeZone={props.timeZone} p={p} />
      {p.missing.length ? (
        <>
          <p>{t('services.provision.missing')}</p>
          <ul>
            {p.missing.map((s) => (
              <li>
                <a href={pageUrl(id, s)}>{t(`services.step.${s}`)}</a>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <button type="submit">{props.buttonLabel ?? t('services.provision.button')}</button>
      )}
    </form>
  );
}

export function SummaryStep(props: {
  t: Translate;
  locale: Locale;
  timeZone?: string | undefined;
  p: SetupProgress;
  closed: boolean;
}) {
  const { t, locale, p } = props;
  const id = p.setup.subscriptionId;
  return (
    <section class="card">
      <h2>{t('services.summary.title')}</h2>
      <p role="status">{t(props.closed ? 'services.summary.closed' : 'services.summary.intro')}</p>
      <Facts t={t} locale={locale} timeZone={props.timeZone} p={p} />
      <p class="prov-buttons">
        {!props.closed ? (
          <a class="button" href={pageUrl(id, 'summary')}>
            {t('services.summary.close')}
          </a>
        ) : (
          <a class="button" href={`/hub/setups/${id}/summary.pdf`} download>
            {t('services.summary.download')}
          </a>
        )}
      </p>
    </section>
  );
}

export function Facts(props: {
  t: Translate;
  locale: Locale;
  timeZone?: string | undefined;
  p: SetupProgress;
}) {
  const { t, p } = props;
  const reader = { locale: props.locale, timeZone: props.timeZone };
  const s = p.setup;
  return (
    <dl class="facts">
      <dt>{t('services.summary.order')}</dt>
      <dd>{`${s.order.number} · ${s.order.reference}`}</dd>
      <dt>{t('services.summary.subscription')}</dt>
      <dd>{s.subscriptionId}</dd>
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
