import { displayEmail } from '../../platform/email.ts';
import { formatDateTime } from '../../platform/format.ts';
import { translator } from '../../platform/i18n.ts';
import type { JoinRequest } from '../identity/join-requests.ts';
import { page, type Visit } from './wizard-render.tsx';

/**
 * What the link shows while an organization's admins decide (docs/adr/0022): the subscription
 * waits, nothing was granted, and the seeds' safety stop is repeated with the way out.
 */
export function waitingPage(v: Visit, request: JoinRequest) {
  const t = translator(v.locale);
  const values = { organization: request.organizationName, email: displayEmail(request.subjectEmail) };
  return page(
    v,
    t('consent.waiting.title'),
    <>
      <p class="status status-awaiting_approval">{t('consent.status.awaiting_approval')}</p>
      {v.summary ?? null}
      <div class="notice" role="status">
        <p>{t(`consent.waiting.detail_${request.reason}`, values)}</p>
        <p>{t('consent.waiting.nothing_granted')}</p>
        <p class="muted">
          {t('consent.waiting.since', { date: formatDateTime({ locale: v.locale }, request.requestedAt) })}
        </p>
      </div>
      <p>{t('consent.waiting.safety')}</p>
      <form method="post" action={`/setup/${v.token}`}>
        <input type="hidden" name="nav" value="withdraw" />
        <button type="submit" class="secondary">
          {t('consent.waiting.withdraw')}
        </button>
      </form>
    </>,
  );
}

/** On the first step after a refusal or a withdrawal: what happened and what to do next. */
export function ConsentNotice(props: { v: Visit; request: JoinRequest | undefined }) {
  const { request } = props;
  if (!request || request.status === 'pending' || request.status === 'approved') return null;
  const t = translator(props.v.locale);
  return (
    <p class={request.status === 'refused' ? 'error' : 'notice'} role="alert">
      {t(`consent.notice.${request.status}`, { organization: request.organizationName })}
    </p>
  );
}
