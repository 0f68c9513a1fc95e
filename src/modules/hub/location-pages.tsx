import type { Context, Hono } from 'hono';
import { DomainError } from '../../platform/errors.ts';
import { countryName, countryOptions } from '../../platform/regions.ts';
import { suggestedTimeZone, timeZoneChoices } from '../../platform/time-zones.ts';
import {
  Badge,
  Callout,
  EmptyState,
  ErrorSummary,
  Field,
  fieldAttrs,
  TableFrame,
} from '../../platform/ui/components.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import type { UserEnv } from '../identity/middleware.ts';
import { organizationProfile } from '../identity/organization-admin.ts';
import {
  addCallingLocation,
  callingSubscriptions,
  type HubCallingLocation,
  organizationLocation,
  organizationLocations,
  removeCallingLocation,
  updateCallingLocation,
} from '../service-setup/locations.ts';
import { LOCATION_LANGUAGES } from '../service-setup/services.ts';
import { requireOrgAdmin } from './admin.ts';
import { chrome, confirmed, confirmPage, formOf, refusal } from './admin-pages.tsx';
import { type Chrome, Done, HubNav, TimeZoneOptions } from './admin-views.tsx';

/**
 * Calling locations in the admin hub (docs/adr/0035): the list, add, edit and remove (confirmed).
 * The locations are service setup's (service-setup/locations.ts); these pages only show and ask.
 */

type C = Context<UserEnv>;
type Subscriptions = Awaited<ReturnType<typeof callingSubscriptions>>;
const DONE = new Set(['location_added', 'location_saved', 'location_removed']);

const LABELS: Record<string, string> = {
  subscriptionId: 'hub.locations.subscription',
  name: 'services.calling.name',
  country: 'services.calling.country',
  addressLine1: 'services.calling.address_line1',
  addressLine2: 'services.calling.address_line2',
  city: 'services.calling.city',
  stateRegion: 'services.calling.state_region',
  postalCode: 'services.calling.postal_code',
  timeZone: 'services.calling.time_zone',
  language: 'services.calling.language',
};

