import type { Child } from 'hono/jsx';
import { formatDateTime, type Reader, readerOf } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { WEBHOOK_DESCRIPTION_MAX_LENGTH, WEBHOOK_URL_MAX_LENGTH } from '../../platform/limits.ts';
import {
  Badge,
  Callout,
  EmptyState,
  ErrorSummary,
  Field,
  FieldGroup,
  fieldAttrs,
} from '../../platform/ui/components.tsx';
import { EVENT_TYPES } from '../events/catalogue.ts';
import type { SessionUser } from '../identity/service.ts';
import type { EndpointView } from './schema.ts';

/**
 * Webhook pages, the same for a partner's admins (workspace, Settings → Webhooks) and the vendor's
 * operators (back office): only the frame around them and their base path differ.
 */

export interface WebhookChrome {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  path: string;
  /** `/settings/webhooks` or `/backoffice/webhooks`. */
  base: string;
  vendor: boolean;
}

/** The page around the content: the workspace's layout or the back office's; it prints the title. */
export type Frame = (p: WebhookChrome & { title: string; children?: Child }) => Child;

export interface EndpointFormValues {
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
}

export function Notice({ text }: { text: string | undefined }) {
  return text ? (
    <Callout tone="success">
      <p>{text}</p>
    </Callout>
  ) : null;
}

export function EndpointStatus({ t, reader, e }: { t: Translate; reader: Reader; e: EndpointView }) {
  if (!e.enabled)
    return <Badge tone="neutral">{t(`webhooks.disabled_${e.disabledReason ?? 'manual'}`)}</Badge>;
  if (e.failingSince)
    return (
      <Badge tone="warning">
        {t('webhooks.failing_since', { date: formatDateTime(reader, e.failingSince) })}
      </Badge>
    );
  return <Badge tone="success">{t('webhooks.enabled')}</Badge>;
}

export function EventList({ t, types }: { t: Translate; types: string[] }) {
  if (types.length === 0) return <span>{t('webhooks.all_events')}</span>;
  return (
    <ul class="plain">
      {types.map((type) => (
        <li>
          <code>{type}</code>
        </li>
      ))}
    </ul>
  );
}

/** The event types as checkboxes: none ticked is every type, including those added later. */
export function EventTypeChoice(p: { t: Translate; chosen: string[]; errors: Record<string, string> }) {
  const { t } = p;
  return (
    <FieldGroup
      name="eventTypes"
      legend={t('webhooks.events')}
      hint={t('webhooks.events_hint')}
      errors={p.errors}
    >
      {/* One choice a line: event names are long and must not run into each other on a phone. */}
      {EVENT_TYPES.map((type) => (
        <div class="choice">
          <label>
            <input type="checkbox" name="eventTypes" value={type} checked={p.chosen.includes(type)} />{' '}
            <code>{type}</code>
          </label>
        </div>
      ))}
    </FieldGroup>
  );
}

function EndpointFields(p: {
  t: Translate;
  values: EndpointFormValues;
  errors: Record<string, string>;
  withEnabled: boolean;
}) {
  const { t, values, errors } = p;
  return (
    <>
      <Field name="url" label={t('webhooks.url')} hint={t('webhooks.url_hint')} errors={errors}>
        <input
          type="url"
          required
          maxlength={WEBHOOK_URL_MAX_LENGTH}
          value={values.url}
          {...fieldAttrs(errors, 'url', true)}
        />
      </Field>
      <Field
        name="description"
        label={t('webhooks.description')}
        hint={t('webhooks.description_hint')}
        optional={t('webhooks.optional')}
        errors={errors}
      >
        <input
          type="text"
          maxlength={WEBHOOK_DESCRIPTION_MAX_LENGTH}
          value={values.description}
          {...fieldAttrs(errors, 'description', true)}
        />
      </Field>
      <EventTypeChoice t={t} chosen={values.eventTypes} errors={errors} />
      {p.withEnabled ? (
        <div class="field">
          <label class="check">
            <input type="checkbox" name="enabled" value="true" checked={values.enabled} />{' '}
            {t('webhooks.enabled_label')}
          </label>
        </div>
      ) : null}
    </>
  );
}

