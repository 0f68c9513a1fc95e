import type { Context, Hono } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { Config } from '../../config.ts';
import { DomainError } from '../../platform/errors.ts';
import { LANG_COOKIE } from '../../platform/http.ts';
import { isLocale, type Locale, translator } from '../../platform/i18n.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../platform/limits.ts';
import { FieldMessage, fieldMessages, invalid } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, SESSION_COOKIE, sessionCookieMaxAge, type UserEnv } from '../identity/middleware.ts';
import { decideJoinRequest } from '../onboarding/consent-decisions.ts';
import { registerHubAdminPages } from './admin-pages.tsx';
import { openInvitation, redeemInvitation } from './invitations.ts';
import { registerHubLocationPages } from './location-pages.tsx';
import { getHub } from './service.ts';
import { HubPage } from './views.tsx';

const INVITATION_LABELS = {
  password: 'hub.invitation.password',
  confirmation: 'hub.invitation.confirmation',
};
const DONE = new Set([
  'organization_saved',
  'requested',
  'already_requested',
  'granted',
  'approved',
  'refused',
  'outdated',
  'decided',
  'expired',
]);

function InvitationPage(props: {
  locale: Locale;
  path: string;
  email: string;
  purpose: string;
  errors: Record<string, string>;
}) {
  const t = translator(props.locale);
  const { errors } = props;
  return (
    <Layout t={t} locale={props.locale} title={t('hub.invitation.title')} path={props.path}>
      <div class="card">
        <h1>{t('hub.invitation.title')}</h1>
        <p>{t(`hub.invitation.intro_${props.purpose}`, { email: props.email })}</p>
        {Object.keys(errors).length ? (
          <p class="error" role="alert">
            {t('hub.invitation.not_set')}
          </p>
        ) : null}
        <p class="muted">{t('hub.invitation.rules', { min: PASSWORD_MIN_LENGTH })}</p>
        <form method="post" action={props.path}>
          {/* The address the invitation was sent to, for password managers. */}
          <input type="hidden" name="username" autocomplete="username" value={props.email} />
          {(['password', 'confirmation'] as const).map((name) => (
            <>
              <label for={name}>{t(INVITATION_LABELS[name])}</label>
              <input
                id={name}
                name={name}
                type="password"
                autocomplete="new-password"
                required
                minlength={PASSWORD_MIN_LENGTH}
                maxlength={PASSWORD_MAX_LENGTH}
                {...invalid(errors, name)}
              />
              <FieldMessage errors={errors} field={name} />
            </>
          ))}
          <button type="submit">{t('hub.invitation.submit')}</button>
        </form>
      </div>
    </Layout>
  );
}

/**
 * The admin hub (`/hub`) and invitation links (`/hub/invitations/:token`). The hub needs a signed-in
 * user; an invitation is the way in for a user who has no password yet.
 */
export function registerHubPages(app: Hono<UserEnv>, config: Config): void {
  const cookieOptions = {
    httpOnly: true,
    secure: config.sessionCookieSecure,
    sameSite: 'Lax' as const,
    path: '/',
  };
  const signedIn = requireUser();
  app.use('/hub', signedIn);
  app.use('/hub/*', (c, next) => (c.req.path.startsWith('/hub/invitations/') ? next() : signedIn(c, next)));

  app.get('/hub', async (c) => {
    const locale = c.get('locale');
    const view = await getHub(c.get('ctx'));
    const done = c.req.query('done');
    return c.html(
      <HubPage
        t={translator(locale)}
        locale={locale}
        user={c.get('user')}
        view={view}
        {...(done && DONE.has(done) ? { done } : {})}
      />,
    );
  });

  registerHubAdminPages(app);
  registerHubLocationPages(app);

  // An admin approves or refuses a request to join or reach the organization (docs/adr/0022).
  app.post('/hub/requests/:id/:decision{approve|refuse}', async (c) => {
    const decision = c.req.param('decision') === 'approve' ? 'approve' : 'refuse';
    try {
      const outcome = await decideJoinRequest(c.get('ctx'), c.req.param('id'), decision);
      return c.redirect(`/hub?done=${outcome}#requests`, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'join_request_expired') return c.redirect('/hub?done=expired#requests', 303);
      if (error.code !== 'join_request_decided') throw error;
      return c.redirect('/hub?done=decided#requests', 303);
    }
  });

  const invitationPath = '/hub/invitations/:token';
  // The token is the key: nothing on these pages may leak it onwards.
  const noReferrer = (c: Context) => c.header('Referrer-Policy', 'no-referrer');

  // The invitee's own language, unless they chose one on this browser.
  const pageLocale = (c: Context<UserEnv>, invitee: string): Locale =>
    !isLocale(getCookie(c, LANG_COOKIE)) && isLocale(invitee) ? invitee : c.get('locale');

  app.get(invitationPath, async (c) => {
    noReferrer(c);
    const opened = await openInvitation(c.get('ctx'), c.req.param('token'));
    if (opened.kind === 'sign_in') return c.redirect(`/login?next=${encodeURIComponent(opened.next)}`, 303);
    return c.html(
      <InvitationPage
        locale={pageLocale(c, opened.locale)}
        path={c.req.path}
        email={opened.email}
        purpose={opened.purpose}
        errors={{}}
      />,
    );
  });

  app.post(invitationPath, async (c) => {
    noReferrer(c);
    const form = await c.req.parseBody();
    const field = (name: string) => (typeof form[name] === 'string' ? form[name] : '');
    const ctx = c.get('ctx');
    const token = c.req.param('token');
    try {
      const result = await redeemInvitation(
        ctx,
        token,
        { password: field('password'), confirmation: field('confirmation') },
        config.sessionTtlHours,
      );
      if (result.kind === 'sign_in') return c.redirect(`/login?next=${encodeURIComponent(result.next)}`, 303);
      // The same cookies as a sign-in (identity/pages.tsx).
      setCookie(c, SESSION_COOKIE, result.token, {
        ...cookieOptions,
        maxAge: sessionCookieMaxAge(c.get('ctx').clock.now(), result.expiresAt),
      });
      if (!getCookie(c, LANG_COOKIE) && isLocale(result.locale)) {
        setCookie(c, LANG_COOKIE, result.locale, { ...cookieOptions, httpOnly: false, maxAge: 31_536_000 });
      }
      return c.redirect(result.next, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.status !== 422) throw error;
      const opened = await openInvitation(ctx, token);
      if (opened.kind !== 'set_password') throw error;
      const locale = pageLocale(c, opened.locale);
      const errors = fieldMessages(translator(locale), error.fields, INVITATION_LABELS);
      c.status(422);
      return c.html(
        <InvitationPage
          locale={locale}
          path={c.req.path}
          email={opened.email}
          purpose={opened.purpose}
          errors={errors}
        />,
      );
    }
  });
}