function ListPage(
  props: Chrome & { items: HubCallingLocation[]; subscriptions: Subscriptions; done?: string },
) {
  const { t, locale, items } = props;
  const add = props.subscriptions.length ? (
    <a class="button" href="/hub/locations/new">
      {t('hub.locations.add')}
    </a>
  ) : null;
  return (
    <Layout t={t} locale={locale} title={t('hub.locations.title')} path="/hub/locations" user={props.user}>
      <h1>{t('hub.locations.title')}</h1>
      <HubNav t={t} current="locations" />
      <Done t={t} done={props.done} />
      <p>{t('hub.locations.intro')}</p>
      {items.length ? (
        <>
          <p>{add}</p>
          <TableFrame label={t('hub.locations.title')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('services.calling.name')}</th>
                  <th scope="col">{t('services.calling.address')}</th>
                  <th scope="col">{t('hub.locations.subscription')}</th>
                  <th scope="col">{t('hub.users.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((l) => (
                  <tr id={`location-${l.id}`}>
                    <td>
                      {l.name} {l.isMain ? <Badge tone="info">{t('hub.locations.main')}</Badge> : null}
                    </td>
                    <td>
                      {l.addressLine1}, {l.city}, {countryName(locale, l.country)}
                    </td>
                    <td class="nowrap">{l.subscriptionId}</td>
                    <td>
                      <a
                        href={`/hub/locations/${l.id}/edit`}
                        aria-label={`${t('hub.locations.edit')} ${l.name}`}
                      >
                        {t('hub.locations.edit')}
                      </a>
                      {l.isMain ? null : (
                        <>
                          {' · '}
                          <a
                            href={`/hub/locations/${l.id}/remove`}
                            aria-label={`${t('hub.locations.remove')} ${l.name}`}
                          >
                            {t('hub.locations.remove')}
                          </a>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        </>
      ) : (
        <EmptyState
          title={t('hub.locations.none')}
          body={t(props.subscriptions.length ? 'hub.locations.none_body' : 'hub.locations.no_calling')}
          action={add}
        />
      )}
    </Layout>
  );
}

function FormPage(
  props: Chrome & {
    action: string;
    title: string;
    subscriptions: Subscriptions | null;
    values: Record<string, string>;
    errors: Record<string, string>;
    now: Date;
    main?: boolean;
  },
) {
  const { t, locale, values, errors } = props;
  const text = (name: string, required: boolean, autocomplete: string) => (
    <Field name={name} label={t(LABELS[name] ?? name)} errors={errors}>
      <input
        type="text"
        autocomplete={autocomplete}
        value={values[name] ?? ''}
        {...(required ? { required: true } : {})}
        {...fieldAttrs(errors, name)}
      />
    </Field>
  );
  return (
    <Layout t={t} locale={locale} title={props.title} path={props.action} user={props.user}>
      <h1>{props.title}</h1>
      <HubNav t={t} current="locations" />
      <ErrorSummary t={t} errors={errors} />
      {props.main ? <Callout tone="info">{t('hub.locations.main_note')}</Callout> : null}
      <form method="post" action={props.action} class="card stack" novalidate>
        {props.subscriptions ? (
          <Field name="subscriptionId" label={t(LABELS.subscriptionId ?? '')} errors={errors}>
            <select {...fieldAttrs(errors, 'subscriptionId')}>
              {props.subscriptions.map((s) => (
                <option value={s.id} selected={s.id === values.subscriptionId}>
                  {s.id} · {s.offerName}
                </option>
              ))}
            </select>
          </Field>
        ) : null}
        {text('name', true, 'off')}
        <Field name="country" label={t(LABELS.country ?? '')} errors={errors}>
          <select {...fieldAttrs(errors, 'country')}>
            <option value="">{t('services.calling.choose')}</option>
            {countryOptions(locale).map((c) => (
              <option value={c.code} selected={c.code === values.country}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        {text('addressLine1', true, 'address-line1')}
        {text('addressLine2', false, 'address-line2')}
        {text('city', true, 'address-level2')}
        {text('stateRegion', false, 'address-level1')}
        {text('postalCode', false, 'postal-code')}
        <Field name="timeZone" label={t(LABELS.timeZone ?? '')} errors={errors}>
          <select {...fieldAttrs(errors, 'timeZone')}>
            <TimeZoneOptions
              t={t}
              zones={timeZoneChoices(locale, values.country || null, props.now)}
              selected={values.timeZone ?? ''}
            />
          </select>
        </Field>
        <Field name="language" label={t(LABELS.language ?? '')} errors={errors}>
          <select {...fieldAttrs(errors, 'language')}>
            {LOCATION_LANGUAGES.map((l) => (
              <option value={l} selected={l === (values.language || locale)}>
                {t(`services.languages.${l}`)}
              </option>
            ))}
          </select>
        </Field>
        <div class="button-row">
          <button type="submit">{t('hub.locations.save')}</button>
          <a class="button secondary" href="/hub/locations">
            {t('hub.cancel')}
          </a>
        </div>
      </form>
    </Layout>
  );
}

function valuesOf(l: HubCallingLocation): Record<string, string> {
  return Object.fromEntries(
    Object.entries(l).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : v === null ? [[k, '']] : [])),
  );
}

export function registerHubLocationPages(app: Hono<UserEnv>): void {
  const org = (c: C) => requireOrgAdmin(c.get('ctx')).orgId;

  app.get('/hub/locations', async (c) => {
    const ctx = c.get('ctx');
    const [items, subscriptions] = await Promise.all([
      organizationLocations(ctx, org(c)),
      callingSubscriptions(ctx, org(c)),
    ]);
    const done = c.req.query('done');
    return c.html(
      <ListPage
        {...chrome(c)}
        items={items}
        subscriptions={subscriptions}
        {...(done && DONE.has(done) ? { done } : {})}
      />,
    );
  });

  const newPage = async (c: C, values: Record<string, string>, errors: Record<string, string>) => {
    const subscriptions = await callingSubscriptions(c.get('ctx'), org(c));
    const { t } = chrome(c);
    return c.html(
      <FormPage
        {...chrome(c)}
        action="/hub/locations/new"
        title={t('hub.locations.add')}
        subscriptions={subscriptions}
        values={values}
        errors={errors}
        now={c.get('ctx').clock.now()}
      />,
    );
  };
  app.get('/hub/locations/new', async (c) => {
    // The organization's country and its usual time zone, as a start.
    const ctx = c.get('ctx');
    const { country } = await organizationProfile(ctx, org(c));
    const zone = suggestedTimeZone(country, ctx.clock.now());
    return newPage(
      c,
      { language: c.get('locale'), country: country ?? '', ...(zone ? { timeZone: zone } : {}) },
      {},
    );
  });
  app.post('/hub/locations/new', async (c) => {
    const form = await formOf(c);
    try {
      await addCallingLocation(c.get('ctx'), org(c), form);
      return c.redirect('/hub/locations?done=location_added', 303);
    } catch (error) {
      const errors = refusal(c, error, LABELS);
      c.status(422);
      return newPage(c, form, errors);
    }
  });

  const editPage = async (c: C, values: Record<string, string> | null, errors: Record<string, string>) => {
    const location = await organizationLocation(c.get('ctx'), org(c), c.req.param('id') ?? '');
    const { t } = chrome(c);
    return c.html(
      <FormPage
        {...chrome(c)}
        action={`/hub/locations/${location.id}/edit`}
        title={t('hub.locations.edit_title', { name: location.name })}
        subscriptions={null}
        values={values ?? valuesOf(location)}
        errors={errors}
        now={c.get('ctx').clock.now()}
        main={location.isMain}
      />,
    );
  };
  app.get('/hub/locations/:id/edit', (c) => editPage(c, null, {}));
  app.post('/hub/locations/:id/edit', async (c) => {
    const form = await formOf(c);
    try {
      await updateCallingLocation(c.get('ctx'), org(c), c.req.param('id'), form);
      return c.redirect('/hub/locations?done=location_saved', 303);
    } catch (error) {
      const errors = refusal(c, error, LABELS);
      c.status(422);
      return editPage(c, form, errors);
    }
  });

  const removeConfirmation = async (c: C) => {
    const location = await organizationLocation(c.get('ctx'), org(c), c.req.param('id') ?? '');
    if (location.isMain)
      throw new DomainError('calling_location_in_use', 409, {
        name: location.name,
        subscription: location.subscriptionId,
      });
    const { t } = chrome(c);
    return confirmPage(c, {
      title: t('hub.locations.remove_title', { name: location.name }),
      consequence: t('hub.locations.remove_consequence', {
        name: location.name,
        subscription: location.subscriptionId,
      }),
      action: `/hub/locations/${location.id}/remove`,
      confirm: t('hub.locations.remove_confirm'),
      cancel: '/hub/locations',
      danger: true,
    });
  };
  app.get('/hub/locations/:id/remove', removeConfirmation);
  app.post('/hub/locations/:id/remove', async (c) => {
    if (!confirmed(await formOf(c))) return removeConfirmation(c);
    await removeCallingLocation(c.get('ctx'), org(c), c.req.param('id'));
    return c.redirect('/hub/locations?done=location_removed', 303);
  });
}
