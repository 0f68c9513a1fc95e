import type { Child } from 'hono/jsx';
import type { Translate } from '../../platform/i18n.ts';
import { oneFinalPeriod } from '../../platform/sentence.ts';
import { Callout } from '../../platform/ui/components.tsx';
import type { OrderLineView } from '../orders/schema.ts';
import type { FailedDelivery } from './delivery.ts';
import type { LineActionState } from './line-state.ts';

/**
 * The provisioning contact's actions on one order line (C4, C5, C7, C6), shared by the order page
 * and the Cloud/SaaS Subscriptions page: each passes where the forms should come back to.
 */

const UUID = /^\/orders\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SUBSCRIPTIONS = /^\/subscriptions(\?[\w.~%=&+-]*)?$/;

/** Where a form may send the browser back to: the order page or the subscriptions page, never elsewhere. */
export function safeReturn(value: unknown, orderId: string): string {
  if (typeof value === 'string' && (UUID.test(value) || SUBSCRIPTIONS.test(value))) return value;
  return `/orders/${orderId}`;
}

/** The return path with the outcome to announce there. */
export type Outcome = 'resent' | 'contact_changed' | 'started_now';

export function withOutcome(path: string, done: Outcome, lineId: string): string {
  const [base = '', query = ''] = path.split('?');
  const params = new URLSearchParams(query);
  params.set('done', done);
  params.set('line', lineId);
  return `${base}?${params}`;
}

export function linePath(
  orderId: string,
  lineId: string,
  action: 'resend' | 'contact' | 'start-now',
  back?: string,
): string {
  const url = `/orders/${orderId}/lines/${lineId}/${action}`;
  return back ? `${url}?${new URLSearchParams({ return: back })}` : url;
}

/** A translated sentence with one value replaced by markup (a link): the rest stays text. */
export function WithLink(props: { text: string; marker: string; children?: Child }) {
  const [before = '', after = ''] = props.text.split(props.marker);
  return (
    <>
      {before}
      {props.children}
      {after}
    </>
  );
}

export function PonrMessage({ t, adminHubUrl }: { t: Translate; adminHubUrl: string }) {
  const marker = '\uE000hub\uE000';
  return (
    <WithLink text={t('provisioning_ui.ponr', { adminHubUrl: marker })} marker={marker}>
      <a href={adminHubUrl} rel="noopener">
        {adminHubUrl}
      </a>
    </WithLink>
  );
}

export function askPlacer(t: Translate, placer: LineActionState['placer']): string {
  return oneFinalPeriod(
    placer.email
      ? t('provisioning_ui.ask_placer', { name: placer.name, email: placer.email })
      : t('provisioning_ui.ask_placer_no_email', { name: placer.name }),
  );
}

export interface LineActionsProps {
  t: Translate;
  orderId: string;
  line: Pick<OrderLineView, 'id' | 'provisioningContactEmail' | 'subscriptionId'>;
  state: LineActionState;
  adminHubUrl: string;
  /** Where the forms come back to (the page showing this line). */
  back: string;
  /** The sender address partners allow-list (troubleshooting). */
  sender: string;
  /** The latest resend or contact change of this line, when its email could not be delivered. */
  failure?: FailedDelivery | undefined;
}

/** Resend (with its confirmation dialog) and Edit beside the line's provisioning contact email. */
export function LineProvisioningActions(p: LineActionsProps) {
  const { t, line, state } = p;
  if (state.blocked === 'point_of_no_return') {
    return (
      <p class="prov-ponr" id={`ponr-${line.id}`}>
        <PonrMessage t={t} adminHubUrl={p.adminHubUrl} />
      </p>
    );
  }
  if (state.blocked === 'no_edit_rights') {
    const hint = `hint-${line.id}`;
    return (
      <div class="prov-actions">
        <button type="button" disabled aria-describedby={hint}>
          {t('provisioning_ui.resend')}
        </button>
        <button type="button" disabled aria-describedby={hint}>
          {t('provisioning_ui.edit')}
        </button>
        <p class="muted prov-hint" id={hint}>
          {askPlacer(t, state.placer)}
        </p>
      </div>
    );
  }
  return (
    <div class="prov-actions">
      {state.resendAvailable ? (
        <ConfirmedAction {...p} action="resend" />
      ) : (
        <span class="muted prov-hint">{t('provisioning_ui.not_sent_yet')}</span>
      )}
      {state.startNowAvailable ? <ConfirmedAction {...p} action="start-now" /> : null}
      <a class="button secondary" href={linePath(p.orderId, line.id, 'contact', p.back)}>
        {t('provisioning_ui.edit')}
      </a>
      {p.failure ? <DeliveryFailure {...p} failure={p.failure} /> : null}
    </div>
  );
}

