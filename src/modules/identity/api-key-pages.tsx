import type { Context, Hono } from 'hono';
import { DomainError } from '../../platform/errors.ts';
import { formatDateTime, type Reader, readerOf } from '../../platform/format.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { translator } from '../../platform/i18n.ts';
import { API_KEY_NAME_MAX_LENGTH } from '../../platform/limits.ts';
import {
  Badge,
  Callout,
  ConfirmPanel,
  EmptyState,
  ErrorSummary,
  Field,
  fieldAttrs,
  TableFrame,
} from '../../platform/ui/components.tsx';
import { ErrorPage } from '../../platform/ui/error-page.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { type ApiKeyView, createApiKey, getApiKey, listApiKeys, revokeApiKey } from './api-keys.ts';
import { requireUser, type UserEnv } from './middleware.ts';
import type { SessionUser } from './service.ts';

const BASE = '/settings/api-keys';

interface PageProps {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  path: string;
}

function KeyStatus({ t, reader, apiKey }: { t: Translate; reader: Reader; apiKey: ApiKeyView }) {
  return apiKey.revokedAt ? (
    <Badge tone="neutral">
      {t('api_keys.revoked_on', { date: formatDateTime(reader, apiKey.revokedAt) })}
    </Badge>
  ) : (
    <Badge tone="success">{t('api_keys.active')}</Badge>
  );
}

