import type { Role } from '../../platform/context.ts';
import { formatDate, type Reader } from '../../platform/format.ts';
import { LOCALE_NAMES, LOCALES, type Locale, type Translate } from '../../platform/i18n.ts';
import { countryOptions } from '../../platform/regions.ts';
import { timeZoneChoices } from '../../platform/time-zones.ts';
import { Badge, ErrorSummary, Field, fieldAttrs, TableFrame } from '../../platform/ui/components.tsx';
import { Layout, type PageChrome } from '../../platform/ui/layout.tsx';
import { BUSINESS_VERTICALS } from '../onboarding/mapping-input.ts';
import type { HubUser } from './admin.ts';

/** The admin hub's management pages (docs/adr/0035): users, invitations, roles, the organization. */

export type Chrome = { t: Translate; locale: Locale; user: PageChrome['user'] };

const isAdmin = (role: Role) => role === 'partner_admin' || role === 'customer_admin';

/** The hub's own sections, one row of links under its title. */
export function HubNav({ t, current }: { t: Translate; current: 'overview' | 'users' | 'locations' }) {
  const links = [
    ['overview', '/hub', t('hub.nav.overview')],
    ['users', '/hub/users', t('hub.nav.users')],
    ['locations', '/hub/locations', t('hub.nav.locations')],
  ] as const;
  return (
    <nav aria-label={t('hub.nav.label')} class="subnav">
      {links.map(([key, href, label]) => (
        <a href={href} {...(key === current ? { 'aria-current': 'page' } : {})}>
          {label}
        </a>
      ))}
    </nav>
  );
}

export function Done({ t, done }: { t: Translate; done?: string | undefined }) {
  return done ? (
    <p class="notice" role="status">
      {t(`hub.done.${done}`)}
    </p>
  ) : null;
}

