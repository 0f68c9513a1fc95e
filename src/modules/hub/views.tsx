import { formatDate } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { countryName } from '../../platform/regions.ts';
import { oneFinalPeriod } from '../../platform/sentence.ts';
import { currentTimeZoneName } from '../../platform/time-zones.ts';
import { Badge, TableFrame, type Tone } from '../../platform/ui/components.tsx';
import { Layout, type PageChrome } from '../../platform/ui/layout.tsx';
import { FulfilmentNote, isFulfilmentStage } from '../fulfilment/views.tsx';
import { businessVerticalLabel } from '../onboarding/mapping-input.ts';
import { HubNav } from './admin-views.tsx';
import { JoinRequests } from './requests-view.tsx';
import type { HubOrganization, HubSubscription, HubView } from './service.ts';

/** Outcomes of a consent decision: their messages live with the consent texts. */
const CONSENT_DONE = new Set(['approved', 'refused', 'outdated', 'decided', 'expired']);

/** An instant as a day, in the reader's language (platform/format.ts). */
export function formatDay(locale: Locale, at: Date, timeZone?: string): string {
  return formatDate({ locale, timeZone }, at);
}

function OrganizationFacts({ t, locale, org }: { t: Translate; locale: Locale; org: HubOrganization }) {
  return (
    <dl class="facts">
      <dt>{t('hub.org.name')}</dt>
      <dd>{org.name}</dd>
      <dt>{t('hub.org.kind')}</dt>
      <dd>{t(`hub.kind.${org.kind}`)}</dd>
      <dt>{t('hub.org.country')}</dt>
      <dd>{org.country ? countryName(locale, org.country) : t('hub.none')}</dd>
      <dt>{t('hub.org.vertical')}</dt>
      <dd>{org.businessVertical ? businessVerticalLabel(t, org.businessVertical) : t('hub.none')}</dd>
      <dt>{t('hub.org.time_zone')}</dt>
      <dd>{currentTimeZoneName(org.timeZone)}</dd>
      <dt>{t('hub.org.domains')}</dt>
      <dd>
        {org.domains.length
          ? org.domains.map((d, i) => (
              <>
                {i > 0 ? ', ' : ''}
                {d.domain} ({t(`hub.domain_status.${d.status}`)})
              </>
            ))
          : t('hub.none')}
      </dd>
      <dt>{t('hub.org.subdomain')}</dt>
      <dd>{org.subdomain ?? t('hub.none')}</dd>
    </dl>
  );
}

