import type { Context, Hono, MiddlewareHandler } from 'hono';
import { DomainError } from '../../platform/errors.ts';
import { formatDateTime, readerOf } from '../../platform/format.ts';
import { LOCALE_NAMES, type Locale, type Translate } from '../../platform/i18n.ts';
import {
  Callout,
  EmptyState,
  ErrorSummary,
  Field,
  FieldGroup,
  fieldAttrs,
  TableFrame,
} from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { BackofficeLayout, type Chrome, chrome } from '../backoffice/pages.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { requireOperator } from '../identity/policy.ts';
import { RequestStateBadge } from './badges.tsx';
import { fieldLabel } from './labels.ts';
import {
  approveRequest,
  askableFields,
  askForInformation,
  failRequest,
  getRequestForOperator,
  listOpenRequests,
  type OpenRequest,
  type OperatorRequest,
} from './operator.ts';
import { ANSWER_MESSAGE_MAX_LENGTH, EXTERNAL_TENANT_ID_MAX_LENGTH, messageFor } from './schema.ts';

/**
 * The back office's fulfilment pages (docs/adr/0032): the open requests, and one request with *Approve*,
 * *Fail* and *Ask for information*. Failing asks to be confirmed first (no script needed): it tells the
 * partner and the customer that provisioning failed.
 */

const DONE = new Set(['approved', 'failed', 'asked', 'answered']);