function ApiKeysPage(
  p: PageProps & { keys: ApiKeyView[]; name?: string; errors: Record<string, string>; notice?: string },
) {
  const { t, locale } = p;
  return (
    <Layout t={t} locale={locale} title={t('api_keys.title')} path={p.path} user={p.user}>
      <h1>{t('api_keys.title')}</h1>
      <p class="muted">{t('api_keys.intro', { org: p.user.orgName })}</p>
      {p.notice ? (
        <Callout tone="success">
          <p>{p.notice}</p>
        </Callout>
      ) : null}
      {p.keys.length === 0 ? (
        <EmptyState
          title={t('api_keys.none')}
          action={
            <a class="button" href="#name">
              {t('api_keys.create_heading')}
            </a>
          }
        />
      ) : (
        <TableFrame label={t('api_keys.title')}>
          <table>
            <caption class="muted">{t('api_keys.shown', { count: p.keys.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('api_keys.name')}</th>
                <th scope="col">{t('api_keys.prefix')}</th>
                <th scope="col">{t('api_keys.created_by')}</th>
                <th scope="col">{t('api_keys.created_at')}</th>
                <th scope="col">{t('api_keys.last_used')}</th>
                <th scope="col">{t('api_keys.status')}</th>
                <th scope="col">
                  <span class="muted">{t('api_keys.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {p.keys.map((k) => (
                <tr id={`key-${k.id}`}>
                  <td>{k.name}</td>
                  <td>
                    <code>{k.prefix}…</code>
                  </td>
                  <td>{k.createdBy ? (k.createdBy.email ?? '') : t('api_keys.created_by_system')}</td>
                  <td class="nowrap">{formatDateTime(readerOf(locale, p.user), k.createdAt)}</td>
                  <td class="nowrap">
                    {k.lastUsedAt
                      ? formatDateTime(readerOf(locale, p.user), k.lastUsedAt)
                      : t('api_keys.never')}
                  </td>
                  <td>
                    <KeyStatus t={t} reader={readerOf(locale, p.user)} apiKey={k} />
                  </td>
                  <td>
                    {k.revokedAt ? null : (
                      <a href={`${BASE}/${k.id}/revoke`}>{t('api_keys.revoke_named', { name: k.name })}</a>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <h2>{t('api_keys.create_heading')}</h2>
      <ErrorSummary t={t} errors={p.errors} />
      <form method="post" action={BASE} class="card" novalidate>
        <Field name="name" label={t('api_keys.name')} hint={t('api_keys.name_hint')} errors={p.errors}>
          <input
            type="text"
            required
            maxlength={API_KEY_NAME_MAX_LENGTH}
            value={p.name ?? ''}
            {...fieldAttrs(p.errors, 'name', true)}
          />
        </Field>
        <div class="button-row">
          <button type="submit">{t('api_keys.create')}</button>
        </div>
      </form>
    </Layout>
  );
}

function CreatedKeyPage(p: PageProps & { name: string; secret: string }) {
  const { t, locale } = p;
  return (
    <Layout t={t} locale={locale} title={t('api_keys.created_title')} path={p.path} user={p.user}>
      <h1>{t('api_keys.created_title')}</h1>
      <Callout tone="success">
        <p>{t('api_keys.created_notice', { name: p.name })}</p>
      </Callout>
      <div class="field">
        <label for="new-key">{t('api_keys.secret_label')}</label>
        <p class="hint" id="copy-hint">
          <strong>{t('api_keys.copy_hint')}</strong>
        </p>
        <input
          class="secret"
          id="new-key"
          type="text"
          readonly
          value={p.secret}
          aria-describedby="copy-hint"
        />
      </div>
      <p class="muted">{t('api_keys.usage_hint')}</p>
      <p>
        <a href={BASE}>← {t('api_keys.back')}</a>
      </p>
    </Layout>
  );
}

function RevokePage(p: PageProps & { apiKey: ApiKeyView }) {
  const { t, locale, apiKey } = p;
  return (
    <Layout
      t={t}
      locale={locale}
      title={t('api_keys.revoke_title', { name: apiKey.name })}
      path={p.path}
      user={p.user}
    >
      <p>
        <a href={BASE}>← {t('api_keys.back')}</a>
      </p>
      <ConfirmPanel
        title={t('api_keys.revoke_title', { name: apiKey.name })}
        consequence={<RevokeFacts t={t} reader={readerOf(locale, p.user)} apiKey={apiKey} />}
        action={`${BASE}/${apiKey.id}/revoke`}
        hidden={{ confirm: 'yes' }}
        confirmLabel={t('api_keys.revoke_confirm')}
        cancelHref={BASE}
        cancelLabel={t('api_keys.cancel')}
        danger
      />
    </Layout>
  );
}

function RevokeFacts({ t, reader, apiKey }: { t: Translate; reader: Reader; apiKey: ApiKeyView }) {
  return (
    <>
      <dl class="facts">
        <dt>{t('api_keys.prefix')}</dt>
        <dd>
          <code>{apiKey.prefix}…</code>
        </dd>
        <dt>{t('api_keys.created_at')}</dt>
        <dd>{formatDateTime(reader, apiKey.createdAt)}</dd>
        <dt>{t('api_keys.last_used')}</dt>
        <dd>{apiKey.lastUsedAt ? formatDateTime(reader, apiKey.lastUsedAt) : t('api_keys.never')}</dd>
      </dl>
      <p>{t('api_keys.revoke_warning')}</p>
    </>
  );
}

type PageContext = Context<UserEnv>;

function pageProps(c: PageContext): PageProps {
  const locale = c.get('locale');
  return { t: translator(locale), locale, user: c.get('user'), path: c.req.path };
}

/** Another organization's key, a key of no one, and the page itself for non-admins all look the same. */
function notFoundPage(c: PageContext, error: DomainError) {
  c.status(404);
  return c.html(<ErrorPage locale={c.get('locale')} path={c.req.path} error={error} user={c.get('user')} />);
}

async function orNotFound(c: PageContext, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DomainError && error.code === 'not_found') return notFoundPage(c, error);
    throw error;
  }
}

/** Partner admins manage their organization's API keys: list, issue (the secret shown once), revoke. */
export function registerApiKeyPages(app: Hono<UserEnv>): void {
  app.use(BASE, requireUser());
  app.use(`${BASE}/*`, requireUser());

  app.get(BASE, (c) =>
    orNotFound(c, async () => {
      const props = pageProps(c);
      const keys = await listApiKeys(c.get('ctx'), props.user.orgId);
      const notice = c.req.query('notice') === 'revoked' ? props.t('api_keys.revoked_notice') : undefined;
      return c.html(<ApiKeysPage {...props} keys={keys} errors={{}} notice={notice} />);
    }),
  );

  app.post(BASE, (c) =>
    orNotFound(c, async () => {
      const props = pageProps(c);
      const ctx = c.get('ctx');
      const form = await c.req.parseBody();
      const name = typeof form.name === 'string' ? form.name : '';
      try {
        const created = await createApiKey(ctx, props.user.orgId, name);
        // The secret is on this page only: no copy of it may be kept by a cache or the history.
        c.header('Cache-Control', 'no-store');
        return c.html(<CreatedKeyPage {...props} name={created.name} secret={created.key} />);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
        const errors = fieldMessages(props.t, error.fields, { name: 'api_keys.name' });
        const keys = await listApiKeys(ctx, props.user.orgId);
        c.status(422);
        return c.html(
          <ApiKeysPage
            {...props}
            keys={keys}
            name={name.slice(0, API_KEY_NAME_MAX_LENGTH)}
            errors={errors}
          />,
        );
      }
    }),
  );

  app.get(`${BASE}/:keyId/revoke`, (c) =>
    orNotFound(c, async () => {
      const apiKey = await getApiKey(c.get('ctx'), c.req.param('keyId'));
      if (apiKey.revokedAt) return c.redirect(BASE, 303);
      return c.html(<RevokePage {...pageProps(c)} apiKey={apiKey} />);
    }),
  );

  app.post(`${BASE}/:keyId/revoke`, (c) =>
    orNotFound(c, async () => {
      const id = c.req.param('keyId');
      const form = await c.req.parseBody();
      // Revoking takes the confirmation page's button: anything else is sent to that page first.
      if (form.confirm !== 'yes') {
        await getApiKey(c.get('ctx'), id);
        return c.redirect(`${BASE}/${id}/revoke`, 303);
      }
      await revokeApiKey(c.get('ctx'), id);
      return c.redirect(`${BASE}?notice=revoked`, 303);
    }),
  );
}
