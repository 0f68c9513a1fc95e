import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryOptions, TIME_ZONES } from '../../platform/regions.ts';
import { FieldMessage, invalid } from '../../platform/ui/form.tsx';
import { LOCATION_LANGUAGES, type SetupProgress, type SetupStep } from './services.ts';

/** The wizard's screens (seed 004, "Servizi di fornitura"): one step per page, each saved on Next. */

export type Screen = 'review' | SetupStep | 'provision' | 'done' | 'summary';
export type Errors = Record<string, string>;

export interface SiteDraft {
  name: string;
  timeZone: string;
  earlyRelease: boolean;
  licenses: string;
}

export const pageUrl = (id: string, step?: Screen) => `/hub/setups/${id}${step ? `?step=${step}` : ''}`;

function TimeZoneSelect(props: { id: string; name: string; value: string; errors: Errors; field: string }) {
  return (
    <select id={props.id} name={props.name} {...invalid(props.errors, props.field)}>
      {TIME_ZONES.map((z) => (
        <option value={z} selected={z === props.value}>
          {z}
        </option>
      ))}
    </select>
  );
}

export function MeetingsStep(props: { t: Translate; p: SetupProgress; sites: SiteDraft[]; errors: Errors }) {
  const { t, p, sites, errors } = props;
  const id = p.setup.subscriptionId;
  const several = sites.length > 1;
  return (
    <form method="post" action={`/hub/setups/${id}/meetings`} class="card" novalidate>
      <h2>{t('services.meetings.title')}</h2>
      <p>{t('services.meetings.intro')}</p>
      <input type="hidden" name="count" value={String(sites.length)} />
      <FieldMessage errors={errors} field="sites" />
      {sites.map((site, i) => (
        <fieldset>
          <legend>{t('services.meetings.site', { n: i + 1 })}</legend>
          <label for={`name_${i}`}>{t('services.meetings.site_name')}</label>
          <input
            id={`name_${i}`}
            name={`name_${i}`}
            value={site.name}
            autocomplete="off"
            spellcheck={false}
            aria-describedby={`name_${i}-hint name_${i}-availability${errors[`sites[${i}].name`] ? ` error-sites[${i}].name` : ''}`}
            {...(errors[`sites[${i}].name`] ? { 'aria-invalid': 'true' } : {})}
            hx-get={`/hub/setups/${id}/site-name-check`}
            hx-trigger="input changed delay:400ms"
            hx-target={`#name_${i}-availability`}
            hx-sync="this:replace"
          />
          <p class="muted" id={`name_${i}-hint`}>
            {t('services.meetings.site_name_hint')}
          </p>
          <p id={`name_${i}-availability`} aria-live="polite"></p>
          <FieldMessage errors={errors} field={`sites[${i}].name`} />
          <label for={`tz_${i}`}>{t('services.meetings.time_zone')}</label>
          <TimeZoneSelect
            id={`tz_${i}`}
            name={`tz_${i}`}
            value={site.timeZone}
            errors={errors}
            field={`sites[${i}].timeZone`}
          />
          <FieldMessage errors={errors} field={`sites[${i}].timeZone`} />
          <fieldset>
            <legend>{t('services.meetings.early_release')}</legend>
            <p class="muted">{t('services.meetings.early_release_hint')}</p>
            <input
              type="radio"
              id={`early_${i}_yes`}
              name={`early_${i}`}
              value="yes"
              checked={site.earlyRelease}
            />
            <label for={`early_${i}_yes`}>{t('services.yes')}</label>{' '}
            <input
              type="radio"
              id={`early_${i}_no`}
              name={`early_${i}`}
              value="no"
              checked={!site.earlyRelease}
            />
            <label for={`early_${i}_no`}>{t('services.no')}</label>
          </fieldset>
          {several ? (
            <>
              <label for={`licences_${i}`}>{t('services.meetings.licences')}</label>
              <input
                id={`licences_${i}`}
                name={`licences_${i}`}
                type="number"
                inputmode="numeric"
                min="1"
                value={site.licenses}
                {...invalid(errors, `sites[${i}].licenses`)}
              />
              <FieldMessage errors={errors} field={`sites[${i}].licenses`} />
              <button type="submit" class="secondary" name="action" value={`remove_${i}`} formnovalidate>
                {t('services.meetings.remove_site', { n: i + 1 })}
              </button>
            </>
          ) : null}
        </fieldset>
      ))}
      {several ? <p>{t('services.meetings.distribute', { count: p.meetingsQuantity })}</p> : null}
      <p class="prov-buttons">
        <button type="submit" class="secondary" name="action" value="add">
          {t('services.meetings.additional_urls')}
        </button>{' '}
        <button type="submit" name="action" value="next">
          {t('services.next')}
        </button>
      </p>
    </form>
  );
}

