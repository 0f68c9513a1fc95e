import type { Child } from 'hono/jsx';
import { displayEmail } from '../../platform/email.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryName, countryOptions } from '../../platform/regions.ts';
import { FieldMessage, invalid } from '../../platform/ui/form.tsx';
import type { MatchOutcome, OrganizationCandidate } from '../identity/matching.ts';
import { BUSINESS_VERTICALS } from './mapping.ts';
import { type Side, STATE_FIELDS, STEP_FIELDS, type Step, type WizardState } from './wizard-state.ts';

export interface StepProps {
  t: Translate;
  locale: Locale;
  state: WizardState;
  errors: Record<string, string>;
}

/** One step's form: the whole state in hidden fields, the step's controls, Back and Next. */
export function StepForm(props: {
  t: Translate;
  token: string;
  step: Step;
  state: WizardState;
  /** Fields this rendering carries itself although the step does not own them. */
  carried?: string[];
  next?: 'next' | 'confirm' | null;
  children?: Child;
}) {
  const { t, step, state } = props;
  const own = new Set<string>([...STEP_FIELDS[step], ...(props.carried ?? [])]);
  return (
    <form method="post" action={`/setup/${props.token}`} class="wizard" novalidate>
      <input type="hidden" name="step" value={step} />
      {/* Enter in a text field submits with the first button: make that one Next, not Back or Search. */}
      {props.next === null ? null : (
        <button type="submit" name="nav" value={props.next ?? 'next'} class="default-submit" tabindex={-1}>
          {t('wizard.next')}
        </button>
      )}
      {STATE_FIELDS.filter((f) => !own.has(f) && state[f] !== '').map((f) => (
        <input type="hidden" name={f} value={state[f]} />
      ))}
      {props.children}
      <div class="wizard-nav">
        {step !== 'start' ? (
          <button type="submit" name="nav" value="back" class="secondary" formnovalidate>
            {t('wizard.back')}
          </button>
        ) : null}
        {props.next === null ? null : (
          <button type="submit" name="nav" value={props.next ?? 'next'}>
            {props.next === 'confirm' ? t('wizard.confirm') : t('wizard.next')}
          </button>
        )}
      </div>
      <p class="muted">{t('wizard.unrecognised')}</p>
    </form>
  );
}

function Radio(props: { name: string; value: string; checked: boolean; label: string; hint?: string }) {
  const id = `${props.name}-${props.value}`;
  return (
    <div class="choice">
      <input
        type="radio"
        id={id}
        name={props.name}
        value={props.value}
        checked={props.checked}
        {...(props.hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="muted" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function EmailField(props: StepProps & { name: 'handoffEmail' | 'adminEmail'; label: string }) {
  const { errors, name } = props;
  return (
    <div class="field">
      <label for={name}>{props.label}</label>
      <input
        type="email"
        id={name}
        name={name}
        value={props.state[name]}
        autocomplete="email"
        {...invalid(errors, name)}
      />
      <FieldMessage errors={errors} field={name} />
    </div>
  );
}

/** W2: who the order is for. */
export function RoleChoice(props: StepProps) {
  const { t, state, errors } = props;
  return (
    <fieldset {...invalid(errors, 'role')}>
      <legend>{t('wizard.role.legend')}</legend>
      <FieldMessage errors={errors} field="role" />
      <Radio
        name="role"
        value="customer"
        checked={state.role === 'customer'}
        label={t('wizard.role.customer')}
      />
      <Radio
        name="role"
        value="my_company"
        checked={state.role === 'my_company'}
        label={t('wizard.role.my_company')}
      />
      <Radio
        name="role"
        value="someone_else"
        checked={state.role === 'someone_else'}
        label={t('wizard.role.someone_else')}
        hint={t('wizard.role.someone_else_hint')}
      />
      <EmailField {...props} name="handoffEmail" label={t('wizard.role.handoff_email')} />
    </fieldset>
  );
}

/** W2: who sets up the services. */
export function SetupByChoice(props: StepProps) {
  const { t, state, errors } = props;
  return (
    <fieldset {...invalid(errors, 'setupBy')}>
      <legend>{t('wizard.setup_by.legend')}</legend>
      <FieldMessage errors={errors} field="setupBy" />
      <Radio
        name="setupBy"
        value="self"
        checked={state.setupBy === 'self'}
        label={t('wizard.setup_by.self')}
      />
      <Radio
        name="setupBy"
        value="colleague"
        checked={state.setupBy === 'colleague'}
        label={t('wizard.setup_by.colleague')}
      />
      <Radio
        name="setupBy"
        value="customer"
        checked={state.setupBy === 'customer'}
        label={t('wizard.setup_by.customer')}
        hint={t('wizard.setup_by.customer_hint')}
      />
      <EmailField {...props} name="handoffEmail" label={t('wizard.setup_by.colleague_email')} />
    </fieldset>
  );
}

function when(locale: Locale, at: Date | null, t: Translate): string {
  return at ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(at) : t('wizard.org.never');
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
