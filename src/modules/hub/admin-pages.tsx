import type { Context, Hono } from 'hono';
import { DomainError } from '../../platform/errors.ts';
import { translator } from '../../platform/i18n.ts';
import { currentTimeZoneName, suggestedTimeZone } from '../../platform/time-zones.ts';
import { ConfirmPanel } from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import type { UserEnv } from '../identity/middleware.ts';
import {
  changeUserRole,
  organizationProfile,
  organizationUser,
  removeUser,
} from '../identity/organization-admin.ts';
import { BUSINESS_VERTICALS } from '../onboarding/mapping-input.ts';
import { editOrganization, inviteUser, organizationUsers, requireOrgAdmin } from './admin.ts';
import {
  type Chrome,
  INVITE_FIELD_LABELS,
  InvitePage,
  ORG_LABELS,
  OrganizationEditPage,
  RolePage,
  UsersPage,
} from './admin-views.tsx';
import { fullAdminRequestTarget, grantFullAdmin, grantTarget, requestFullAdmin } from './service.ts';

/**
 * The admin hub's management pages (docs/adr/0035). A destructive or binding action is two steps:
 * its form (or link) leads to a confirmation page, and only a POST carrying `confirm=yes` from that
 * page acts; any other POST changes nothing and shows (or leads to) the confirmation.
 */

type C = Context<UserEnv>;
const USERS_DONE = new Set(['invited', 'role_changed', 'removed']);

export function chrome(c: C): Chrome {
  const locale = c.get('locale');
  return { t: translator(locale), locale, user: c.get('user') };
}

export async function formOf(c: C): Promise<Record<string, string>> {
  const body = await c.req.parseBody();
  return Object.fromEntries(
    Object.entries(body).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])),
  );
}

export const confirmed = (form: Record<string, string>) => form.confirm === 'yes';

/** A refused form's field messages, or the error itself when it is not a refused form. */
export function refusal(c: C, error: unknown, labels: Record<string, string>): Record<string, string> {
  // A refused form (422), or a conflict named on a field (an address already taken, 409).
  if (!(error instanceof DomainError) || !error.fields.length) throw error;
  return fieldMessages(chrome(c).t, error.fields, labels);
}

export function confirmPage(
  c: C,
  p: {
    title: string;
    consequence: string;
    action: string;
    hidden?: Record<string, string>;
    confirm: string;
    cancel: string;
    danger?: boolean;
  },
) {
  const { t, locale, user } = chrome(c);
  return c.html(
    <Layout t={t} locale={locale} title={p.title} path={c.req.path} user={user}>
      <ConfirmPanel
        title={p.title}
        consequence={<p>{p.consequence}</p>}
        action={p.action}
        hidden={{ ...(p.hidden ?? {}), confirm: 'yes' }}
        confirmLabel={p.confirm}
        cancelHref={p.cancel}
        cancelLabel={t('hub.cancel')}
        {...(p.danger ? { danger: true } : {})}
      />
    </Layout>,
  );
}

