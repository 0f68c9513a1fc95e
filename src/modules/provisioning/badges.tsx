import type { Translate } from '../../platform/i18n.ts';
import { Badge, type Tone } from '../../platform/ui/components.tsx';
import type { LineStatus } from '../orders/lifecycle.ts';
import type { TransactionStatus } from './schema.ts';

/**
 * The one badge per stage a line or subscription goes through, wherever it is shown (order list and
 * page, Cloud/SaaS Subscriptions, Transaction Manager): the same words and the same tone everywhere.
 */
const LINE_TONES: Record<LineStatus, Tone> = {
  scheduled: 'neutral',
  awaiting_provisioning_details: 'warning',
  provisioned: 'success',
  closed: 'neutral',
};

/** `status` as a row holds it (a text column): one of LINE_STATUSES, which the database's check ensures. */
export function LineStatusBadge({ t, status }: { t: Translate; status: LineStatus | (string & {}) }) {
  const tone = Object.hasOwn(LINE_TONES, status) ? LINE_TONES[status as LineStatus] : 'neutral';
  return <Badge tone={tone}>{t(`status.${status}`)}</Badge>;
}

/** A subscription waiting for, or no longer waiting for, an organization's approval (ADR 0022). */
export type ApprovalStage = 'awaiting_approval' | 'approval_expired';

export function StageBadge({ t, stage }: { t: Translate; stage: ApprovalStage }) {
  return (
    <Badge tone={stage === 'awaiting_approval' ? 'info' : 'warning'}>{t(`consent.status.${stage}`)}</Badge>
  );
}

type TransactionType = 'provisioning_email_update' | 'provisioning_email_resend';

/**
 * A transaction's badge. A contact change is done once it is saved and its email (if one was due)
 * has gone: the lines it touched read "Completed" alike, whether their email went now (`sent`) or
 * goes on the start date (`completed`); the note below says which.
 */
export function transactionLabel(type: TransactionType, status: TransactionStatus): TransactionStatus {
  return type === 'provisioning_email_update' && status === 'sent' ? 'completed' : status;
}

const TRANSACTION_TONES: Record<TransactionStatus, Tone> = {
  submitted: 'info',
  sent: 'success',
  completed: 'success',
  failed: 'danger',
};

export function TransactionStatusBadge(props: {
  t: Translate;
  type: TransactionType;
  status: TransactionStatus;
}) {
  const label = transactionLabel(props.type, props.status);
  return <Badge tone={TRANSACTION_TONES[label]}>{props.t(`transactions.statuses.${label}`)}</Badge>;
}
