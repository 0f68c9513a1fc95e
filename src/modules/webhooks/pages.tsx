import type { Context, Hono } from 'hono';
import { DomainError, type FieldError, notFound } from '../../platform/errors.ts';
import { formatDateTime, formatDateTimeInput, parseDateTimeInput, readerOf } from '../../platform/format.ts';
import { type Translate, translator } from '../../platform/i18n.ts';
import { dateTimeInputExample } from '../../platform/ui/date-input.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { webhookOwner } from '../identity/policy.ts';
import {
  listWebhookDeliveries,
  recoverWebhookEndpoint,
  retryWebhookDelivery,
  sendTestWebhook,
} from './deliveries.ts';
import { EndpointPage } from './log-view.tsx';
import { createEndpointSchema, listDeliveriesQuerySchema, updateEndpointSchema } from './schema.ts';
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  rotateWebhookSecret,
  updateWebhookEndpoint,
} from './service.ts';
import {
  ConfirmPage,
  EditPage,
  type EndpointFormValues,
  EndpointsPage,
  type Frame,
  SecretPage,
  type WebhookChrome,
} from './views.tsx';

/**
 * Webhook pages (docs/adr/0031): registered twice, for partner and distributor admins in the workspace
 * (`/settings/webhooks`) and for the vendor's operators in the back office (`/backoffice/webhooks`).
 * Whoever manages other endpoints than those of the place they are in finds nothing (404).
 */

export interface WebhookPagesOptions {
  base: string;
  frame: Frame;
  /** The back office's pages manage the vendor's endpoints; the workspace's, the organization's. */
  vendor: boolean;
}

type PageContext = Context<UserEnv>;

const LABELS = {
  url: 'webhooks.url',
  description: 'webhooks.description',
  eventTypes: 'webhooks.events',
  since: 'webhooks.recover_since',
};

/** Field messages for the form: an event type at fault is the Events field's, whichever box it was. */
function formErrors(t: Translate, fields: FieldError[]): Record<string, string> {
  const named = fields.map((f) => (f.field.startsWith('eventTypes') ? { ...f, field: 'eventTypes' } : f));
  return fieldMessages(t, named, LABELS);
}
const EMPTY: EndpointFormValues = { url: '', description: '', eventTypes: [], enabled: true };

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function texts(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === 'string');
}

