import type { Context, Hono } from 'hono';
import type { Ctx } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { toDomainError } from '../../platform/http.ts';
import { type Translate, translator } from '../../platform/i18n.ts';
import { oneFinalPeriod } from '../../platform/sentence.ts';
import { Callout, ConfirmPanel, ErrorSummary, Field, fieldAttrs } from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import type { OrderLineView, OrderView } from '../orders/schema.ts';
import { getOrder } from '../orders/service.ts';
import {
  askPlacer,
  type FailedAction,
  LineProvisioningActions,
  linePath,
  PonrMessage,
  ProvisioningNotice,
  safeReturn,
  Troubleshooting,
  withOutcome,
} from './actions.tsx';
import { failedDeliveries } from './delivery.ts';
import { type LineActionState, lineActionStates } from './line-state.ts';
import { changeProvisioningContact, resendProvisioningEmail } from './service.ts';
import { startProvisioningNow } from './start-now.ts';

type C = Context<UserEnv>;

/**
 * What the order page shows of provisioning: the outcome of the last resend or edit, and each line's
 * actions. The order page asks once per request; the line states come from one query.
 */
export async function orderProvisioning(
  ctx: Ctx,
  t: Translate,
  order: OrderView,
  query: { done?: string; line?: string },
) {
  const states = new Map((await lineActionStates(ctx, order)).map((s) => [s.lineId, s]));
  const failures = await failedDeliveries(ctx, order);
  const back = `/orders/${order.id}`;
  return {
    notice: (
      <>
        <script src="/assets/provisioning.js" defer></script>
        <ProvisioningNotice t={t} done={query.done} line={order.lines.find((l) => l.id === query.line)} />
      </>
    ),
    actions(line: OrderLineView) {
      const state = states.get(line.id);
      return state ? (
        <LineProvisioningActions
          t={t}
          orderId={order.id}
          line={line}
          state={state}
          adminHubUrl={ctx.config.adminHubUrl}
          back={back}
          sender={ctx.config.mailFrom}
          failure={failures.get(line.id)}
        />
      ) : null;
    },
  };
}

export type OrderProvisioning = Awaited<ReturnType<typeof orderProvisioning>>;

interface Loaded {
  order: OrderView;
  line: OrderLineView;
  state: LineActionState;
}

/** The order and line named in the path (404 when the caller cannot see them), with what may be done. */
async function load(ctx: Ctx, orderId: string, lineId: string): Promise<Loaded> {
  const order = await getOrder(ctx, orderId);
  const line = order.lines.find((l) => l.id === lineId);
  if (!line) throw new DomainError('not_found', 404);
  const state = (await lineActionStates(ctx, order)).find((s) => s.lineId === lineId);
  if (!state) throw new DomainError('not_found', 404);
  return { order, line, state };
}

function chrome(c: C) {
  const locale = c.get('locale');
  return { t: translator(locale), locale, path: c.req.path, user: c.get('user') };
}

/** Why the line cannot be acted on, when it cannot: the placer to ask, or the admin hub. */
function Blocked({ t, state, adminHubUrl }: { t: Translate; state: LineActionState; adminHubUrl: string }) {
  if (state.blocked === 'point_of_no_return')
    return (
      <p class="prov-ponr">
        <PonrMessage t={t} adminHubUrl={adminHubUrl} />
      </p>
    );
  if (state.blocked === 'no_edit_rights')
    return <p class="prov-hint">{oneFinalPeriod(askPlacer(t, state.placer))}</p>;
  return null;
}

function LineSummary({ t, line }: { t: Translate; line: OrderLineView }) {
  return (
    <dl class="facts">
      <dt>{t('order.subscription')}</dt>
      <dd>
        <span class="id">{line.subscriptionId}</span>
      </dd>
      <dt>{t('order.offer')}</dt>
      <dd>{line.offer.name}</dd>
      <dt>{t('order.contact_email')}</dt>
      <dd id="current-contact">{line.provisioningContactEmail}</dd>
    </dl>
  );
}

/** The pages behind Resend and Start now, for a browser without script: what the dialog asks, as a form. */
const CONFIRMATIONS = {
  resend: { title: 'provisioning_ui.resend_title', question: 'provisioning_ui.resend_question' },
  'start-now': { title: 'provisioning_ui.start_now_title', question: 'provisioning_ui.start_now_question' },
} as const;

function ConfirmPage(p: { c: C; loaded: Loaded; back: string; action: keyof typeof CONFIRMATIONS }) {
  const { order, line, state } = p.loaded;
  const ui = chrome(p.c);
  const t = ui.t;
  const texts = CONFIRMATIONS[p.action];
  return (
    <Layout {...ui} title={t(texts.title)}>
      <p>
        <a href={p.back}>← {t('provisioning_ui.back')}</a>
      </p>
      {state.blocked ? (
        <>
          <h1>{t(texts.title)}</h1>
          <LineSummary t={t} line={line} />
          <Blocked t={t} state={state} adminHubUrl={p.c.get('ctx').config.adminHubUrl} />
        </>
      ) : (
        <ConfirmPanel
          title={t(texts.title)}
          consequence={
            <>
              <LineSummary t={t} line={line} />
              <p>{t(texts.question, { email: line.provisioningContactEmail })}</p>
            </>
          }
          action={linePath(order.id, line.id, p.action)}
          hidden={{ return: p.back }}
          confirmLabel={t('provisioning_ui.yes')}
          cancelHref={p.back}
          cancelLabel={t('provisioning_ui.cancel')}
        />
      )}
    </Layout>
  );
}