/** The line's actions that ask first; Start now's question says what changes: the start date, the email. */
const CONFIRMED_ACTIONS = {
  resend: {
    button: 'provisioning_ui.resend',
    title: 'provisioning_ui.resend_title',
    question: 'provisioning_ui.resend_question',
  },
  'start-now': {
    button: 'provisioning_ui.start_now',
    title: 'provisioning_ui.start_now_title',
    question: 'provisioning_ui.start_now_question',
  },
} as const;

function ConfirmedAction(p: LineActionsProps & { action: keyof typeof CONFIRMED_ACTIONS }) {
  const { t, line } = p;
  const texts = CONFIRMED_ACTIONS[p.action];
  const dialogId = `${p.action}-${line.id}`;
  const titleId = `${p.action}-title-${line.id}`;
  return (
    <>
      {/* Without script the link opens the same confirmation as a page. */}
      <a
        class="button"
        href={linePath(p.orderId, line.id, p.action, p.back)}
        data-dialog={dialogId}
        aria-haspopup="dialog"
      >
        {t(texts.button)}
      </a>
      {/* The dialog's card is an article (the design system's modal): it is as wide as a phone allows. */}
      <dialog id={dialogId} aria-labelledby={titleId} class="confirm-dialog">
        <article>
          <form method="post" action={linePath(p.orderId, line.id, p.action)}>
            <h2 id={titleId}>{t(texts.title)}</h2>
            <p class="prov-question">{t(texts.question, { email: line.provisioningContactEmail })}</p>
            <input type="hidden" name="return" value={p.back} />
            <footer class="button-row">
              <button type="submit">{t('provisioning_ui.yes')}</button>
              <button type="submit" formmethod="dialog" formnovalidate class="secondary">
                {t('provisioning_ui.cancel')}
              </button>
            </footer>
          </form>
        </article>
      </dialog>
    </>
  );
}

function DeliveryFailure(p: LineActionsProps & { failure: FailedDelivery }) {
  const { t, failure } = p;
  const reason = failure.reason ?? '';
  return (
    <details class="prov-failed">
      <summary>{t('provisioning_ui.delivery_failed', { email: failure.to })}</summary>
      {reason ? <p class="muted">{t('provisioning_ui.delivery_reason', { reason })}</p> : null}
      <Troubleshooting
        t={t}
        id={`trouble-${p.line.id}`}
        sender={p.sender}
        action={failure.action}
        subscriptionId={p.line.subscriptionId}
        description={t('provisioning_ui.case_delivery', {
          subscription: p.line.subscriptionId,
          email: failure.to,
          reason,
        })}
      />
    </details>
  );
}

/** The outcome of a resend or edit, announced on the page it came back to. */
export function ProvisioningNotice(props: {
  t: Translate;
  done: string | undefined;
  line: Pick<OrderLineView, 'provisioningContactEmail'> | undefined;
}) {
  const { t, done, line } = props;
  const messages: Record<Outcome, string> = {
    resent: 'provisioning_ui.resent',
    contact_changed: 'provisioning_ui.contact_updated',
    started_now: 'provisioning_ui.started_now',
  };
  const key = done && Object.hasOwn(messages, done) ? messages[done as Outcome] : undefined;
  if (!line || !key) return null;
  return (
    <Callout tone="success">
      <p>{t(key, { email: line.provisioningContactEmail })}</p>
    </Callout>
  );
}

export type FailedAction = 'resend' | 'contact' | 'start_now';

/** The seeds' troubleshooting steps and a support case pre-filled with what failed (C11, C12). */
export function Troubleshooting(props: {
  t: Translate;
  id: string;
  sender: string;
  action: FailedAction;
  subscriptionId: string | undefined;
  description: string;
}) {
  const { t } = props;
  const query = new URLSearchParams({
    requestType:
      props.action === 'resend' ? 'resend_provisioning_email' : 'change_provisioning_contact_email',
    ...(props.subscriptionId ? { subscriptionId: props.subscriptionId } : {}),
    description: props.description,
  });
  return (
    <section class="prov-trouble" aria-labelledby={props.id}>
      <h2 id={props.id}>{t('provisioning_ui.trouble_heading')}</h2>
      <ul>
        <li>{t('provisioning_ui.trouble_spam')}</li>
        <li>{t('provisioning_ui.trouble_allow', { sender: props.sender })}</li>
        <li>{t('provisioning_ui.trouble_cache')}</li>
        <li>{t('provisioning_ui.trouble_browser')}</li>
        <li>{t('provisioning_ui.trouble_incognito')}</li>
      </ul>
      <p>{t('provisioning_ui.open_case_intro')}</p>
      <p>
        <a class="button" href={`/support/cases/new?${query}`}>
          {t('provisioning_ui.open_case')}
        </a>
      </p>
    </section>
  );
}