export function EndpointsPage(
  p: WebhookChrome & {
    frame: Frame;
    endpoints: EndpointView[];
    values: EndpointFormValues;
    errors: Record<string, string>;
    notice?: string | undefined;
  },
) {
  const { t, locale } = p;
  return p.frame({
    ...p,
    title: t('webhooks.title'),
    children: (
      <>
        <p class="muted">{t('webhooks.intro')}</p>
        {p.vendor ? <p class="muted">{t('webhooks.intro_vendor')}</p> : null}
        <Notice text={p.notice} />
        {p.endpoints.length === 0 ? (
          <EmptyState
            title={t('webhooks.none')}
            action={
              <a class="button" href="#url">
                {t('webhooks.add_heading')}
              </a>
            }
          />
        ) : (
          <ul class="endpoints" aria-label={t('webhooks.shown', { count: p.endpoints.length })}>
            {p.endpoints.map((e) => (
              <li id={`endpoint-${e.id}`}>
                <a href={`${p.base}/${e.id}`} class="url">
                  {e.url}
                </a>
                {e.description ? <div>{e.description}</div> : null}
                <div class="meta">
                  <EndpointStatus t={t} reader={readerOf(locale, p.user)} e={e} />{' '}
                  <span class="muted">
                    {e.eventTypes.length === 0 ? t('webhooks.all_events') : e.eventTypes.join(', ')}
                  </span>
                </div>
              </li>
            ))}
          </ul>
        )}
        <h2>{t('webhooks.add_heading')}</h2>
        <ErrorSummary t={t} errors={p.errors} />
        <form method="post" action={p.base} class="card endpoint-form" novalidate>
          <EndpointFields t={t} values={p.values} errors={p.errors} withEnabled={false} />
          <div class="button-row">
            <button type="submit">{t('webhooks.add')}</button>
          </div>
        </form>
      </>
    ),
  });
}

/** A secret on the one page that shows it: after creating an endpoint and after a rotation. */
export function SecretPage(
  p: WebhookChrome & { frame: Frame; title: string; notice: string; secret: string; endpointId: string },
) {
  const { t } = p;
  return p.frame({
    ...p,
    children: (
      <>
        <Notice text={p.notice} />
        <div class="field">
          <label for="secret">{t('webhooks.secret_label')}</label>
          <p class="hint" id="copy-hint">
            <strong>{t('webhooks.copy_hint')}</strong>
          </p>
          <input
            class="secret"
            id="secret"
            type="text"
            readonly
            value={p.secret}
            aria-describedby="copy-hint"
          />
        </div>
        <p class="muted">{t('webhooks.verify_hint')}</p>
        <p>
          <a href={`${p.base}/${p.endpointId}`}>{t('webhooks.open')}</a> ·{' '}
          <a href={p.base}>{t('webhooks.back')}</a>
        </p>
      </>
    ),
  });
}

export function EditPage(
  p: WebhookChrome & {
    frame: Frame;
    endpoint: EndpointView;
    values: EndpointFormValues;
    errors: Record<string, string>;
  },
) {
  const { t } = p;
  return p.frame({
    ...p,
    title: t('webhooks.edit_title'),
    children: (
      <>
        <ErrorSummary t={t} errors={p.errors} />
        <form method="post" action={`${p.base}/${p.endpoint.id}/edit`} class="card endpoint-form" novalidate>
          <EndpointFields t={t} values={p.values} errors={p.errors} withEnabled={true} />
          <div class="button-row">
            <button type="submit">{t('webhooks.save')}</button>
            <a class="button secondary" href={`${p.base}/${p.endpoint.id}`}>
              {t('webhooks.cancel')}
            </a>
          </div>
        </form>
      </>
    ),
  });
}

/**
 * Delete and rotate ask first: the action is the confirmation page's button. The frame prints the
 * title, so this is ConfirmPanel's body (the same classes) without a second heading.
 */
export function ConfirmPage(
  p: WebhookChrome & {
    frame: Frame;
    endpoint: EndpointView;
    title: string;
    explained: string;
    action: string;
    confirm: string;
    danger: boolean;
  },
) {
  const { t } = p;
  return p.frame({
    ...p,
    children: (
      <section class="confirm card">
        <div class="confirm-consequence">
          <dl class="facts">
            <dt>{t('webhooks.url')}</dt>
            <dd>{p.endpoint.url}</dd>
            {p.endpoint.description ? (
              <>
                <dt>{t('webhooks.description')}</dt>
                <dd>{p.endpoint.description}</dd>
              </>
            ) : null}
          </dl>
          <p>{p.explained}</p>
        </div>
        <form method="post" action={p.action} class="button-row">
          <input type="hidden" name="confirm" value="yes" />
          <button type="submit" class={p.danger ? 'danger' : undefined}>
            {p.confirm}
          </button>
          <a class="button secondary" href={`${p.base}/${p.endpoint.id}`}>
            {t('webhooks.cancel')}
          </a>
        </form>
      </section>
    ),
  });
}