function ListPage(p: Chrome & { items: OpenRequest[]; done: string | undefined }) {
  const { t, locale } = p;
  return (
    <BackofficeLayout {...p} title={t('fulfilment.backoffice.title')}>
      {p.done && DONE.has(p.done) ? (
        <Callout tone={p.done === 'answered' ? 'warning' : 'success'}>
          <p>{t(`fulfilment.backoffice.done.${p.done}`)}</p>
        </Callout>
      ) : null}
      <p class="muted">{t('fulfilment.backoffice.intro')}</p>
      {p.items.length === 0 ? (
        <EmptyState
          title={t('fulfilment.backoffice.none')}
          action={
            <a class="button secondary" href="/backoffice/orders">
              {t('backoffice.orders')}
            </a>
          }
        />
      ) : (
        <TableFrame label={t('fulfilment.backoffice.title')}>
          <table id="provision-requests">
            <thead>
              <tr>
                <th scope="col">{t('order.subscription')}</th>
                <th scope="col">{t('backoffice.partner')}</th>
                <th scope="col">{t('services.summary.customer')}</th>
                <th scope="col">{t('order.offer')}</th>
                <th scope="col">{t('fulfilment.backoffice.mode')}</th>
                <th scope="col">{t('fulfilment.backoffice.waiting_since')}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((r) => (
                <tr id={`request-${r.id}`}>
                  <td>
                    <a href={`/backoffice/provision-requests/${r.id}`}>
                      <span class="id">{r.subscriptionId}</span>
                    </a>
                  </td>
                  <td>{r.partnerName}</td>
                  <td>{r.customerName}</td>
                  <td>
                    {r.offer.code} × {r.quantity}
                    <div class="muted">{r.offer.name}</div>
                  </td>
                  <td>
                    {t(`fulfilment.backoffice.mode_${r.mode}`)}
                    <Sending t={t} r={r} />
                  </td>
                  <td>{formatDateTime(readerOf(locale, p.user), r.openedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </BackofficeLayout>
  );
}

function Sending({
  t,
  r,
}: {
  t: Translate;
  r: Pick<OpenRequest, 'mode' | 'attempts' | 'acceptedAt' | 'lastError'>;
}) {
  if (r.mode !== 'http') return null;
  if (r.acceptedAt) return <div class="muted">{t('fulfilment.backoffice.accepted')}</div>;
  return (
    <div class="muted">
      {t('fulfilment.backoffice.attempts', { count: r.attempts })}
      {r.lastError ? ` · ${r.lastError}` : ''}
    </div>
  );
}

function SetupFacts({ t, r }: { t: Translate; r: OperatorRequest }) {
  const s = r.setup;
  return (
    <dl class="facts">
      <dt>{t('services.summary.order')}</dt>
      <dd>
        <a href={`/orders/${r.order.id}`}>
          <span class="id">{r.order.number}</span> · {r.order.reference}
        </a>
      </dd>
      <dt>{t('order.subscription')}</dt>
      <dd>
        <span class="id">{r.subscriptionId}</span>
      </dd>
      <dt>{t('fulfilment.backoffice.request_id')}</dt>
      <dd>
        <code>{r.id}</code>
      </dd>
      <dt>{t('order.offer')}</dt>
      <dd>{`${r.offer.name} (${r.offer.code}) × ${r.quantity}`}</dd>
      <dt>{t('backoffice.partner')}</dt>
      <dd>{r.partnerName}</dd>
      <dt>{t('services.summary.customer')}</dt>
      <dd>{r.customerName}</dd>
      {s.sites.map((site) => (
        <>
          <dt>{t('services.summary.site')}</dt>
          <dd>{`${site.name} · ${site.timeZone} · ${t('services.meetings.licences')}: ${site.licenses}`}</dd>
        </>
      ))}
      {s.location ? (
        <>
          <dt>{t('services.summary.location')}</dt>
          <dd>
            {[
              s.location.name,
              s.location.addressLine1,
              s.location.addressLine2,
              s.location.postalCode,
              s.location.city,
              s.location.country,
            ]
              .filter(Boolean)
              .join(', ')}
          </dd>
        </>
      ) : null}
      {s.subdomain ? (
        <>
          <dt>{t('services.summary.subdomain')}</dt>
          <dd>{s.subdomain}</dd>
        </>
      ) : null}
      <dt>{t('services.calling.language')}</dt>
      <dd lang={s.locale}>{LOCALE_NAMES[s.locale] ?? s.locale}</dd>
    </dl>
  );
}

interface Drafts {
  externalTenantId?: string;
  reason?: string;
  message?: string;
  fields?: string[];
}

function RequestPage(p: Chrome & { r: OperatorRequest; errors: Record<string, string>; drafts: Drafts }) {
  const { t, locale, r, errors, drafts } = p;
  const base = `/backoffice/provision-requests/${r.id}`;
  return (
    <BackofficeLayout {...p} title={t('fulfilment.backoffice.request_title', { id: r.subscriptionId })}>
      <p>
        <a href="/backoffice/provision-requests">← {t('fulfilment.backoffice.title')}</a>
      </p>
      <ErrorSummary t={t} errors={errors} />
      <p>
        <RequestStateBadge t={t} state={r.state} /> {t(`fulfilment.backoffice.mode_${r.mode}`)} ·{' '}
        {formatDateTime(readerOf(locale, p.user), r.openedAt)}
      </p>
      <Sending t={t} r={r} />
      <SetupFacts t={t} r={r} />
      {r.state === 'open' ? (
        <div class="fulfil-actions">
          {r.mode === 'http' ? <p class="muted">{t('fulfilment.backoffice.http_note')}</p> : null}
          <form method="post" action={`${base}/approve`} class="card" novalidate>
            <h2>{t('fulfilment.backoffice.approve')}</h2>
            <Field
              name="externalTenantId"
              label={t('fulfilment.backoffice.external_tenant_id')}
              errors={errors}
            >
              <input
                maxlength={EXTERNAL_TENANT_ID_MAX_LENGTH}
                value={drafts.externalTenantId ?? ''}
                {...fieldAttrs(errors, 'externalTenantId')}
              />
            </Field>
            <div class="button-row">
              <button type="submit">{t('fulfilment.backoffice.approve')}</button>
            </div>
          </form>
          <form method="post" action={`${base}/ask`} class="card" novalidate>
            <h2>{t('fulfilment.backoffice.ask')}</h2>
            <FieldGroup name="fields" legend={t('fulfilment.backoffice.fields')} errors={errors}>
              {askableFields(r.setup).map((f, i) => (
                <div class="choice">
                  <label for={`field-${i}`}>
                    <input
                      type="checkbox"
                      id={`field-${i}`}
                      name="fields"
                      value={f}
                      checked={drafts.fields?.includes(f) ?? false}
                    />{' '}
                    {fieldLabel(t, f)}
                  </label>
                </div>
              ))}
            </FieldGroup>
            <Field name="message" label={t('fulfilment.backoffice.message')} errors={errors}>
              <textarea rows={4} maxlength={ANSWER_MESSAGE_MAX_LENGTH} {...fieldAttrs(errors, 'message')}>
                {drafts.message ?? ''}
              </textarea>
            </Field>
            <div class="button-row">
              <button type="submit">{t('fulfilment.backoffice.ask')}</button>
            </div>
          </form>
          <form method="post" action={`${base}/fail`} class="card" novalidate>
            <h2>{t('fulfilment.backoffice.fail')}</h2>
            <Field name="reason" label={t('fulfilment.backoffice.reason')} errors={errors}>
              <textarea rows={4} maxlength={ANSWER_MESSAGE_MAX_LENGTH} {...fieldAttrs(errors, 'reason')}>
                {drafts.reason ?? ''}
              </textarea>
            </Field>
            <div class="button-row">
              <button type="submit" class="danger">
                {t('fulfilment.backoffice.fail')}
              </button>
            </div>
          </form>
        </div>
      ) : (
        <Answer t={t} locale={locale} timeZone={p.user.timeZone} r={r} />
      )}
    </BackofficeLayout>
  );
}

function Answer({
  t,
  locale,
  timeZone,
  r,
}: {
  t: Translate;
  locale: Locale;
  timeZone: string;
  r: OperatorRequest;
}) {
  return (
    <dl class="facts">
      {r.answeredAt ? (
        <>
          <dt>{t('fulfilment.backoffice.answered_at')}</dt>
          <dd>{formatDateTime({ locale, timeZone }, r.answeredAt)}</dd>
        </>
      ) : null}
      {r.externalTenantId ? (
        <>
          <dt>{t('fulfilment.backoffice.external_tenant_id')}</dt>
          <dd>{r.externalTenantId}</dd>
        </>
      ) : null}
      {r.message ? (
        <>
          <dt>{t('fulfilment.backoffice.message')}</dt>
          <dd class="prewrap">{messageFor(r.message, locale)}</dd>
        </>
      ) : null}
      {r.fields.length ? (
        <>
          <dt>{t('fulfilment.backoffice.fields')}</dt>
          <dd>{r.fields.map((f) => fieldLabel(t, f)).join(', ')}</dd>
        </>
      ) : null}
    </dl>
  );
}

function ConfirmFailPage(p: Chrome & { r: OperatorRequest; reason: string }) {
  const { t, r } = p;
  const base = `/backoffice/provision-requests/${r.id}`;
  return (
    <BackofficeLayout {...p} title={t('fulfilment.backoffice.confirm_fail_title', { id: r.subscriptionId })}>
      {/* ConfirmPanel's body (the layout prints the title): what will happen, then the action or a way back. */}
      <section class="confirm card">
        <div class="confirm-consequence">
          <p>{t('fulfilment.backoffice.confirm_fail', { customer: r.customerName })}</p>
          <blockquote class="prewrap">{p.reason}</blockquote>
        </div>
        <form method="post" action={`${base}/fail`} class="button-row">
          <input type="hidden" name="reason" value={p.reason} />
          <input type="hidden" name="confirmed" value="yes" />
          <button type="submit" class="danger">
            {t('fulfilment.backoffice.confirm_fail_yes')}
          </button>
          <a class="button secondary" href={base}>
            {t('fulfilment.backoffice.cancel')}
          </a>
        </form>
      </section>
    </BackofficeLayout>
  );
}

const LABELS = {
  externalTenantId: 'fulfilment.backoffice.external_tenant_id',
  reason: 'fulfilment.backoffice.reason',
  message: 'fulfilment.backoffice.message',
  fields: 'fulfilment.backoffice.fields',
};

function text(form: Record<string, unknown>, key: string): string {
  const v = form[key];
  return typeof v === 'string' ? v : '';
}

export function registerFulfilmentPages(app: Hono<UserEnv>): void {
  // Operators only, whatever the order modules are mounted in; anyone else finds nothing here.
  const operators: MiddlewareHandler<UserEnv> = async (c, next) => {
    requireOperator(c.get('ctx').actor);
    await next();
  };
  app.use('/backoffice/provision-requests', requireUser(), operators);
  app.use('/backoffice/provision-requests/*', requireUser(), operators);
  app.get('/backoffice/provision-requests', async (c) =>
    c.html(
      <ListPage {...chrome(c)} items={await listOpenRequests(c.get('ctx'))} done={c.req.query('done')} />,
    ),
  );

  const requestPage = async (c: Context<UserEnv>, errors: Record<string, string>, drafts: Drafts) => {
    const r = await getRequestForOperator(c.get('ctx'), c.req.param('id') ?? '');
    return <RequestPage {...chrome(c)} r={r} errors={errors} drafts={drafts} />;
  };

  app.get('/backoffice/provision-requests/:id', async (c) => c.html(await requestPage(c, {}, {})));

  /** Runs an answer; a refusal shows the request again with the fields at fault, or as it now is. */
  const answering = async (
    c: Context<UserEnv>,
    drafts: Drafts,
    work: () => Promise<unknown>,
    done: string,
  ) => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'provision_request_answered')
        return c.redirect('/backoffice/provision-requests?done=answered', 303);
      if (error.code !== 'validation_failed') throw error;
      const errors = fieldMessages(chrome(c).t, error.fields, LABELS);
      c.status(422);
      return c.html(await requestPage(c, errors, drafts));
    }
    return c.redirect(`/backoffice/provision-requests?done=${done}`, 303);
  };

  app.post('/backoffice/provision-requests/:id/approve', async (c) => {
    const form = await c.req.parseBody();
    const externalTenantId = text(form, 'externalTenantId');
    return answering(
      c,
      { externalTenantId },
      () => approveRequest(c.get('ctx'), c.req.param('id'), { externalTenantId }),
      'approved',
    );
  });

  app.post('/backoffice/provision-requests/:id/ask', async (c) => {
    const form = await c.req.parseBody({ all: true });
    const raw = form.fields;
    const fields = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (f): f is string => typeof f === 'string',
    );
    const message = text(form, 'message');
    return answering(
      c,
      { message, fields },
      () => askForInformation(c.get('ctx'), c.req.param('id'), { message, fields }),
      'asked',
    );
  });

  app.post('/backoffice/provision-requests/:id/fail', async (c) => {
    const form = await c.req.parseBody();
    const reason = text(form, 'reason');
    const ctx = c.get('ctx');
    const id = c.req.param('id');
    // Failing tells the partner and the customer: the operator confirms it first.
    if (form.confirmed !== 'yes' && reason.trim()) {
      const r = await getRequestForOperator(ctx, id);
      if (r.state === 'open') return c.html(<ConfirmFailPage {...chrome(c)} r={r} reason={reason} />);
    }
    return answering(c, { reason }, () => failRequest(ctx, id, { reason }), 'failed');
  });
}