interface EditForm {
  email: string;
  applyToAllLines: boolean;
  etag: string;
  errors: Record<string, string>;
  /** Set when the line changed since the form was shown: its address now. */
  staleEmail?: string;
}

function EditContactPage(p: { c: C; loaded: Loaded; back: string; form: EditForm }) {
  const { order, line, state } = p.loaded;
  const ui = chrome(p.c);
  const t = ui.t;
  const { form } = p;
  return (
    <Layout {...ui} title={t('provisioning_ui.edit_title')}>
      <p>
        <a href={p.back}>← {t('provisioning_ui.back')}</a>
      </p>
      <h1>{t('provisioning_ui.edit_title')}</h1>
      <ErrorSummary t={t} errors={form.errors} />
      {form.staleEmail !== undefined ? (
        <Callout tone="warning">
          <p>{t('provisioning_ui.stale', { email: form.staleEmail })}</p>
        </Callout>
      ) : null}
      <LineSummary t={t} line={line} />
      {state.blocked ? (
        <Blocked t={t} state={state} adminHubUrl={p.c.get('ctx').config.adminHubUrl} />
      ) : (
        <form method="post" action={linePath(order.id, line.id, 'contact')} class="card" novalidate>
          <Field
            name="email"
            label={t('provisioning_ui.new_email')}
            hint={t('provisioning_ui.edit_hint')}
            errors={form.errors}
          >
            <input
              type="email"
              autocomplete="email"
              required
              value={form.email}
              {...fieldAttrs(form.errors, 'email', true)}
            />
          </Field>
          {order.lines.length > 1 ? (
            <div class="field">
              <label class="prov-check">
                <input type="checkbox" name="applyToAllLines" value="on" checked={form.applyToAllLines} />{' '}
                {t('provisioning_ui.apply_all')}
              </label>
            </div>
          ) : null}
          <input type="hidden" name="etag" value={form.etag} />
          <input type="hidden" name="return" value={p.back} />
          <div class="button-row">
            <button type="submit">{t('provisioning_ui.save')}</button>
            <a class="button secondary" href={p.back}>
              {t('provisioning_ui.cancel')}
            </a>
          </div>
        </form>
      )}
    </Layout>
  );
}

const FAILED: Record<FailedAction, string> = {
  resend: 'provisioning_ui.failed_resend',
  contact: 'provisioning_ui.failed_edit',
  start_now: 'provisioning_ui.failed_start_now',
};

function ProblemPage(p: {
  c: C;
  error: DomainError;
  action: FailedAction;
  back: string;
  line: OrderLineView | undefined;
  state: LineActionState | undefined;
  attempted: string | undefined;
}) {
  const ui = chrome(p.c);
  const { t } = ui;
  const { error } = p;
  const config = p.c.get('ctx').config;
  const title = t(`errors.${error.code}.title`);
  const retryMinutes =
    error.code === 'resend_rate_limited'
      ? Math.max(1, Math.ceil(Number(error.params.retryAfterSeconds) / 60))
      : 0;
  // Start now is refused only for what the line is (sent, due, mapped): no mail problem to troubleshoot.
  const troubleshoot =
    p.action !== 'start_now' &&
    !['point_of_no_return', 'edit_rights_required', 'resend_before_first_email'].includes(error.code);
  const failed = t(FAILED[p.action]);
  const description = t(p.action === 'resend' ? 'provisioning_ui.case_resend' : 'provisioning_ui.case_edit', {
    subscription: p.line?.subscriptionId ?? '',
    email: p.attempted ?? p.line?.provisioningContactEmail ?? '',
    reason: title,
  });
  return (
    <Layout {...ui} title={failed}>
      <p>
        <a href={p.back}>← {t('provisioning_ui.back')}</a>
      </p>
      <h1>{failed}</h1>
      <div role="alert">
        <p>
          <strong>{title}</strong>
        </p>
        {error.code === 'point_of_no_return' ? (
          <p class="prov-ponr">
            <PonrMessage t={t} adminHubUrl={config.adminHubUrl} />
          </p>
        ) : error.code === 'edit_rights_required' && p.state ? (
          <p>{oneFinalPeriod(askPlacer(t, p.state.placer))}</p>
        ) : retryMinutes ? (
          <p>{t('provisioning_ui.retry_in', { count: retryMinutes })}</p>
        ) : (
          <p>{oneFinalPeriod(t(`errors.${error.code}.detail`, error.params))}</p>
        )}
      </div>
      {troubleshoot ? (
        <Troubleshooting
          t={t}
          id="trouble"
          sender={config.mailFrom}
          action={p.action}
          subscriptionId={p.line?.subscriptionId}
          description={description}
        />
      ) : null}
    </Layout>
  );
}