function Users({
  t,
  locale,
  users,
  timeZone,
  manage,
}: {
  t: Translate;
  locale: Locale;
  users: NonNullable<HubOrganization['users']>;
  /** The reader's zone (their organization's): a day there. */
  timeZone: string;
  /** The viewer's own organization: each user links to its actions. */
  manage: boolean;
}) {
  return (
    <TableFrame label={t('hub.users.title')}>
      <table>
        <caption class="muted">{t('hub.users.caption', { count: users.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('hub.users.email')}</th>
            <th scope="col">{t('hub.users.role')}</th>
            <th scope="col">{t('hub.users.last_active')}</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr>
              <td>{manage ? <a href={`/hub/users#user-${u.id}`}>{u.email}</a> : u.email}</td>
              <td>
                <Badge tone={u.role.endsWith('_admin') ? 'info' : 'neutral'}>{t(`hub.role.${u.role}`)}</Badge>
              </td>
              <td>{u.lastActiveAt ? formatDay(locale, u.lastActiveAt, timeZone) : t('hub.users.never')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

const STATE_TONES: Record<HubSubscription['state'], Tone> = {
  pending_setup: 'warning',
  provisioning: 'info',
  needs_info: 'warning',
  provisioning_failed: 'danger',
  provisioned: 'success',
};

function stateLabel(t: Translate, locale: Locale, s: HubSubscription, timeZone?: string): string {
  const state = t(`hub.state.${s.state}`);
  return s.billingStartedAt
    ? `${state} · ${t('hub.state.billing_since', { date: formatDate({ locale, timeZone }, s.billingStartedAt) })}`
    : state;
}

/** What the vendor said of a subscription it is provisioning (docs/adr/0032), with the reader's actions. */
function Fulfilment(props: { t: Translate; locale: Locale; s: HubSubscription; mayOpenCase: boolean }) {
  const { s } = props;
  if (!isFulfilmentStage(s.state)) return null;
  return (
    <FulfilmentNote
      t={props.t}
      locale={props.locale}
      subscriptionId={s.id}
      stage={s.state}
      request={s.fulfilment ?? undefined}
      mayAct={s.pendingForViewer}
      mayOpenCase={props.mayOpenCase}
    />
  );
}

export function Subscriptions(props: {
  t: Translate;
  locale: Locale;
  timeZone?: string | undefined;
  items: HubSubscription[];
  label: string;
  mayOpenCase: boolean;
}) {
  const { t, locale, items } = props;
  if (!items.length) return <p class="muted">{t('hub.subscriptions.none')}</p>;
  return (
    <TableFrame label={props.label}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('hub.subscriptions.id')}</th>
            <th scope="col">{t('hub.subscriptions.offer')}</th>
            <th scope="col">{t('hub.subscriptions.state')}</th>
            <th scope="col">{t('hub.subscriptions.sites')}</th>
            <th scope="col">{t('hub.subscriptions.locations')}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr id={`sub-${s.id}`}>
              <td>
                {s.id}
                <br />
                <span class="muted">{t('hub.subscriptions.order', { number: s.orderNumber })}</span>
              </td>
              <td>
                {s.offer.name} ({s.offer.code}) × {s.quantity}
                <br />
                <span class="muted">{s.services.map((x) => t(`service.${x.code}`)).join(', ')}</span>
              </td>
              <td>
                <Badge tone={STATE_TONES[s.state]}>{stateLabel(t, locale, s, props.timeZone)}</Badge>
                <Fulfilment t={t} locale={locale} s={s} mayOpenCase={props.mayOpenCase} />
              </td>
              <td>
                {s.sites.length
                  ? s.sites
                      .map((x) =>
                        t('hub.subscriptions.site', { name: x.name, zone: x.timeZone, count: x.licenses }),
                      )
                      .join('; ')
                  : t('hub.none')}
              </td>
              <td>
                {s.locations.length
                  ? s.locations
                      .map(
                        (l) =>
                          `${l.name} (${l.city}, ${countryName(locale, l.country)})${l.isMain ? ` · ${t('hub.subscriptions.main')}` : ''}`,
                      )
                      .join('; ')
                  : t('hub.none')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function PendingSetups({
  t,
  locale,
  items,
  orgName,
  mayOpenCase,
}: {
  t: Translate;
  locale: Locale;
  items: HubSubscription[];
  orgName: (id: string) => string;
  mayOpenCase: boolean;
}) {
  return (
    <section aria-labelledby="pending-title" id="pending">
      <h2 id="pending-title">{t('hub.pending.title')}</h2>
      {items.length ? (
        <>
          <p>{t('hub.pending.intro', { count: items.length })}</p>
          <ul class="pending">
            {items.map((s) => (
              <li id={`pending-${s.id}`}>
                {oneFinalPeriod(
                  t('hub.pending.item', {
                    id: s.id,
                    offer: s.offer.name,
                    customer: orgName(s.customerOrgId),
                  }),
                )}{' '}
                {isFulfilmentStage(s.state) ? null : (
                  <a
                    href={`/hub/setups/${encodeURIComponent(s.id)}`}
                    aria-label={t('hub.pending.continue_label', { id: s.id })}
                  >
                    {t('hub.pending.continue')}
                  </a>
                )}
                <Fulfilment t={t} locale={locale} s={s} mayOpenCase={mayOpenCase} />
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p class="muted">{t('hub.pending.none')}</p>
      )}
    </section>
  );
}

function accessLabel(
  t: Translate,
  locale: Locale,
  access: string,
  requestedAt: Date | null,
  timeZone?: string,
): string {
  const label = t(`hub.access.${access}`);
  return requestedAt && access === 'provisioning_admin'
    ? `${label} · ${t('hub.access.requested_on', { date: formatDate({ locale, timeZone }, requestedAt) })}`
    : label;
}

export function HubPage(props: {
  t: Translate;
  locale: Locale;
  user: PageChrome['user'] & { timeZone?: string };
  view: HubView;
  done?: string;
}) {
  const { t, locale, view } = props;
  const timeZone = props.user?.timeZone;
  const names = new Map([
    [view.organization.id, view.organization.name],
    ...view.managedCustomers.map((m) => [m.organization.id, m.organization.name] as [string, string]),
  ]);
  const orgName = (id: string) => names.get(id) ?? '';
  const { partnerSide } = view;
  return (
    <Layout t={t} locale={locale} title={t('hub.title')} path="/hub" user={props.user}>
      <h1>{t('hub.title')}</h1>
      {view.administers && props.user ? <HubNav t={t} current="overview" /> : null}
      <p class="muted">{t('hub.intro', { name: view.organization.name })}</p>
      {props.done ? (
        <p class="notice" role="status">
          {t(`${CONSENT_DONE.has(props.done) ? 'consent' : 'hub'}.done.${props.done}`)}
        </p>
      ) : null}
      {view.joinRequests.length ? (
        <JoinRequests t={t} locale={locale} timeZone={timeZone} items={view.joinRequests} />
      ) : null}
      <PendingSetups
        t={t}
        locale={locale}
        items={view.pendingSetups}
        orgName={orgName}
        mayOpenCase={partnerSide}
      />
      {view.administers ? (
        <section aria-labelledby="org-title" id="organization">
          <h2 id="org-title">{t('hub.org.title')}</h2>
          <OrganizationFacts t={t} locale={locale} org={view.organization} />
          <p class="button-row">
            <a class="button" href="/hub/organization">
              {t('hub.org.edit')}
            </a>
            <a class="button secondary" href="/hub/users">
              {t('hub.users.manage')}
            </a>
          </p>
          {view.organization.users ? (
            <Users
              t={t}
              locale={locale}
              users={view.organization.users}
              timeZone={view.organization.timeZone}
              manage={true}
            />
          ) : null}
        </section>
      ) : null}
      {view.administers || partnerSide ? (
        <section aria-labelledby="subs-title" id="subscriptions">
          <h2 id="subs-title">{t('hub.subscriptions.title')}</h2>
          <Subscriptions
            t={t}
            locale={locale}
            timeZone={timeZone}
            items={view.subscriptions}
            label={t('hub.subscriptions.title')}
            mayOpenCase={partnerSide}
          />
        </section>
      ) : (
        <p>{t('hub.not_admin')}</p>
      )}
      {partnerSide && (view.administers || view.managedCustomers.length) ? (
        <section aria-labelledby="customers-title" id="customers">
          <h2 id="customers-title">{t('hub.customers.title')}</h2>
          {view.managedCustomers.length ? null : <p class="muted">{t('hub.customers.none')}</p>}
          {view.managedCustomers.map((m) => (
            <article
              id={`customer-${m.organization.id}`}
              aria-labelledby={`customer-title-${m.organization.id}`}
            >
              <h3 id={`customer-title-${m.organization.id}`}>{m.organization.name}</h3>
              <p>
                {t('hub.customers.access')}:{' '}
                <strong>{accessLabel(t, locale, m.access, m.fullAdminRequestedAt, timeZone)}</strong>
              </p>
              {m.access === 'provisioning_admin' && !m.fullAdminRequestedAt ? (
                <p>
                  <a
                    class="button"
                    href={`/hub/customers/${m.organization.id}/request-full-admin`}
                    aria-describedby={`customer-title-${m.organization.id}`}
                  >
                    {t('hub.customers.request_full_admin')}
                  </a>
                </p>
              ) : null}
              <OrganizationFacts t={t} locale={locale} org={m.organization} />
              {/* Only a full admin runs the customer's organization with its admins. */}
              {m.organization.users ? (
                <Users
                  t={t}
                  locale={locale}
                  users={m.organization.users}
                  timeZone={view.organization.timeZone}
                  manage={false}
                />
              ) : null}
              <Subscriptions
                t={t}
                locale={locale}
                timeZone={timeZone}
                items={m.subscriptions}
                label={t('hub.customers.subscriptions_of', { name: m.organization.name })}
                mayOpenCase={partnerSide}
              />
            </article>
          ))}
        </section>
      ) : null}
      {view.organization.kind === 'customer' && view.administers ? (
        <section aria-labelledby="partners-title" id="partners">
          <h2 id="partners-title">{t('hub.partners.title')}</h2>
          {view.managingPartners.length ? (
            <ul>
              {view.managingPartners.map((p) => (
                <li id={`partner-${p.orgId}`}>
                  <strong>{p.name}</strong>:{' '}
                  {accessLabel(t, locale, p.access, p.fullAdminRequestedAt, timeZone)}
                  {p.access === 'provisioning_admin' ? (
                    <>
                      {' '}
                      <a
                        class="button"
                        href={`/hub/partners/${p.orgId}/grant-full-admin`}
                        aria-label={t('hub.partners.grant_label', { name: p.name })}
                      >
                        {t('hub.partners.grant_full_admin')}
                      </a>
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : (
            <p class="muted">{t('hub.partners.none')}</p>
          )}
        </section>
      ) : null}
    </Layout>
  );
}
