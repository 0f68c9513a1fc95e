import { displayEmail } from '../../platform/email.ts';
import { formatDate } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import type { OrganizationJoinRequest } from '../identity/join-requests.ts';

/**
 * The customer sets up alone (W2): approving gives the partner no access to the customer. Only a
 * customer's request says so; what joining a partner grants does not depend on who sets up.
 */
function alone(r: OrganizationJoinRequest): boolean {
  const input = r.mappingInput;
  return (
    r.side === 'customer' &&
    typeof input === 'object' &&
    input !== null &&
    'setupBy' in input &&
    input.setupBy === 'customer'
  );
}

/**
 * The organization's admins decide who joins it and which partner may reach it (docs/adr/0022).
 * Each request says who, through which order, what approving grants, and the safety stop.
 */
export function JoinRequests(props: {
  t: Translate;
  locale: Locale;
  timeZone?: string | undefined;
  items: OrganizationJoinRequest[];
}) {
  const { t, locale, items } = props;
  return (
    <section aria-labelledby="requests-title" id="requests">
      <h2 id="requests-title">{t('consent.hub.title')}</h2>
      {items.length ? null : <p class="muted">{t('consent.hub.none')}</p>}
      {items.map((r) => {
        const values = {
          email: displayEmail(r.subjectEmail),
          partner: r.partnerName,
          organization: r.organizationName,
        };
        return (
          <article id={`request-${r.id}`} aria-labelledby={`request-title-${r.id}`} class="request">
            <h3 id={`request-title-${r.id}`}>{t(`consent.hub.ask_${r.reason}`, values)}</h3>
            <dl class="facts">
              <dt>{t('consent.hub.order')}</dt>
              <dd>
                {r.orderNumber} · {r.reference}
              </dd>
              <dt>{t('consent.hub.subscription')}</dt>
              <dd>
                {r.subscriptionId} · {r.offerName}
              </dd>
              <dt>{t('consent.hub.partner')}</dt>
              <dd>{r.partnerName}</dd>
              <dt>{t('consent.hub.requested')}</dt>
              <dd>{formatDate({ locale, timeZone: props.timeZone }, r.requestedAt)}</dd>
              <dt>{t('consent.hub.status')}</dt>
              <dd>
                <span class={`status status-request-${r.status}`}>
                  {t(`consent.request_status.${r.status}`)}
                </span>
              </dd>
            </dl>
            {r.status === 'pending' ? (
              <>
                <p>{t(`consent.hub.grants_${r.side}_${r.reason}${alone(r) ? '_alone' : ''}`, values)}</p>
                <p class="muted">{t('consent.hub.safety')}</p>
                <div class="decide">
                  <form method="post" action={`/hub/requests/${r.id}/approve`} class="inline-form">
                    <button type="submit" aria-describedby={`request-title-${r.id}`}>
                      {t('consent.hub.approve')}
                    </button>
                  </form>
                  <form method="post" action={`/hub/requests/${r.id}/refuse`} class="inline-form">
                    <button type="submit" class="secondary" aria-describedby={`request-title-${r.id}`}>
                      {t('consent.hub.refuse')}
                    </button>
                  </form>
                </div>
              </>
            ) : null}
          </article>
        );
      })}
    </section>
  );
}