/** A refused or failed resend or edit as a page: 404s stay the app's not-found page. */
async function failure(c: C, err: unknown, action: FailedAction, back: string, attempted?: string) {
  const ctx = c.get('ctx');
  const error = toDomainError(err, ctx.log, c.get('requestId'));
  if (error.code === 'not_found') throw error;
  const { orderId = '', lineId = '' } = c.req.param();
  // For the page's explanations only: when even this fails, the page says less.
  const loaded = await load(ctx, orderId, lineId).catch(() => undefined);
  if (error.status === 429 && error.params.retryAfterSeconds !== undefined)
    c.header('Retry-After', String(error.params.retryAfterSeconds));
  c.status(error.status as 403);
  return c.html(
    <ProblemPage
      c={c}
      error={error}
      action={action}
      back={back}
      line={loaded?.line}
      state={loaded?.state}
      attempted={attempted}
    />,
  );
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

/** Resend, Start now and Edit of a line's provisioning contact (registered behind the order pages' sign-in). */
export function registerProvisioningPages(app: Hono<UserEnv>): void {
  // Its own guard: these pages never rely on another module's being mounted first.
  app.use('/orders/:orderId/lines/:lineId/*', requireUser());
  app.get('/orders/:orderId/lines/:lineId/resend', async (c) => {
    const { orderId, lineId } = c.req.param();
    const loaded = await load(c.get('ctx'), orderId, lineId);
    const back = safeReturn(c.req.query('return'), orderId);
    return c.html(<ConfirmPage c={c} loaded={loaded} back={back} action="resend" />);
  });

  app.post('/orders/:orderId/lines/:lineId/resend', async (c) => {
    const { orderId, lineId } = c.req.param();
    const back = safeReturn(field(await c.req.parseBody(), 'return'), orderId);
    try {
      await resendProvisioningEmail(c.get('ctx'), orderId, lineId);
    } catch (err) {
      return failure(c, err, 'resend', back);
    }
    return c.redirect(withOutcome(back, 'resent', lineId), 303);
  });

  app.get('/orders/:orderId/lines/:lineId/start-now', async (c) => {
    const { orderId, lineId } = c.req.param();
    const loaded = await load(c.get('ctx'), orderId, lineId);
    const back = safeReturn(c.req.query('return'), orderId);
    return c.html(<ConfirmPage c={c} loaded={loaded} back={back} action="start-now" />);
  });

  // The same service as the API's startProvisioningNow: the date becomes today, the email goes now.
  app.post('/orders/:orderId/lines/:lineId/start-now', async (c) => {
    const { orderId, lineId } = c.req.param();
    const back = safeReturn(field(await c.req.parseBody(), 'return'), orderId);
    try {
      await startProvisioningNow(c.get('ctx'), orderId, lineId);
    } catch (err) {
      return failure(c, err, 'start_now', back);
    }
    return c.redirect(withOutcome(back, 'started_now', lineId), 303);
  });

  app.get('/orders/:orderId/lines/:lineId/contact', async (c) => {
    const { orderId, lineId } = c.req.param();
    const loaded = await load(c.get('ctx'), orderId, lineId);
    const back = safeReturn(c.req.query('return'), orderId);
    const form = {
      email: loaded.line.provisioningContactEmail,
      applyToAllLines: false,
      etag: loaded.line.etag,
      errors: {},
    };
    return c.html(<EditContactPage c={c} loaded={loaded} back={back} form={form} />);
  });

  app.post('/orders/:orderId/lines/:lineId/contact', async (c) => {
    const { orderId, lineId } = c.req.param();
    const ctx = c.get('ctx');
    const body = await c.req.parseBody();
    const back = safeReturn(field(body, 'return'), orderId);
    const email = field(body, 'email');
    const applyToAllLines = field(body, 'applyToAllLines') === 'on';
    const etag = field(body, 'etag');
    try {
      await changeProvisioningContact(ctx, orderId, lineId, {
        email,
        applyToAllLines,
        ...(etag ? { ifMatch: etag } : {}),
      });
    } catch (err) {
      if (!(err instanceof DomainError) || !['validation_failed', 'precondition_failed'].includes(err.code))
        return failure(c, err, 'contact', back, email);
      const loaded = await load(ctx, orderId, lineId);
      const t = translator(c.get('locale'));
      const stale = err.code === 'precondition_failed';
      const form: EditForm = {
        email,
        applyToAllLines,
        // A stale form gets the line's current version: saving again is a deliberate overwrite.
        etag: stale ? loaded.line.etag : etag,
        errors: stale ? {} : fieldMessages(t, err.fields, { email: 'provisioning_ui.new_email' }),
        ...(stale ? { staleEmail: loaded.line.provisioningContactEmail } : {}),
      };
      c.status(stale ? 412 : 422);
      return c.html(<EditContactPage c={c} loaded={loaded} back={back} form={form} />);
    }
    return c.redirect(withOutcome(back, 'contact_changed', lineId), 303);
  });
}
