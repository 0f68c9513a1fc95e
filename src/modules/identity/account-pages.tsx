import type { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import type { Config } from '../../config.ts';
import { clientAddress } from '../../platform/client-address.ts';
import { DomainError } from '../../platform/errors.ts';
import type { Locale } from '../../platform/i18n.ts';
import { translator } from '../../platform/i18n.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/limits.ts';
import { FieldMessage, fieldMessages, invalid } from '../../platform/ui/form.tsx';
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
          <p class="notice" role="status">
            {t('password.changed')}
          </p>
        ) : null}
        {props.refusal ? (
          <p class="error" role="alert">
            {props.refusal}
          </p>
        ) : null}
        {Object.keys(errors).length ? (
          <p class="error" role="alert">
            {t('password.not_changed')}
          </p>
        ) : null}
        <p class="muted">{t('password.intro', { min: PASSWORD_MIN_LENGTH })}</p>
        <form method="post" action={PATH}>
          <label for="currentPassword">{t('password.current')}</label>
          <input
            id="currentPassword"
            name="currentPassword"
            type="password"
            autocomplete="current-password"
            required
            maxlength={PASSWORD_MAX_LENGTH}
            {...invalid(errors, 'currentPassword')}
          />
          <FieldMessage errors={errors} field="currentPassword" />
          <label for="newPassword">{t('password.new')}</label>
          <input
            id="newPassword"
            name="newPassword"
            type="password"
            autocomplete="new-password"
            required
            minlength={PASSWORD_MIN_LENGTH}
            maxlength={PASSWORD_MAX_LENGTH}
            {...invalid(errors, 'newPassword')}
          />
          <FieldMessage errors={errors} field="newPassword" />
          <label for="confirmation">{t('password.confirm')}</label>
          <input
            id="confirmation"
            name="confirmation"
            type="password"
            autocomplete="new-password"
            required
            minlength={PASSWORD_MIN_LENGTH}
            maxlength={PASSWORD_MAX_LENGTH}
            {...invalid(errors, 'confirmation')}
          />
          <FieldMessage errors={errors} field="confirmation" />
          <button type="submit">{t('password.submit')}</button>
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