export function registerHubAdminPages(app: Hono<UserEnv>): void {
  app.get('/hub/users', async (c) => {
    const ctx = c.get('ctx');
    const admin = requireOrgAdmin(ctx);
    const [{ users }, profile] = await Promise.all([
      organizationUsers(ctx),
      organizationProfile(ctx, admin.orgId),
    ]);
    const done = c.req.query('done');
    return c.html(
      <UsersPage
        {...chrome(c)}
        users={users}
        me={admin.userId}
        reader={{ locale: c.get('locale'), timeZone: profile.timeZone }}
        {...(done && USERS_DONE.has(done) ? { done } : {})}
      />,
    );
  });

  app.get('/hub/users/invite', async (c) => {
    const { roles } = await organizationUsers(c.get('ctx'));
    return c.html(<InvitePage {...chrome(c)} roles={roles} values={{}} errors={{}} />);
  });

  app.post('/hub/users/invite', async (c) => {
    const ctx = c.get('ctx');
    const form = await formOf(c);
    try {
      await inviteUser(ctx, { email: form.email ?? '', role: form.role ?? '', locale: form.locale ?? '' });
      return c.redirect('/hub/users?done=invited', 303);
    } catch (error) {
      const errors = refusal(c, error, INVITE_FIELD_LABELS);
      const { roles } = await organizationUsers(ctx);
      c.status(422);
      return c.html(<InvitePage {...chrome(c)} roles={roles} values={form} errors={errors} />);
    }
  });

  const rolePage = async (c: C, errors: Record<string, string>) => {
    const ctx = c.get('ctx');
    const { orgId } = requireOrgAdmin(ctx);
    const target = await organizationUser(ctx, orgId, c.req.param('id') ?? '');
    const { roles } = await organizationUsers(ctx);
    return c.html(<RolePage {...chrome(c)} target={target} roles={roles} errors={errors} />);
  };
  app.get('/hub/users/:id/role', (c) => rolePage(c, {}));

  app.post('/hub/users/:id/role', async (c) => {
    const ctx = c.get('ctx');
    const { orgId, userId } = requireOrgAdmin(ctx);
    const id = c.req.param('id');
    const target = await organizationUser(ctx, orgId, id);
    const form = await formOf(c);
    const role = form.role ?? '';
    const { roles } = await organizationUsers(ctx);
    if (!roles.some((r) => r === role)) {
      c.status(422);
      return rolePage(
        c,
        refusal(
          c,
          new DomainError('validation_failed', 422, {}, [{ field: 'role', rule: 'choose_from_list' }]),
          { role: 'hub.invite.role' },
        ),
      );
    }
    if (!confirmed(form)) {
      const { t } = chrome(c);
      const self = id === userId;
      return confirmPage(c, {
        title: t('hub.role_change.confirm_title'),
        consequence: t(self ? 'hub.role_change.consequence_self' : 'hub.role_change.consequence', {
          email: target.email,
          from: t(`hub.role.${target.role}`),
          to: t(`hub.role.${role}`),
        }),
        action: `/hub/users/${id}/role`,
        hidden: { role },
        confirm: t('hub.role_change.confirm'),
        cancel: '/hub/users',
        danger: self,
      });
    }
    await changeUserRole(ctx, orgId, id, role);
    // A demoted self is no longer this organization's admin: the overview is what is left.
    return c.redirect(id === userId && role !== target.role ? '/hub' : '/hub/users?done=role_changed', 303);
  });

  const removeConfirmation = async (c: C) => {
    const ctx = c.get('ctx');
    const { orgId, userId } = requireOrgAdmin(ctx);
    const id = c.req.param('id') ?? '';
    const target = await organizationUser(ctx, orgId, id);
    const { t } = chrome(c);
    return confirmPage(c, {
      title: t('hub.remove_user.title', { email: target.email }),
      consequence: t(id === userId ? 'hub.remove_user.consequence_self' : 'hub.remove_user.consequence', {
        email: target.email,
      }),
      action: `/hub/users/${id}/remove`,
      confirm: t('hub.remove_user.confirm'),
      cancel: '/hub/users',
      danger: true,
    });
  };
  app.get('/hub/users/:id/remove', removeConfirmation);

  app.post('/hub/users/:id/remove', async (c) => {
    const ctx = c.get('ctx');
    const { orgId, userId } = requireOrgAdmin(ctx);
    const id = c.req.param('id');
    if (!confirmed(await formOf(c))) return removeConfirmation(c);
    await removeUser(ctx, orgId, id);
    // Removing oneself ends one's own sessions with the user.
    return c.redirect(id === userId ? '/login' : '/hub/users?done=removed', 303);
  });

  const orgPage = async (c: C, values: Record<string, string>, errors: Record<string, string>) => {
    const ctx = c.get('ctx');
    const stored = (await organizationProfile(ctx, requireOrgAdmin(ctx).orgId)).businessVertical;
    const legacy = stored && !(BUSINESS_VERTICALS as readonly string[]).includes(stored) ? stored : null;
    return c.html(
      <OrganizationEditPage
        {...chrome(c)}
        values={values}
        errors={errors}
        now={ctx.clock.now()}
        legacyVertical={legacy}
      />,
    );
  };

  app.get('/hub/organization', async (c) => {
    const ctx = c.get('ctx');
    const { orgId } = requireOrgAdmin(ctx);
    const p = await organizationProfile(ctx, orgId);
    // An organization never given a zone has UTC: its country's usual zone is the likelier answer.
    const zone =
      p.timeZone === 'UTC'
        ? (suggestedTimeZone(p.country, ctx.clock.now()) ?? 'UTC')
        : currentTimeZoneName(p.timeZone);
    return orgPage(
      c,
      { name: p.name, businessVertical: p.businessVertical ?? '', country: p.country ?? '', timeZone: zone },
      {},
    );
  });

  app.post('/hub/organization', async (c) => {
    const form = await formOf(c);
    try {
      await editOrganization(c.get('ctx'), {
        name: form.name ?? '',
        businessVertical: form.businessVertical ?? '',
        country: form.country ?? '',
        timeZone: form.timeZone ?? '',
      });
      return c.redirect('/hub?done=organization_saved#organization', 303);
    } catch (error) {
      const errors = refusal(c, error, ORG_LABELS);
      c.status(422);
      return orgPage(c, form, errors);
    }
  });

  // Full admin, asked by a partner and granted by the customer: each confirmed, the other side emailed.
  const requestConfirmation = async (c: C) => {
    const orgId = c.req.param('orgId') ?? '';
    const target = await fullAdminRequestTarget(c.get('ctx'), orgId);
    if (target.state === 'full_admin') throw new DomainError('hub_already_full_admin', 409);
    if (target.state !== 'ask') return c.redirect('/hub?done=already_requested#customers', 303);
    const { t } = chrome(c);
    return confirmPage(c, {
      title: t('hub.request_confirm.title', { name: target.customer }),
      consequence: t('hub.request_confirm.consequence', { name: target.customer }),
      action: `/hub/customers/${orgId}/request-full-admin`,
      confirm: t('hub.request_confirm.confirm'),
      cancel: '/hub#customers',
    });
  };
  app.get('/hub/customers/:orgId/request-full-admin', requestConfirmation);
  app.post('/hub/customers/:orgId/request-full-admin', async (c) => {
    if (!confirmed(await formOf(c))) return requestConfirmation(c);
    const outcome = await requestFullAdmin(c.get('ctx'), c.req.param('orgId'));
    return c.redirect(`/hub?done=${outcome}#customers`, 303);
  });

  const grantConfirmation = async (c: C) => {
    const orgId = c.req.param('orgId') ?? '';
    const target = await grantTarget(c.get('ctx'), orgId);
    const { t } = chrome(c);
    if (target.fullAdmin) throw new DomainError('hub_already_full_admin', 409);
    return confirmPage(c, {
      title: t('hub.grant_confirm.title', { name: target.partner }),
      consequence: t('hub.grant_confirm.consequence', { name: target.partner }),
      action: `/hub/partners/${orgId}/grant-full-admin`,
      confirm: t('hub.grant_confirm.confirm'),
      cancel: '/hub#partners',
      danger: true,
    });
  };
  app.get('/hub/partners/:orgId/grant-full-admin', grantConfirmation);
  app.post('/hub/partners/:orgId/grant-full-admin', async (c) => {
    if (!confirmed(await formOf(c))) return grantConfirmation(c);
    await grantFullAdmin(c.get('ctx'), c.req.param('orgId'));
    return c.redirect('/hub?done=granted#partners', 303);
  });
}