export function CallingStep(props: {
  t: Translate;
  locale: Locale;
  p: SetupProgress;
  values: Record<string, string>;
  errors: Errors;
}) {
  const { t, p, values, errors } = props;
  const text = (field: string, key: string, required: boolean, autocomplete?: string) => (
    <>
      <label for={field}>{t(`services.calling.${key}`)}</label>
      <input
        id={field}
        name={field}
        value={values[field] ?? ''}
        {...(required ? { required: true } : {})}
        {...(autocomplete ? { autocomplete } : {})}
        {...invalid(errors, field)}
      />
      <FieldMessage errors={errors} field={field} />
    </>
  );
  return (
    <form method="post" action={`/hub/setups/${p.setup.subscriptionId}/calling`} class="card" novalidate>
      <h2>{t('services.calling.title')}</h2>
      <p>{t('services.calling.intro')}</p>
      {text('name', 'name', true)}
      <label for="country">{t('services.calling.country')}</label>
      <select id="country" name="country" {...invalid(errors, 'country')}>
        <option value="">{t('services.calling.choose')}</option>
        {countryOptions(props.locale).map((c) => (
          <option value={c.code} selected={c.code === values.country}>
            {c.name}
          </option>
        ))}
      </select>
      <FieldMessage errors={errors} field="country" />
      {text('addressLine1', 'address_line1', true, 'address-line1')}
      {text('addressLine2', 'address_line2', false, 'address-line2')}
      {text('city', 'city', true, 'address-level2')}
      {text('stateRegion', 'state_region', false, 'address-level1')}
      {text('postalCode', 'postal_code', false, 'postal-code')}
      <label for="timeZone">{t('services.calling.time_zone')}</label>
      <TimeZoneSelect
        id="timeZone"
        name="timeZone"
        value={values.timeZone ?? 'UTC'}
        errors={errors}
        field="timeZone"
      />
      <FieldMessage errors={errors} field="timeZone" />
      <label for="language">{t('services.calling.language')}</label>
      <select id="language" name="language" {...invalid(errors, 'language')}>
        {LOCATION_LANGUAGES.map((l) => (
          <option value={l} selected={l === (values.language ?? props.locale)}>
            {t(`services.languages.${l}`)}
          </option>
        ))}
      </select>
      <FieldMessage errors={errors} field="language" />
      <p class="prov-buttons">
        <button type="submit">{t('services.next')}</button>
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
      <p>{t('services.enterprise.intro')}</p>
      <label for="subdomain">{t('services.enterprise.subdomain')}</label>
      <input
        id="subdomain"
        name="subdomain"
        value={props.value}
        autocomplete="off"
        spellcheck={false}
        aria-describedby={`subdomain-availability${errors.subdomain ? ' error-subdomain' : ''}`}
        {...(errors.subdomain ? { 'aria-invalid': 'true' } : {})}
      />
      <p id="subdomain-availability" aria-live="polite">
        {props.checked}
      </p>
      <FieldMessage errors={errors} field="subdomain" />
      <p class="prov-buttons">
        <button type="submit" class="secondary" name="action" value="check">
          {t('services.enterprise.check')}
        </button>{' '}
        <button type="submit" name="action" value="save">
          {t('services.enterprise.save')}
        </button>
      </p>
    </form>
  );
}
