import type { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../../config.ts';
import { clientAddress } from '../../platform/client-address.ts';
import { DomainError } from '../../platform/errors.ts';
import { LANG_COOKIE } from '../../platform/http.ts';
import { isLocale, translator } from '../../platform/i18n.ts';
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH } from '../../platform/limits.ts';
import { Callout, ErrorSummary, Field, fieldAttrs } from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { registerAccountPages } from './account-pages.tsx';
import { registerApiKeyPages } from './api-key-pages.tsx';
import { homeOf, mayOpenPage, SESSION_COOKIE, sessionCookieMaxAge, type UserEnv } from './middleware.ts';
import { safeNext } from './redirect.ts';
import { signIn, signOut } from './service.ts';
import { SIGN_IN_LIMITS } from './sign-in-limits.ts';

const LOGIN_LABELS = { email: 'login.email', password: 'login.password' };

function LoginPage(props: {
  locale: Parameters<typeof translator>[0];
  next: string;
  email?: string;
  /** Why the last attempt was refused. */
  refusal?: DomainError;
}) {
  const t = translator(props.locale);
  const errors = fieldMessages(t, props.refusal?.fields ?? [], LOGIN_LABELS);
  return (
    <Layout t={t} locale={props.locale} title={t('login.title')} path="/login">
      <div class="card">
        <h1>{t('login.title')}</h1>
        <p class="muted">{t('login.intro')}</p>
        {Object.keys(errors).length ? (
          <ErrorSummary t={t} errors={errors} />
        ) : props.refusal ? (
          // Not about one field (wrong address or password, too many attempts): said once, above the form.
          <div id="login-error">
            <Callout tone="danger">
              <p>{t(`errors.${props.refusal.code}.detail`, props.refusal.params)}</p>
            </Callout>
          </div>
        ) : null}
        <form method="post" action="/login" novalidate>
          <input type="hidden" name="next" value={props.next} />
          <Field name="email" label={t('login.email')} errors={errors}>
            <input
              type="email"
              autocomplete="username"
              required
              maxlength={EMAIL_MAX_LENGTH}
              value={props.email ?? ''}
              autofocus
              {...fieldAttrs(errors, 'email')}
            />
          </Field>
          <Field name="password" label={t('login.password')} errors={errors}>
            <input
              type="password"
              autocomplete="current-password"
              required
              maxlength={PASSWORD_MAX_LENGTH}
              {...fieldAttrs(errors, 'password')}
            />
          </Field>
          <div class="button-row">
            <button type="submit">{t('login.submit')}</button>
          </div>
        </form>
      </div>
    </Layout>
  );
}

export function registerIdentityPages(app: Hono<UserEnv>, config: Config): void {
  const cookieOptions = {
    httpOnly: true,
    secure: config.sessionCookieSecure,
    sameSite: 'Lax' as const,
    path: '/',
  };

  app.get('/login', (c) =>
    // No `next` asked for: the user goes to their own start page (homeOf), decided at sign-in.
    c.html(
      <LoginPage locale={c.get('locale')} next={c.req.query('next') ? safeNext(c.req.query('next')) : ''} />,
    ),
  );

  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const email = typeof form.email === 'string' ? form.email : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const next = form.next ? safeNext(form.next) : '';
    const client = clientAddress(c, config.trustProxy);
    try {
      const session = await signIn(c.get('ctx'), { email, password, client }, config.sessionTtlHours);
      setCookie(c, SESSION_COOKIE, session.token, {
        ...cookieOptions,
        maxAge: sessionCookieMaxAge(c.get('ctx').clock.now(), session.expiresAt),
      });
      if (!getCookie(c, LANG_COOKIE) && isLocale(session.locale)) {
        setCookie(c, LANG_COOKIE, session.locale, { ...cookieOptions, httpOnly: false, maxAge: 31_536_000 });
      }
      // A customer user starts in the admin hub unless the link asked for one of its pages.
      return c.redirect(next && mayOpenPage(session.orgKind, next) ? next : homeOf(session.orgKind), 303);
    } catch (error) {
      if (!(error instanceof DomainError) || ![401, 422, 429].includes(error.status)) throw error;
      c.status(error.status as 401 | 422 | 429);
      if (error.status === 429) c.header('Retry-After', String(SIGN_IN_LIMITS.windowMinutes * 60));
      // An over-long address is not echoed back into the form.
      const shown = email.length <= EMAIL_MAX_LENGTH ? email : '';
      return c.html(<LoginPage locale={c.get('locale')} next={next} email={shown} refusal={error} />);
    }
  });

  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await signOut(c.get('ctx'), token);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: config.sessionCookieSecure });
    return c.redirect('/login', 303);
  });

  app.post('/lang', async (c) => {
    const form = await c.req.parseBody();
    if (isLocale(form.lang)) {
      setCookie(c, LANG_COOKIE, form.lang, { ...cookieOptions, httpOnly: false, maxAge: 31_536_000 });
    }
    return c.redirect(safeNext(form.back), 303);
  });

  registerAccountPages(app, config);
  registerApiKeyPages(app);
}
