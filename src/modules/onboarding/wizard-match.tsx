import { displayEmail } from '../../platform/email.ts';
import { formatDate } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryName, countryOptions } from '../../platform/regions.ts';
import { Callout, Field, FieldGroup, fieldAttrs } from '../../platform/ui/components.tsx';
import type { MatchOutcome, OrganizationCandidate } from '../identity/matching.ts';
import { BUSINESS_VERTICALS } from './mapping-input.ts';
import type { Side } from './wizard-state.ts';
import { Radio, type StepProps } from './wizard-views.tsx';

/** W3's screens: an organization as a candidate, the three outcomes, creating one, searching. */

function when(locale: Locale, at: Date | null, t: Translate): string {
  // The visitor holds a link, not an account: no zone of theirs is known, so the day is UTC's.
  return at ? formatDate({ locale }, at) : t('wizard.org.never');
}

/** Whose address matched: the contact's own, or the customer admin's (step 6 for a customer). */
export type Whose = 'own' | 'admin';

/** What one organization looks like when someone must decide whether it is theirs (W3). */
export function OrganizationCard(props: {
  t: Translate;
  locale: Locale;
  org: OrganizationCandidate;
  whose?: Whose;
}) {
  const { t, locale, org } = props;
  const why =
    org.matchedBy === 'email' && props.whose === 'admin' ? 'matched_email_admin' : `matched_${org.matchedBy}`;
  return (
    <dl class="facts">
      <dt>{t('wizard.org.name')}</dt>
      <dd>{org.name}</dd>
      {org.country ? (
        <>
          <dt>{t('wizard.org.country')}</dt>
          <dd>{countryName(locale, org.country)}</dd>
        </>
      ) : null}
      <dt>{t('wizard.org.domains')}</dt>
      <dd>
        {org.domains.length
          ? org.domains.map((d) => `${d.domain} (${t(`wizard.org.domain_${d.status}`)})`).join(', ')
          : t('wizard.org.no_domains')}
      </dd>
      <dt>{t('wizard.org.active_users')}</dt>
      <dd>{t('wizard.org.users', { count: org.activeUsers })}</dd>
      <dt>{t('wizard.org.last_activity')}</dt>
      <dd>{when(locale, org.lastUserActivityAt, t)}</dd>
      <dt>{t('wizard.org.why')}</dt>
      <dd>{t(`wizard.org.${why}`, { domain: org.matchedDomain ?? '' })}</dd>
      {org.stale ? (
        <>
          <dt>{t('wizard.org.caution')}</dt>
          <dd>
            <strong>{t('wizard.org.stale')}</strong>
          </dd>
        </>
      ) : null}
    </dl>
  );
}

/**
 * Company name, business vertical and country/region (localized names), for a new organization.
 * Hidden once an existing organization is picked: the radios ask the server for this fieldset again
 * (htmx, no inline script); without script it stays shown and Next decides.
 */
