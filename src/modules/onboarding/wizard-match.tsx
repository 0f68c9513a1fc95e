import { displayEmail } from '../../platform/email.ts';
import { formatDate } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryName, countryOptions } from '../../platform/regions.ts';
import { FieldMessage, invalid } from '../../platform/ui/form.tsx';
import type { MatchOutcome, OrganizationCandidate } from '../identity/matching.ts';
import { BUSINESS_VERTICALS } from './mapping-input.ts';
import type { Side } from './wizard-state.ts';
import { Radio, type StepProps } from './wizard-views.tsx';

/** W3's screens: an organization as a candidate, the three outcomes, creating one, searching. */

function when(locale: Locale, at: Date | null, t: Translate): string {
  // The visitor holds a link, not an account: no zone of theirs is known, so the day is UTC's.
  return at ? formatDate({ locale }, at) : t('wizard.org.never');
}

/** What one organization looks like when someone must decide whether it is theirs (W3). */
export function OrganizationCard(props: { t: Translate; locale: Locale; org: OrganizationCandidate }) {
  const { t, locale, org } = props;
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
      <dd>{t(`wizard.org.matched_${org.matchedBy}`, { domain: org.matchedDomain ?? '' })}</dd>
      {org.stale ? (
        <>
          <dt>{t('wizard.org.caution')}</dt>
          <dd class="error">{t('wizard.org.stale')}</dd>
        </>
      ) : null}
    </dl>
  );
}

/** Company name, business vertical and country/region (localized names), for a new organization. */
export function CreateFields(props: StepProps & { side: Side }) {
  const { t, locale, state, errors, side } = props;
  const name = `${side}Name` as const;
  const vertical = `${side}Vertical` as const;
  const country = `${side}Country` as const;
  return (
    <fieldset>
      <legend>{t('wizard.create.legend')}</legend>
      <div class="field">
        <label for={name}>{t('wizard.create.name')}</label>
        <input
          id={name}
          name={name}
          value={state[name]}
          autocomplete="organization"
          {...invalid(errors, name)}
        />
        <FieldMessage errors={errors} field={name} />
      </div>
      <div class="field">
        <label for={vertical}>{t('wizard.create.vertical')}</label>
        <select id={vertical} name={vertical} {...invalid(errors, vertical)}>
          <option value="">{t('wizard.create.choose')}</option>
          {BUSINESS_VERTICALS.map((v) => (
            <option value={v} selected={state[vertical] === v}>
              {t(`wizard.vertical.${v}`)}
            </option>
          ))}
        </select>
        <FieldMessage errors={errors} field={vertical} />
      </div>
      <div class="field">
        <label for={country}>{t('wizard.create.country')}</label>
        <select id={country} name={country} {...invalid(errors, country)}>
          <option value="">{t('wizard.create.choose')}</option>
          {countryOptions(locale).map((c) => (
            <option value={c.code} selected={state[country] === c.code}>
              {c.name}
            </option>
          ))}
        </select>
        <FieldMessage errors={errors} field={country} />
      </div>
    </fieldset>
  );
}

/** The three outcomes of matching (and a refused address), for one side. */
export function MatchStep(
  props: StepProps & {
    side: Side;
    email: string;
    match: MatchOutcome;
    search: { domain: string; results: OrganizationCandidate[] } | null;
  },
) {
  const { t, locale, state, errors, side, match } = props;
  const pick = `${side}Pick` as const;
  const email = displayEmail(props.email);
  if (match.outcome === 'taken')
    return (
      <p class="error" role="alert">
        {t('wizard.match.taken', { email, organization: match.organizationName })}
      </p>
    );
  if (match.outcome === 'exact')
    return (
      <>
        <p class="notice">{t('wizard.match.exact', { email })}</p>
        <input type="hidden" name={pick} value={match.organization.id} />
        <OrganizationCard t={t} locale={locale} org={match.organization} />
      </>
    );
  if (match.outcome === 'none' && !props.search?.results.length)
    return (
      <>
        <p class="notice">{t('wizard.match.none', { email })}</p>
        <input type="hidden" name={pick} value="create" />
        <CreateFields {...props} />
        <SearchBox {...props} />
      </>
    );
  const candidates = [
    ...(match.outcome === 'domain' ? match.candidates : []),
    ...(props.search?.results ?? []),
  ];
  return (
    <>
      {match.outcome === 'domain' ? <p class="notice">{t('wizard.match.domain', { email })}</p> : null}
      <fieldset {...invalid(errors, pick)}>
        <legend>{t('wizard.match.pick')}</legend>
        <FieldMessage errors={errors} field={pick} />
        {candidates.map((org) => (
          <div class="card candidate">
            <Radio name={pick} value={org.id} checked={state[pick] === org.id} label={org.name} />
            <OrganizationCard t={t} locale={locale} org={org} />
          </div>
        ))}
        <Radio
          name={pick}
          value="create"
          checked={state[pick] === 'create'}
          label={t('wizard.match.create')}
        />
      </fieldset>
      <CreateFields {...props} />
      <SearchBox {...props} />
    </>
  );
}

function SearchBox(
  props: StepProps & { side: Side; search: { domain: string; results: OrganizationCandidate[] } | null },
) {
  const { t, side } = props;
  const id = `${side}SearchInput`;
  return (
    <div class="field search">
      <label for={id}>{t('wizard.match.search_label')}</label>
      <input
        id={id}
        name="searchDomain"
        value={props.search?.domain ?? ''}
        {...invalid(props.errors, 'searchDomain')}
      />
      <FieldMessage errors={props.errors} field="searchDomain" />
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
