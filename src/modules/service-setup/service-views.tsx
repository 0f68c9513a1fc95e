import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryOptions } from '../../platform/regions.ts';
import { currentTimeZoneName, timeZoneChoices } from '../../platform/time-zones.ts';
import { ErrorSummary, Field, FieldGroup, fieldAttrs } from '../../platform/ui/components.tsx';
import { LOCATION_LANGUAGES, type SetupProgress, type SetupStep } from './services.ts';

/** The wizard's screens (seed 004, "Servizi di fornitura"): one step per page, each saved on Next. */

export type Screen = 'review' | SetupStep | 'provision' | 'confirm' | 'done' | 'summary';
export type Errors = Record<string, string>;

export interface SiteDraft {
  name: string;
  timeZone: string;
  earlyRelease: boolean;
  licenses: string;
}

export const pageUrl = (id: string, step?: Screen) => `/hub/setups/${id}${step ? `?step=${step}` : ''}`;

/** The screen before this one: Back goes there (the steps this subscription has, in order). */
export function previousScreen(p: SetupProgress, screen: Screen): Screen {
  const screens: Screen[] = ['review', ...p.steps, 'provision'];
  const at = screens.indexOf(screen);
  return at > 0 ? (screens[at - 1] ?? 'review') : 'review';
}

export function BackLink(props: { t: Translate; p: SetupProgress; screen: Screen }) {
  const id = props.p.setup.subscriptionId;
  return (
    <a class="button secondary" href={pageUrl(id, previousScreen(props.p, props.screen))}>
      {props.t('services.back')}
    </a>
  );
}

/** The full address a site name makes, as the name is typed: `acme.meet.vendor.example`. */
export function siteUrl(domain: string, name: string): string {
  return `https://${name.trim().toLowerCase()}.${domain}`;
}

/**
 * The choices take hundreds of Intl formatters to name: kept per language, country and day (the
 * offsets and names move with daylight saving, never within a day), a few hundred at most.
 */
const choicesCache = new Map<string, ReturnType<typeof timeZoneChoices>>();
function cachedChoices(locale: Locale, country: string | null, at: Date) {
  const key = `${locale}|${country ?? ''}|${at.toISOString().slice(0, 10)}`;
  let choices = choicesCache.get(key);
  if (!choices) {
    if (choicesCache.size > 500) choicesCache.clear();
    choices = timeZoneChoices(locale, country, at);
    choicesCache.set(key, choices);
  }
  return choices;
}

/**
 * Time zones as people choose them (src/platform/time-zones.ts): the organization's country's few
 * first, named in the reader's language, then every other current zone; an old stored name is
 * shown by its current one.
 */
function TimeZoneSelect(props: {
  t: Translate;
  locale: Locale;
  country: string | null;
  at: Date;
  name: string;
  value: string;
  errors: Errors;
}) {
  const { t } = props;
  const choices = cachedChoices(props.locale, props.country, props.at);
  const value = currentTimeZoneName(props.value);
  const option = (z: { id: string; label: string }) => (
    <option value={z.id} selected={z.id === value}>
      {z.label}
    </option>
  );
  return (
    <select {...fieldAttrs(props.errors, props.name)}>
      {choices.suggested.length ? (
        <optgroup label={t('services.time_zones.suggested')}>{choices.suggested.map(option)}</optgroup>
      ) : null}
      <optgroup label={t('services.time_zones.others')}>{choices.others.map(option)}</optgroup>
    </select>
  );
}

export interface StepContext {
  t: Translate;
  locale: Locale;
  p: SetupProgress;
  /** The clock's now: time-zone names and offsets as they are today. */
  at: Date;
  /** Where the organization is: its time zones come first. */
  country: string | null;
}

export function MeetingsStep(
  props: StepContext & { sites: SiteDraft[]; errors: Errors; siteDomain: string },
) {
  const { t, p, sites, errors } = props;
  const id = p.setup.subscriptionId;
  const several = sites.length > 1;
  return (
    <form method="post" action={`/hub/setups/${id}/meetings`} class="card" novalidate>
      <h2>{t('services.meetings.title')}</h2>
      <ErrorSummary t={t} errors={errors} />
      <p>{t('services.meetings.intro')}</p>
      <input type="hidden" name="count" value={String(sites.length)} />
      {/* Enter in a field submits with the form's first button: make that Next, not "additional URLs". */}
      <button type="submit" name="action" value="next" hidden tabindex={-1}>
        {t('services.next')}
      </button>
      {errors.sites ? (
        <p class="field-error" id="sites">
          {errors.sites}
        </p>
      ) : null}
      {sites.map((site, i) => (
        <fieldset class="site">
          <legend>{t('services.meetings.site', { n: i + 1 })}</legend>
          <Field
            name={`name_${i}`}
            label={t('services.meetings.site_name')}
            hint={t('services.meetings.site_name_hint', { domain: props.siteDomain })}
            errors={errors}
          >
            <input
              value={site.name}
              autocomplete="off"
              spellcheck={false}
              {...fieldAttrs(errors, `name_${i}`, true)}
              hx-get={`/hub/setups/${id}/site-name-check`}
              hx-trigger="input changed delay:300ms"
              hx-target={`#name_${i}-url`}
              hx-sync="this:replace"
            />
            {/* The site's full address, updated by the server as the name is typed (htmx). */}
            <output id={`name_${i}-url`} for={`name_${i}`} class="site-url" aria-live="polite">
              {site.name.trim() ? (
                <SiteUrl t={t} url={siteUrl(props.siteDomain, site.name)} availability={null} />
              ) : null}
            </output>
          </Field>
          <Field name={`tz_${i}`} label={t('services.meetings.time_zone')} errors={errors}>
            <TimeZoneSelect {...props} name={`tz_${i}`} value={site.timeZone} />
          </Field>
          <FieldGroup
            name={`early_${i}`}
            legend={t('services.meetings.early_release')}
            hint={t('services.meetings.early_release_hint')}
            errors={errors}
          >
            <div class="choice">
              <input
                type="radio"
                id={`early_${i}_yes`}
                name={`early_${i}`}
                value="yes"
                checked={site.earlyRelease}
              />
              <label for={`early_${i}_yes`}>{t('services.yes')}</label>
            </div>
            <div class="choice">
              <input
                type="radio"
                id={`early_${i}_no`}
                name={`early_${i}`}
                value="no"
                checked={!site.earlyRelease}
              />
              <label for={`early_${i}_no`}>{t('services.no')}</label>
            </div>
          </FieldGroup>
          {several ? (
            <>
              <Field name={`licences_${i}`} label={t('services.meetings.licences')} errors={errors}>
                <input
                  type="number"
                  inputmode="numeric"
                  min="1"
                  value={site.licenses}
                  {...fieldAttrs(errors, `licences_${i}`)}
                />
              </Field>
              <button type="submit" class="secondary" name="action" value={`remove_${i}`} formnovalidate>
                {t('services.meetings.remove_site', { n: i + 1 })}
              </button>
            </>
          ) : null}
        </fieldset>
      ))}
      {several ? <p>{t('services.meetings.distribute', { count: p.meetingsQuantity })}</p> : null}
      <p class="button-row">
        <button type="submit" class="secondary" name="action" value="add">
          {t('services.meetings.additional_urls')}
        </button>
      </p>
      <p class="button-row">
        <button type="submit" name="action" value="next">
          {t('services.next')}
        </button>
        <BackLink t={t} p={p} screen="meetings" />
      </p>
    </form>
  );
}