export function CreateFields(props: StepProps & { side: Side; hidden?: boolean }) {
  const { t, locale, state, errors, side } = props;
  const name = `${side}Name` as const;
  const vertical = `${side}Vertical` as const;
  const country = `${side}Country` as const;
  return (
    <fieldset id={`create-${side}`} class="create-organization" hidden={props.hidden ?? false}>
      <legend>{t('wizard.create.legend')}</legend>
      <Field name={name} label={t('wizard.create.name')} errors={errors}>
        <input value={state[name]} autocomplete="organization" {...fieldAttrs(errors, name)} />
      </Field>
      <Field name={vertical} label={t('wizard.create.vertical')} errors={errors}>
        <select {...fieldAttrs(errors, vertical)}>
          <option value="">{t('wizard.create.choose')}</option>
          {BUSINESS_VERTICALS.map((v) => (
            <option value={v} selected={state[vertical] === v}>
              {t(`wizard.vertical.${v}`)}
            </option>
          ))}
        </select>
      </Field>
      <Field name={country} label={t('wizard.create.country')} errors={errors}>
        <select {...fieldAttrs(errors, country)} autocomplete="country">
          <option value="">{t('wizard.create.choose')}</option>
          {countryOptions(locale).map((c) => (
            <option value={c.code} selected={state[country] === c.code}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
    </fieldset>
  );
}

/** The three outcomes of matching (and a refused address), for one side. */
export function MatchStep(
  props: StepProps & {
    token: string;
    side: Side;
    email: string;
    whose: Whose;
    match: MatchOutcome;
    search: { domain: string; results: OrganizationCandidate[] } | null;
  },
) {
  const { t, locale, state, errors, side, match, whose } = props;
  const pick = `${side}Pick` as const;
  const email = displayEmail(props.email);
  if (match.outcome === 'taken')
    return (
      <Callout tone="danger" title={t('wizard.match.taken_title')}>
        <p>{t('wizard.match.taken', { email, organization: match.organizationName })}</p>
      </Callout>
    );
  if (match.outcome === 'exact')
    return (
      <>
        <Callout tone="warning" title={t('wizard.match.check_title')}>
          <p>{t(`wizard.match.exact_${whose}`, { email })}</p>
        </Callout>
        <input type="hidden" name={pick} value={match.organization.id} />
        <OrganizationCard t={t} locale={locale} org={match.organization} whose={whose} />
      </>
    );
  if (match.outcome === 'none' && !props.search?.results.length)
    return (
      <>
        <Callout tone="info">
          <p>{t('wizard.match.none', { email })}</p>
        </Callout>
        <input type="hidden" name={pick} value="create" />
        <CreateFields {...props} />
        <SearchBox {...props} />
      </>
    );
  const candidates = [
    ...(match.outcome === 'domain' ? match.candidates : []),
    ...(props.search?.results ?? []),
  ];
  // Picking a radio asks for the create fieldset again: shown for "create", hidden otherwise.
  const swap = {
    'hx-post': `/setup/${props.token}`,
    'hx-vals': '{"nav":"pick"}',
    'hx-trigger': 'change',
    'hx-target': `#create-${side}`,
    'hx-select': `#create-${side}`,
    'hx-swap': 'outerHTML',
  };
  return (
    <>
      {match.outcome === 'domain' ? (
        <Callout tone="warning" title={t('wizard.match.check_title')}>
          <p>{t('wizard.match.domain', { email })}</p>
        </Callout>
      ) : null}
      <FieldGroup name={pick} legend={t('wizard.match.pick')} errors={errors}>
        {candidates.map((org) => (
          <div class="card candidate">
            <Radio
              name={pick}
              value={org.id}
              checked={state[pick] === org.id}
              label={org.name}
              attrs={swap}
            />
            <OrganizationCard t={t} locale={locale} org={org} whose={whose} />
          </div>
        ))}
        <Radio
          name={pick}
          value="create"
          checked={state[pick] === 'create'}
          label={t('wizard.match.create')}
          attrs={swap}
        />
      </FieldGroup>
      <CreateFields {...props} hidden={state[pick] !== '' && state[pick] !== 'create'} />
      <SearchBox {...props} />
    </>
  );
}

function SearchBox(
  props: StepProps & { side: Side; search: { domain: string; results: OrganizationCandidate[] } | null },
) {
  const { t } = props;
  return (
    <div class="search">
      <Field name="searchDomain" label={t('wizard.match.search_label')} errors={props.errors}>
        <input value={props.search?.domain ?? ''} {...fieldAttrs(props.errors, 'searchDomain')} />
      </Field>
      <button type="submit" name="nav" value="search" class="secondary">
        {t('wizard.match.search')}
      </button>
      {props.search?.domain && !props.errors.searchDomain ? (
        <p class="muted" role="status">
          {t('wizard.match.search_results', {
            count: props.search.results.length,
            domain: props.search.domain,
          })}
        </p>
      ) : null}
    </div>
  );
}