export function UsersPage(props: Chrome & { users: HubUser[]; me: string; reader: Reader; done?: string }) {
  const { t, locale, users } = props;
  return (
    <Layout t={t} locale={locale} title={t('hub.users.title')} path="/hub/users" user={props.user}>
      <h1>{t('hub.users.title')}</h1>
      <HubNav t={t} current="users" />
      <Done t={t} done={props.done} />
      <p>{t('hub.users.intro')}</p>
      <p>
        <a class="button" href="/hub/users/invite">
          {t('hub.users.invite')}
        </a>
      </p>
      <TableFrame label={t('hub.users.title')}>
        <table>
          <caption class="muted">{t('hub.users.caption', { count: users.length })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('hub.users.email')}</th>
              <th scope="col">{t('hub.users.role')}</th>
              <th scope="col">{t('hub.users.last_active')}</th>
              <th scope="col">{t('hub.users.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr id={`user-${u.id}`}>
                <td>
                  {u.email}
                  {u.id === props.me ? <span class="muted"> ({t('hub.users.you')})</span> : null}
                </td>
                <td>
                  <Badge tone={isAdmin(u.role) ? 'info' : 'neutral'}>{t(`hub.role.${u.role}`)}</Badge>
                </td>
                <td>
                  {u.invited ? (
                    <Badge tone="warning">{t('hub.users.invited')}</Badge>
                  ) : u.lastActiveAt ? (
                    formatDate(props.reader, u.lastActiveAt)
                  ) : (
                    t('hub.users.never')
                  )}
                </td>
                <td>
                  <a href={`/hub/users/${u.id}/role`} aria-label={`${t('hub.users.change_role')} ${u.email}`}>
                    {t('hub.users.change_role')}
                  </a>
                  {' · '}
                  <a href={`/hub/users/${u.id}/remove`} aria-label={`${t('hub.users.remove')} ${u.email}`}>
                    {t('hub.users.remove')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableFrame>
    </Layout>
  );
}

const INVITE_LABELS = { email: 'hub.invite.email', role: 'hub.invite.role', locale: 'hub.invite.locale' };
export const INVITE_FIELD_LABELS = INVITE_LABELS;

export function InvitePage(
  props: Chrome & { roles: Role[]; values: Record<string, string>; errors: Record<string, string> },
) {
  const { t, locale, values, errors } = props;
  return (
    <Layout t={t} locale={locale} title={t('hub.invite.title')} path="/hub/users/invite" user={props.user}>
      <h1>{t('hub.invite.title')}</h1>
      <HubNav t={t} current="users" />
      <ErrorSummary t={t} errors={errors} />
      <form method="post" action="/hub/users/invite" class="card stack" novalidate>
        <Field name="email" label={t(INVITE_LABELS.email)} hint={t('hub.invite.email_hint')} errors={errors}>
          <input
            type="email"
            autocomplete="off"
            value={values.email ?? ''}
            {...fieldAttrs(errors, 'email', true)}
          />
        </Field>
        <Field name="role" label={t(INVITE_LABELS.role)} hint={t('hub.invite.role_hint')} errors={errors}>
          <select {...fieldAttrs(errors, 'role', true)}>
            {props.roles.map((r) => (
              <option value={r} selected={r === (values.role ?? props.roles[1])}>
                {t(`hub.role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          name="locale"
          label={t(INVITE_LABELS.locale)}
          hint={t('hub.invite.locale_hint')}
          errors={errors}
        >
          <select {...fieldAttrs(errors, 'locale', true)}>
            {LOCALES.map((l) => (
              <option value={l} lang={l} selected={l === (values.locale ?? locale)}>
                {LOCALE_NAMES[l]}
              </option>
            ))}
          </select>
        </Field>
        <div class="button-row">
          <button type="submit">{t('hub.invite.submit')}</button>
          <a class="button secondary" href="/hub/users">
            {t('hub.cancel')}
          </a>
        </div>
      </form>
    </Layout>
  );
}

export function RolePage(props: Chrome & { target: HubUser; roles: Role[]; errors: Record<string, string> }) {
  const { t, locale, target, errors } = props;
  const path = `/hub/users/${target.id}/role`;
  return (
    <Layout t={t} locale={locale} title={t('hub.role_change.title')} path={path} user={props.user}>
      <h1>{t('hub.role_change.title')}</h1>
      <HubNav t={t} current="users" />
      <ErrorSummary t={t} errors={errors} />
      <form method="post" action={path} class="card stack">
        <p>{t('hub.role_change.intro', { email: target.email })}</p>
        <Field name="role" label={t('hub.invite.role')} hint={t('hub.invite.role_hint')} errors={errors}>
          <select {...fieldAttrs(errors, 'role', true)}>
            {props.roles.map((r) => (
              <option value={r} selected={r === target.role}>
                {t(`hub.role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <div class="button-row">
          <button type="submit">{t('hub.role_change.submit')}</button>
          <a class="button secondary" href="/hub/users">
            {t('hub.cancel')}
          </a>
        </div>
      </form>
    </Layout>
  );
}

export const ORG_LABELS = {
  name: 'hub.org.name',
  businessVertical: 'hub.org.vertical',
  country: 'hub.org.country',
  timeZone: 'hub.org.time_zone',
};

export function OrganizationEditPage(
  props: Chrome & {
    values: Record<string, string>;
    errors: Record<string, string>;
    now: Date;
    /** A vertical stored as free text before the list existed: offered as it is. */
    legacyVertical: string | null;
  },
) {
  const { t, locale, values, errors } = props;
  const zones = timeZoneChoices(locale, values.country || null, props.now);
  return (
    <Layout t={t} locale={locale} title={t('hub.org_edit.title')} path="/hub/organization" user={props.user}>
      <h1>{t('hub.org_edit.title')}</h1>
      <HubNav t={t} current="overview" />
      <ErrorSummary t={t} errors={errors} />
      <form method="post" action="/hub/organization" class="card stack" novalidate>
        <Field name="name" label={t(ORG_LABELS.name)} hint={t('hub.org_edit.name_hint')} errors={errors}>
          <input
            type="text"
            maxlength={200}
            autocomplete="organization"
            value={values.name ?? ''}
            {...fieldAttrs(errors, 'name', true)}
          />
        </Field>
        <Field name="businessVertical" label={t(ORG_LABELS.businessVertical)} errors={errors}>
          <select {...fieldAttrs(errors, 'businessVertical')}>
            <option value="">{t('hub.org_edit.choose')}</option>
            {props.legacyVertical ? (
              <option
                value={props.legacyVertical}
                selected={props.legacyVertical === values.businessVertical}
              >
                {props.legacyVertical}
              </option>
            ) : null}
            {BUSINESS_VERTICALS.map((v) => (
              <option value={v} selected={v === values.businessVertical}>
                {t(`wizard.vertical.${v}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field name="country" label={t(ORG_LABELS.country)} errors={errors}>
          <select {...fieldAttrs(errors, 'country')}>
            <option value="">{t('hub.org_edit.choose')}</option>
            {countryOptions(locale).map((c) => (
              <option value={c.code} selected={c.code === values.country}>
                {c.name}
              </option>
            ))}
          </select>
        </Field>
        <Field
          name="timeZone"
          label={t(ORG_LABELS.timeZone)}
          hint={t('hub.org_edit.time_zone_hint')}
          errors={errors}
        >
          <select {...fieldAttrs(errors, 'timeZone', true)}>
            <TimeZoneOptions t={t} zones={zones} selected={values.timeZone ?? ''} />
          </select>
        </Field>
        <div class="button-row">
          <button type="submit">{t('hub.org_edit.submit')}</button>
          <a class="button secondary" href="/hub#organization">
            {t('hub.cancel')}
          </a>
        </div>
      </form>
    </Layout>
  );
}

/** The time-zone options: the country's few first, then every other (platform/time-zones.ts). */
export function TimeZoneOptions(props: {
  t: Translate;
  zones: ReturnType<typeof timeZoneChoices>;
  selected: string;
}) {
  const { t, zones, selected } = props;
  return (
    <>
      {zones.suggested.length ? (
        <optgroup label={t('hub.time_zones.suggested')}>
          {zones.suggested.map((z) => (
            <option value={z.id} selected={z.id === selected}>
              {z.label}
            </option>
          ))}
        </optgroup>
      ) : null}
      <optgroup label={t('hub.time_zones.others')}>
        {zones.others.map((z) => (
          <option value={z.id} selected={z.id === selected}>
            {z.label}
          </option>
        ))}
      </optgroup>
    </>
  );
}
