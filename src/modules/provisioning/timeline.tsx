import type { Hono } from 'hono';
import { formatDateTime, type Reader, readerOf } from '../../platform/format.ts';
import type { Translate } from '../../platform/i18n.ts';
import { translator } from '../../platform/i18n.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { StageBadge } from './badges.tsx';
import {
  daysLeft,
  getLineHistory,
  type LineFacts,
  type LineHistory,
  policyDeadline,
  renderEntry,
  renderNextStep,
} from './timeline.ts';

/**
 * Beside a line's status: when billing starts if nobody sets it up, or, on a closed line whose
 * provisioning is still pending, the message that links to the Cloud/SaaS Subscriptions page.
 */
export function LineDeadline({ t, facts, now }: { t: Translate; facts: LineFacts | undefined; now: Date }) {
  if (!facts) return null;
  const approval = facts.awaitingApprovalOf ? (
    <div class="pending-note" role="note">
      <StageBadge t={t} stage="awaiting_approval" /> {facts.awaitingApprovalOf}
    </div>
  ) : facts.approvalExpiredOf ? (
    <div class="pending-note" role="note">
      <StageBadge t={t} stage="approval_expired" /> {facts.approvalExpiredOf}
      <div class="muted">{t('consent.status.approval_expired_next')}</div>
    </div>
  ) : null;
  const deadline = policyDeadline(facts);
  if (deadline) {
    const count = daysLeft(deadline, now);
    return (
      <>
        {approval}
        <div class="deadline">
          {count === 0 ? t('timeline.billing_today') : t('timeline.billing_in', { count })}
        </div>
      </>
    );
  }
  if (facts.status === 'closed' && !facts.mappedAt && !facts.provisionedAt) {
    return (
      <>
        {approval}
        <div class="pending-note" role="note">
          {t('timeline.closed_pending')} <a href="/subscriptions">{t('timeline.click_here')}</a>
        </div>
      </>
    );
  }
  return approval;
}

export function LineHistoryList({
  t,
  reader,
  history,
}: {
  t: Translate;
  reader: Reader;
  history: LineHistory;
}) {
  return (
    <div class="timeline" id={`history-${history.lineId}`}>
      <ol>
        {history.entries.map((entry) => (
          <li>
            <time datetime={entry.at}>{formatDateTime(reader, entry.at)}</time> · {renderEntry(t, entry)}
            {entry.actor ? <span class="muted"> · {t('timeline.by', { actor: entry.actor })}</span> : null}
          </li>
        ))}
      </ol>
      <p class="next">
        <strong>{t('timeline.next_label')}</strong> {renderNextStep(t, reader, history.next)}
      </p>
    </div>
  );
}

/**
 * A line's history, folded; opening it loads the history (htmx), so an order of many lines costs
 * nothing until someone looks. Without script, the link inside shows the same fragment.
 */
export function LineHistoryDetails(props: { t: Translate; orderId: string; lineId: string }) {
  const url = `/orders/${props.orderId}/lines/${props.lineId}/history`;
  return (
    <details class="line-history" hx-get={url} hx-trigger="toggle once" hx-target="find .timeline-slot">
      <summary>{props.t('timeline.title')}</summary>
      <div class="timeline-slot">
        <a href={url}>{props.t('timeline.title')}</a>
      </div>
    </details>
  );
}

/**
 * The history: a fragment for htmx (the folded panel on the order page), a page of its own for the
 * link a browser without script follows (title, language, landmarks, a way back).
 */
export function registerTimelinePages(app: Hono<UserEnv>): void {
  app.use('/orders/:orderId/lines/:lineId/history', requireUser());
  app.get('/orders/:orderId/lines/:lineId/history', async (c) => {
    const locale = c.get('locale');
    const t = translator(locale);
    const orderId = c.req.param('orderId');
    const history = await getLineHistory(c.get('ctx'), orderId, c.req.param('lineId'));
    const list = <LineHistoryList t={t} reader={readerOf(locale, c.get('user'))} history={history} />;
    c.header('Vary', 'HX-Request');
    if (c.req.header('HX-Request') === 'true') return c.html(list);
    const title = t('timeline.page_title', { subscription: history.subscriptionId });
    return c.html(
      <Layout t={t} locale={locale} title={title} path={c.req.path} user={c.get('user')}>
        <p>
          <a href={`/orders/${orderId}`}>← {t('provisioning_ui.back')}</a>
        </p>
        <h1>
          {t('timeline.page_heading')} <span class="id">{history.subscriptionId}</span>
        </h1>
        {list}
      </Layout>,
    );
  });
}