export function registerWebhookPages(app: Hono<UserEnv>, options: WebhookPagesOptions): void {
  const { base, frame, vendor } = options;

  const chrome = (c: PageContext): WebhookChrome => {
    // The place must match who manages: operators here in the back office, organizations in the workspace.
    const owner = webhookOwner(c.get('ctx').actor);
    if ((owner === 'vendor') !== vendor) throw notFound();
    const locale = c.get('locale');
    return { t: translator(locale), locale, user: c.get('user'), path: c.req.path, base, vendor };
  };

  const formValues = async (
    c: PageContext,
  ): Promise<EndpointFormValues & { raw: Record<string, unknown> }> => {
    const form = await c.req.parseBody({ all: true });
    return {
      url: text(form.url).trim(),
      description: text(form.description),
      eventTypes: texts(form.eventTypes),
      enabled: text(form.enabled) === 'true',
      raw: form,
    };
  };

  const listPage = async (
    c: PageContext,
    values: EndpointFormValues,
    errors: Record<string, string>,
    notice?: string,
  ) => {
    const props = chrome(c);
    const endpoints = await listWebhookEndpoints(c.get('ctx'));
    return (
      <EndpointsPage
        {...props}
        frame={frame}
        endpoints={endpoints}
        values={values}
        errors={errors}
        notice={notice}
      />
    );
  };

  const endpointPage = async (c: PageContext, errors: Record<string, string> = {}, since?: string) => {
    const props = chrome(c);
    const ctx = c.get('ctx');
    const id = c.req.param('endpointId') ?? '';
    const endpoint = await getWebhookEndpoint(ctx, id);
    const query = listDeliveriesQuerySchema.safeParse({
      status: c.req.query('status') || undefined,
      cursor: c.req.query('cursor') || undefined,
    });
    const page = await listWebhookDeliveries(ctx, id, query.success ? query.data : { limit: 25 });
    const notice = c.req.query('notice');
    const count = Number(c.req.query('count') ?? 0);
    const notices: Record<string, string> = {
      saved: props.t('webhooks.saved_notice'),
      test: props.t('webhooks.test_queued'),
      retry: props.t('webhooks.retry_queued'),
      recovered: props.t('webhooks.recovered', { count }),
    };
    return (
      <EndpointPage
        {...props}
        frame={frame}
        endpoint={endpoint}
        deliveries={page.items}
        nextCursor={page.nextCursor}
        status={query.success ? (query.data.status ?? '') : ''}
        since={
          since ??
          formatDateTimeInput(
            readerOf(props.locale, props.user),
            new Date(ctx.clock.now().getTime() - 24 * 3600_000),
          )
        }
        now={ctx.clock.now()}
        errors={errors}
        notice={notice ? notices[notice] : undefined}
      />
    );
  };

  app.get(base, async (c) => {
    const notice =
      c.req.query('notice') === 'deleted'
        ? translator(c.get('locale'))('webhooks.deleted_notice')
        : undefined;
    return c.html(await listPage(c, EMPTY, {}, notice));
  });

  app.post(base, async (c) => {
    const props = chrome(c);
    const values = await formValues(c);
    const input = {
      url: values.url,
      eventTypes: values.eventTypes,
      ...(values.description.trim() ? { description: values.description } : {}),
    };
    const parsed = createEndpointSchema.safeParse(input);
    try {
      if (!parsed.success)
        throw new DomainError('validation_failed', 422, {}, fieldErrorsFromZod(parsed.error.issues, input));
      const { endpoint, secret } = await createWebhookEndpoint(c.get('ctx'), parsed.data);
      return c.html(
        <SecretPage
          {...props}
          frame={frame}
          title={props.t('webhooks.created_title')}
          notice={props.t('webhooks.created_notice', { url: endpoint.url })}
          secret={secret}
          endpointId={endpoint.id}
        />,
      );
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      c.status(422);
      return c.html(await listPage(c, values, formErrors(props.t, error.fields)));
    }
  });

  app.get(`${base}/:endpointId`, async (c) => c.html(await endpointPage(c)));

  app.get(`${base}/:endpointId/edit`, async (c) => {
    const props = chrome(c);
    const endpoint = await getWebhookEndpoint(c.get('ctx'), c.req.param('endpointId'));
    const values = { ...endpoint, eventTypes: endpoint.eventTypes };
    return c.html(<EditPage {...props} frame={frame} endpoint={endpoint} values={values} errors={{}} />);
  });

  app.post(`${base}/:endpointId/edit`, async (c) => {
    const props = chrome(c);
    const ctx = c.get('ctx');
    const id = c.req.param('endpointId');
    const endpoint = await getWebhookEndpoint(ctx, id);
    const values = await formValues(c);
    const input = {
      url: values.url,
      description: values.description,
      eventTypes: values.eventTypes,
      enabled: values.enabled,
    };
    const parsed = updateEndpointSchema.safeParse(input);
    try {
      if (!parsed.success)
        throw new DomainError('validation_failed', 422, {}, fieldErrorsFromZod(parsed.error.issues, input));
      await updateWebhookEndpoint(ctx, id, parsed.data);
      return c.redirect(`${base}/${id}?notice=saved`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      c.status(422);
      const errors = formErrors(props.t, error.fields);
      return c.html(
        <EditPage {...props} frame={frame} endpoint={endpoint} values={values} errors={errors} />,
      );
    }
  });

  const confirmPage = (kind: 'delete' | 'rotate') => async (c: PageContext) => {
    const props = chrome(c);
    const endpoint = await getWebhookEndpoint(c.get('ctx'), c.req.param('endpointId') ?? '');
    const { t } = props;
    return c.html(
      <ConfirmPage
        {...props}
        frame={frame}
        endpoint={endpoint}
        title={
          kind === 'delete' ? t('webhooks.delete_title', { url: endpoint.url }) : t('webhooks.rotate_title')
        }
        explained={kind === 'delete' ? t('webhooks.delete_warning') : t('webhooks.rotate_explained')}
        action={`${base}/${endpoint.id}/${kind}`}
        confirm={kind === 'delete' ? t('webhooks.delete_confirm') : t('webhooks.rotate_confirm')}
        danger={kind === 'delete'}
      />,
    );
  };
  app.get(`${base}/:endpointId/delete`, confirmPage('delete'));
  app.get(`${base}/:endpointId/rotate`, confirmPage('rotate'));

  app.post(`${base}/:endpointId/delete`, async (c) => {
    chrome(c);
    const id = c.req.param('endpointId');
    const form = await c.req.parseBody();
    // Deleting takes the confirmation page's button: anything else is sent to that page first.
    if (form.confirm !== 'yes') {
      await getWebhookEndpoint(c.get('ctx'), id);
      return c.redirect(`${base}/${id}/delete`, 303);
    }
    await deleteWebhookEndpoint(c.get('ctx'), id);
    return c.redirect(`${base}?notice=deleted`, 303);
  });

  app.post(`${base}/:endpointId/rotate`, async (c) => {
    const props = chrome(c);
    const id = c.req.param('endpointId');
    const form = await c.req.parseBody();
    if (form.confirm !== 'yes') {
      await getWebhookEndpoint(c.get('ctx'), id);
      return c.redirect(`${base}/${id}/rotate`, 303);
    }
    const rotated = await rotateWebhookSecret(c.get('ctx'), id);
    const date = formatDateTime(readerOf(props.locale, props.user), rotated.previousSecretExpiresAt);
    return c.html(
      <SecretPage
        {...props}
        frame={frame}
        title={props.t('webhooks.rotated_title')}
        notice={props.t('webhooks.rotated_notice', { date })}
        secret={rotated.secret}
        endpointId={id}
      />,
    );
  });

  app.post(`${base}/:endpointId/test`, async (c) => {
    chrome(c);
    const id = c.req.param('endpointId');
    await sendTestWebhook(c.get('ctx'), id);
    return c.redirect(`${base}/${id}?notice=test`, 303);
  });

  app.post(`${base}/:endpointId/deliveries/:deliveryId/retry`, async (c) => {
    chrome(c);
    const id = c.req.param('endpointId');
    await retryWebhookDelivery(c.get('ctx'), id, c.req.param('deliveryId'));
    return c.redirect(`${base}/${id}?notice=retry`, 303);
  });

  app.post(`${base}/:endpointId/recover`, async (c) => {
    const props = chrome(c);
    const id = c.req.param('endpointId');
    const form = await c.req.parseBody();
    const since = text(form.since);
    const reader = readerOf(props.locale, props.user);
    const instant = parseDateTimeInput(reader, since)?.toISOString();
    try {
      if (!instant)
        throw new DomainError('validation_failed', 422, {}, [
          since
            ? { field: 'since', rule: 'datetime_input', params: { example: dateTimeInputExample(reader) } }
            : { field: 'since', rule: 'required' },
        ]);
      const { queued } = await recoverWebhookEndpoint(c.get('ctx'), id, { since: instant });
      return c.redirect(`${base}/${id}?notice=recovered&count=${queued}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      c.status(422);
      // The service names its limit as an instant (ISO): the page writes it on the reader's clock.
      const fields = error.fields.map((f) =>
        typeof f.params?.date === 'string'
          ? { ...f, params: { ...f.params, date: formatDateTime(reader, f.params.date) } }
          : f,
      );
      return c.html(await endpointPage(c, formErrors(props.t, fields), since));
    }
  });
}

/** The workspace's *Settings → Webhooks*, for partner and distributor admins. */
export function registerWorkspaceWebhookPages(app: Hono<UserEnv>): void {
  const base = '/settings/webhooks';
  app.use(base, requireUser());
  app.use(`${base}/*`, requireUser());
  registerWebhookPages(app, {
    base,
    vendor: false,
    frame: (p) => (
      <Layout t={p.t} locale={p.locale} title={p.title} path={p.path} user={p.user}>
        <h1>{p.title}</h1>
        {p.children}
      </Layout>
    ),
  });
}