/** A site's full address, and whether its name is free (once checked). */
export function SiteUrl(props: { t: Translate; url: string; availability: string | null }) {
  return (
    <span>
      {props.t('services.meetings.site_url')} <strong class="nowrap">{props.url}</strong>
      {props.availability ? ` · ${props.availability}` : ''}
    </span>
  );
}

export function CallingStep(props: StepContext & { values: Record<string, string>; errors: Errors }) {
  const { t, p, values, errors } = props;
  const text = (field: string, key: string, autocomplete?: string) => (
    <Field name={field} label={t(`services.calling.${key}`)} errors={errors}>
      <input
        value={values[field] ?? ''}
        {...(autocomplete ? { autocomplete } : {})}
        {...fieldAttrs(errors, field)}
      />
    </Field>
  );
  return (
    <form method="post" action={`/hub/setups/${p.setup.subscriptionId}/calling`} class="card" novalidate>
      <h2>{t('services.calling.title')}</h2>
      <ErrorSummary t={t} errors={errors} />
      <p>{t('services.calling.intro')}</p>
      {text('name', 'name')}
      <Field name="country" label={t('services.calling.country')} errors={errors}>
        <select autocomplete="country" {...fieldAttrs(errors, 'country')}>
          <option value="">{t('services.calling.choose')}</option>
          {countryOptions(props.locale).map((c) => (
            <option value={c.code} selected={c.code === values.country}>
              {c.name}
            </option>
          ))}
        </select>
      </Field>
      {text('addressLine1', 'address_line1', 'address-line1')}
      {text('addressLine2', 'address_line2', 'address-line2')}
      {text('city', 'city', 'address-level2')}
      {text('stateRegion', 'state_region', 'address-level1')}
      {text('postalCode', 'postal_code', 'postal-code')}
      <Field
        name="timeZone"
        label={t('services.calling.time_zone')}
        hint={t('services.time_zones.hint')}
        errors={errors}
      >
        <TimeZoneSelect
          {...props}
          country={values.country || props.country}
          name="timeZone"
          value={values.timeZone ?? ''}
        />
      </Field>
      <Field name="language" label={t('services.calling.language')} errors={errors}>
        <select {...fieldAttrs(errors, 'language')}>
          {LOCATION_LANGUAGES.map((l) => (
            <option value={l} selected={l === (values.language ?? props.locale)}>
              {t(`services.languages.${l}`)}
            </option>
          ))}
        </select>
      </Field>
      <p class="button-row">
        <button type="submit">{t('services.next')}</button>
        <BackLink t={t} p={p} screen="calling" />
      </p>
    </form>
  );
}

export function EnterpriseStep(props: {
  t: Translate;
  p: SetupProgress;
  value: string;
  errors: Errors;
  checked: string | null;
}) {
  const { t, p, errors } = props;
  return (
    <form method="post" action={`/hub/setups/${p.setup.subscriptionId}/enterprise`} class="card" novalidate>
      <h2>{t('services.enterprise.title')}</h2>
      <ErrorSummary t={t} errors={errors} />
      <p>{t('services.enterprise.intro')}</p>
      <Field name="subdomain" label={t('services.enterprise.subdomain')} errors={errors}>
        <input
          value={props.value}
          autocomplete="off"
          spellcheck={false}
          {...fieldAttrs(errors, 'subdomain')}
        />
        <p id="subdomain-availability" aria-live="polite">
          {props.checked}
        </p>
      </Field>
      <p class="button-row">
        <button type="submit" class="secondary" name="action" value="check">
          {t('services.enterprise.check')}
        </button>
      </p>
      <p class="button-row">
        <button type="submit" name="action" value="save">
          {t('services.enterprise.save')}
        </button>
        <BackLink t={t} p={p} screen="enterprise" />
      </p>
    </form>
  );
}
