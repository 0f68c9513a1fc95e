import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../../config.ts';
import { clientAddress } from '../../platform/client-address.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { translator } from '../../platform/i18n.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/limits.ts';
import { Callout, ErrorSummary, Field, fieldAttrs } from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, SESSION_COOKIE, type UserEnv } from './middleware.ts';
import { changePassword, type SessionUser } from './service.ts';
import { SIGN_IN_LIMITS } from './sign-in-limits.ts';

const PATH = '/account/password';
const LABELS = {
  currentPassword: 'password.current',
  newPassword: 'password.new',
  confirmation: 'password.confirm',
};

/** One password input with its label and message; a new password states the length it needs. */
function PasswordField(props: {
  t: Translate;
  errors: Record<string, string>;
  name: string;
  label: string;
  current?: boolean;
  /** Message key of the field's hint ({{min}}: the shortest password). */
  hint?: string;
}) {
  const { t, errors, name } = props;
  const hint = props.hint ? t(props.hint, { min: PASSWORD_MIN_LENGTH }) : undefined;
  return (
    <Field name={name} label={t(props.label)} hint={hint} errors={errors}>
      <input
        type="password"
        autocomplete={props.current ? 'current-password' : 'new-password'}
        required
        {...(props.current ? {} : { minlength: PASSWORD_MIN_LENGTH })}
        maxlength={PASSWORD_MAX_LENGTH}
        {...fieldAttrs(errors, name, !!hint)}
      />
    </Field>
  );
}

function PasswordPage(props: {
  locale: Locale;
  user: SessionUser;
  errors: Record<string, string>;
  /** A refusal that is not about one field (too many attempts). */
  refusal?: string;
  changed?: boolean;
}) {
  const t = translator(props.locale);
  const { errors } = props;
  return (
    <Layout t={t} locale={props.locale} title={t('password.title')} path={PATH} user={props.user}>
      <div class="card">
        <h1>{t('password.title')}</h1>
        {props.changed ? (
          <Callout tone="success">
            <p>{t('password.changed')}</p>
          </Callout>
        ) : null}
        {props.refusal ? (
          <Callout tone="danger">
            <p>{props.refusal}</p>
          </Callout>
        ) : null}
        {Object.keys(errors).length ? (
          <>
            <p>{t('password.not_changed')}</p>
            <ErrorSummary t={t} errors={errors} />
          </>
        ) : null}
        <p class="muted">{t('password.intro', { min: PASSWORD_MIN_LENGTH })}</p>
        <form method="post" action={PATH} novalidate>
          <PasswordField t={t} errors={errors} name="currentPassword" label="password.current" current />
          <PasswordField
            t={t}
            errors={errors}
            name="newPassword"
            label="password.new"
            hint="password.new_hint"
          />
          <PasswordField t={t} errors={errors} name="confirmation" label="password.confirm" />
          <div class="button-row">
            <button type="submit">{t('password.submit')}</button>
          </div>
        </form>
      </div>
    </Layout>
  );
}

/** A signed-in user's own account: changing the password ends the user's other sessions. */
export function registerAccountPages(app: Hono<UserEnv>, config: Config): void {
  app.use(PATH, requireUser());

  app.get(PATH, (c) =>
    c.html(
      <PasswordPage
        locale={c.get('locale')}
        user={c.get('user')}
        errors={{}}
        changed={c.req.query('changed') === '1'}
      />,
    ),
  );

  app.post(PATH, async (c) => {
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : '');
    const locale = c.get('locale');
    try {
      await changePassword(c.get('ctx'), {
        currentPassword: field('currentPassword'),
        newPassword: field('newPassword'),
        confirmation: field('confirmation'),
        client: clientAddress(c, config.trustProxy),
        // requireUser let the request in, so the session cookie is there.
        sessionToken: getCookie(c, SESSION_COOKIE) ?? '',
      });
      return c.redirect(`${PATH}?changed=1`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || (error.status !== 422 && error.status !== 429)) throw error;
      const t = translator(locale);
      c.status(error.status);
      if (error.status === 429) {
        c.header('Retry-After', String(SIGN_IN_LIMITS.windowMinutes * 60));
        const refusal = t(`errors.${error.code}.detail`, error.params);
        return c.html(<PasswordPage locale={locale} user={c.get('user')} errors={{}} refusal={refusal} />);
      }
      const errors = fieldMessages(t, error.fields, LABELS);
      return c.html(<PasswordPage locale={locale} user={c.get('user')} errors={errors} />);
    }
  });
}
