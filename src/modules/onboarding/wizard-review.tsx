import { displayEmail } from '../../platform/email.ts';
import { formatDay, formatNumber } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryName } from '../../platform/regions.ts';
import type { OrganizationCandidate } from '../identity/matching.ts';
import type { OrderLineView } from '../orders/schema.ts';
import { newOrganization, type Side, type WizardState } from './wizard-state.ts';

/** The subscription the link is for (S1's facts, W1's first screen). */
export function SubscriptionFacts(props: {
  t: Translate;
  locale: Locale;
  orderReference: string;
  line: OrderLineView;
}) {
  const { t, line } = props;
  return (
    <dl class="facts">
      <dt>{t('wizard.facts.order')}</dt>
      <dd>{props.orderReference}</dd>
      <dt>{t('wizard.facts.subscription')}</dt>
      <dd class="nowrap">{line.subscriptionId}</dd>
      <dt>{t('wizard.facts.offer')}</dt>
      <dd>{line.offer.name}</dd>
      <dt>{t('wizard.facts.services')}</dt>
      <dd>{line.services.map((s) => t(`service.${s.code}`)).join(', ')}</dd>
      <dt>{t('wizard.facts.quantity')}</dt>
      <dd>{formatNumber(props, line.quantity)}</dd>
      <dt>{t('wizard.facts.start_date')}</dt>
      <dd>{formatDay(props, line.requestedStartDate, 'long')}</dd>
      <dt>{t('wizard.facts.contact')}</dt>
      <dd>{displayEmail(line.provisioningContactEmail)}</dd>
    </dl>
  );
}

function SideFacts(props: {
  t: Translate;
  locale: Locale;
  state: WizardState;
  side: Side;
  existing: OrganizationCandidate | undefined;
  admin: string;
  label: string | null;
}) {
  const { t, locale, state, side, existing } = props;
  const created = newOrganization(state, side);
  return (
    <section aria-labelledby={`review-${side}`}>
      <h2 id={`review-${side}`}>{t(`wizard.review.${side}`)}</h2>
      <dl class="facts">
        <dt>{t('wizard.org.name')}</dt>
        <dd>{existing ? existing.name : created.name.trim()}</dd>
        <dt>{t('wizard.review.status')}</dt>
        <dd>{existing ? t('wizard.review.existing') : t('wizard.review.new')}</dd>
        {existing ? null : (
          <>
            <dt>{t('wizard.create.vertical')}</dt>
            <dd>{t(`wizard.vertical.${created.businessVertical}`)}</dd>
            <dt>{t('wizard.create.country')}</dt>
            <dd>{countryName(locale, created.country)}</dd>
          </>
        )}
        <dt>{t('wizard.review.admin')}</dt>
        <dd>{displayEmail(props.admin)}</dd>
        {props.label ? (
          <>
            <dt>{t('wizard.review.your_access')}</dt>
            <dd>
              <strong>{props.label}</strong>
            </dd>
          </>
        ) : null}
      </dl>
    </section>
  );
}

/** W6: partner and customer as they will be mapped, and W7's checkbox. */
export function Review(props: {
  t: Translate;
  locale: Locale;
  state: WizardState;
  contact: string;
  partner: OrganizationCandidate | undefined;
  customer: OrganizationCandidate | undefined;
}) {
  const { t, state } = props;
  const forCustomer = state.role !== 'my_company';
  const partnerSetsUp = forCustomer && state.setupBy === 'self';
  const access = !partnerSetsUp
    ? null
    : props.customer
      ? t('wizard.review.provisioning_admin')
      : t('wizard.review.full_admin');
  return (
    <>
      <p>{t('wizard.review.intro')}</p>
      {forCustomer ? (
        <SideFacts {...props} side="partner" existing={props.partner} admin={props.contact} label={null} />
      ) : null}
      <SideFacts
        {...props}
        side="customer"
        existing={props.customer}
        admin={forCustomer ? state.adminEmail : props.contact}
        label={access}
      />
      {partnerSetsUp && props.customer ? (
        <p class="muted">{t('wizard.review.provisioning_admin_hint')}</p>
      ) : null}
      {state.setupBy === 'customer' && forCustomer ? (
        <p class="notice">{t('wizard.review.customer_sets_up')}</p>
      ) : null}
      {partnerSetsUp ? (
        <div class="choice">
          <input
            type="checkbox"
            id="customerSetsUp"
            name="customerSetsUp"
            value="1"
            checked={state.customerSetsUp === '1'}
            aria-describedby="customerSetsUp-hint"
          />
          <label for="customerSetsUp">{t('wizard.review.customer_sets_up_box')}</label>
          <p class="muted" id="customerSetsUp-hint">
            {t('wizard.review.customer_sets_up_hint')}
          </p>
        </div>
      ) : null}
    </>
  );
}
