import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { Ctx, TxCtx } from '../../platform/context.ts';
import { DomainError, notFound } from '../../platform/errors.ts';
import { inRetriedTransaction } from '../../platform/transaction-retry.ts';
import { recordAudit } from '../audit/service.ts';
import { advance } from '../subscriptions/advance.ts';
import type { SubscriptionEvent } from '../subscriptions/lifecycle.ts';
import * as repo from './repository.ts';
import {
  type AnswerMessage,
  messageFor,
  type ProvisionAnswer,
  type ProvisionRequestState,
  readSetupSnapshot,
  type SetupSnapshot,
  storedMessage,
  UNREACHABLE_CODE,
} from './schema.ts';

/**
 * Fulfilment requests (docs/adr/0032): made by Provision on an offer someone else provisions, answered by
 * the vendor's service (in its answer to the request, or later through reportProvisionResult), by an
 * operator in the back office, or given up by Provisio when the service never answered. The answer, not
 * the button, moves the subscription on: `advance` writes the stage, billing and events.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ProvisioningRequest {
  subscriptionId: string;
  offerCode: string;
  quantity: number;
  partnerOrgId: string;
  customerOrgId: string;
  mode: 'manual' | 'http';
  setup: SetupSnapshot;
  requestedByUserId: string | null;
}

/** A request as the API, the hub and the back office show it. */
export interface ProvisionRequestView {
  id: string;
  subscriptionId: string;
  action: 'create';
  mode: 'manual' | 'http';
  state: ProvisionRequestState;
  supersedes: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  openedAt: Date;
  acceptedAt: Date | null;
  answeredAt: Date | null;
  answeredBy: 'vendor_service' | 'operator' | 'provisio' | null;
  externalTenantId: string | null;
  code: string | null;
  message: AnswerMessage | null;
  fields: string[];
  setup: SetupSnapshot;
}

export function requestView(row: repo.RequestRow): ProvisionRequestView {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    action: 'create',
    mode: row.mode,
    state: row.state,
    supersedes: row.supersedes,
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    openedAt: row.opened_at,
    acceptedAt: row.accepted_at,
    answeredAt: row.answered_at,
    answeredBy: row.answered_by,
    externalTenantId: row.external_tenant_id,
    code: row.answer_code,
    message: storedMessage(row.answer_message),
    fields: row.answer_fields ?? [],
    setup: readSetupSnapshot(row.setup),
  };
}

/** The setup unchanged since (jsonb keeps its own key order, so this compares values, not text). */
function sameSetup(stored: unknown, now: SetupSnapshot): boolean {
  return isDeepStrictEqual(stored, JSON.parse(JSON.stringify(now)));
}

/**
 * Provision on a fulfilled offer, in Provision's transaction with the subscription locked: a request,
 * and the move to `provisioning` (billing has not started). Pressed again while one waits, it answers
 * that one. After Provisio gave up on an unanswered request whose setup has not changed since, the same
 * request (same id) is sent again, so a vendor that did act on it never makes a second tenant; after a
 * failure or a request for information it is a new request, naming the one it follows.
 */
export async function requestProvisioning(
  tx: TxCtx,
  input: ProvisioningRequest,
): Promise<{ requestId: string; created: boolean }> {
  const latest = await repo.latestRequest(tx.db, input.subscriptionId);
  if (latest?.state === 'open') return { requestId: latest.id, created: false };
  const now = tx.clock.now();
  const sending = input.mode === 'http' ? now : null;
  let requestId: string;
  let again = false;
  if (latest?.state === 'given_up' && latest.mode === input.mode && sameSetup(latest.setup, input.setup)) {
    requestId = latest.id;
    again = true;
    await repo.updateRequest(tx.db, latest.id, 'given_up', {
      state: 'open',
      attempts: 0,
      next_attempt_at: sending,
      last_error: null,
      accepted_at: null,
      answer_code: null,
      answer_message: null,
      answered_by: null,
      answered_by_user_id: null,
      answered_at: null,
      opened_at: now,
      stalled_notified_at: null,
      requested_by_user_id: input.requestedByUserId,
      updated_at: now,
    });
  } else {
    requestId = randomUUID();
    await repo.insertRequest(tx.db, {
      id: requestId,
      subscription_id: input.subscriptionId,
      offer_code: input.offerCode,
      quantity: input.quantity,
      partner_org_id: input.partnerOrgId,
      customer_org_id: input.customerOrgId,
      mode: input.mode,
      setup: JSON.stringify(input.setup),
      supersedes: latest?.id ?? null,
      requested_by_user_id: input.requestedByUserId,
      state: 'open',
      next_attempt_at: sending,
      opened_at: now,
      created_at: now,
      updated_at: now,
    });
  }
  const { moved, refused } = await advance(tx, [input.subscriptionId], {
    type: 'provision_requested',
    provisionRequestId: requestId,
  });
  if (moved.length === 0)
    throw new DomainError('provisioning_not_requestable', 409, { stage: refused[0]?.stage ?? 'unknown' });
  await recordAudit(tx, [
    {
      action: 'fulfilment.requested',
      entityType: 'subscription',
      entityId: input.subscriptionId,
      organizationId: input.partnerOrgId,
      payload: { requestId, mode: input.mode, supersedes: again ? null : (latest?.id ?? null), again },
    },
  ]);
  return { requestId, created: true };
}

/** An answer to record: the vendor's (or an operator's), or Provisio giving up on a silent service. */
export type Answer = ProvisionAnswer | { status: 'given_up'; reason: string };

export interface Answerer {
  by: 'vendor_service' | 'operator' | 'provisio';
  userId?: string | null;
}

function stateOf(answer: Answer): Exclude<ProvisionRequestState, 'open'> {
  return answer.status;
}

/** The same answer again (a retried report, a second click): nothing to do, and not a conflict. */
function sameAnswer(row: repo.RequestRow, answer: Answer): boolean {
  if (row.state !== stateOf(answer)) return false;
  switch (answer.status) {
    case 'succeeded':
      return row.external_tenant_id === answer.externalTenantId;
    case 'failed':
      return row.answer_code === answer.code;
    case 'needs_info':
      return JSON.stringify(row.answer_fields ?? []) === JSON.stringify(answer.fields);
    case 'given_up':
      return true;
  }
}

function eventFor(row: repo.RequestRow, answer: Answer): SubscriptionEvent {
  switch (answer.status) {
    case 'succeeded':
      return {
        type: 'activated',
        externalTenantId: answer.externalTenantId,
        provisionedByUserId: row.requested_by_user_id,
      };
    case 'failed':
      return {
        type: 'provisioning_failed',
        provisionRequestId: row.id,
        code: answer.code,
        message: messageFor(answer.message, 'en') ?? '',
      };
    case 'needs_info':
      return {
        type: 'information_requested',
        provisionRequestId: row.id,
        fields: answer.fields,
        message: messageFor(answer.message, 'en') ?? '',
      };
    case 'given_up':
      return {
        type: 'provisioning_failed',
        provisionRequestId: row.id,
        code: UNREACHABLE_CODE,
        message: answer.reason,
      };
  }
}

function answerColumns(answer: Answer) {
  switch (answer.status) {
    case 'succeeded':
      return { external_tenant_id: answer.externalTenantId };
    case 'failed':
      return { answer_code: answer.code, answer_message: JSON.stringify(answer.message) };
    case 'needs_info':
      return { answer_fields: answer.fields, answer_message: JSON.stringify(answer.message) };
    case 'given_up':
      return { answer_code: UNREACHABLE_CODE, answer_message: JSON.stringify(answer.reason) };
  }
}

/**
 * Records the answer to an open request and moves the subscription by it, in one transaction: the
 * subscription is locked before the request (Provision's order), so an answer and a press of Provision
 * queue. The same answer again is answered as it was (`repeated`); a different one, or any answer to a
 * request that is no longer open, is refused with 409 `provision_request_answered`.
 */
export async function answerRequest(
  ctx: Ctx,
  requestId: string,
  answer: Answer,
  answerer: Answerer,
): Promise<{ request: ProvisionRequestView; repeated: boolean }> {
  if (!UUID.test(requestId)) throw notFound();
  return inRetriedTransaction(ctx, async (tx) => {
    const found = await repo.findRequest(tx.db, requestId);
    if (!found) throw notFound();
    await repo.lockSubscription(tx.db, found.subscription_id);
    const row = await repo.lockRequest(tx.db, requestId);
    if (!row) throw notFound();
    if (row.state !== 'open') {
      if (sameAnswer(row, answer)) return { request: requestView(row), repeated: true };
      throw new DomainError('provision_request_answered', 409, { state: row.state });
    }
    const now = tx.clock.now();
    const updated = await repo.updateRequest(tx.db, requestId, 'open', {
      ...answerColumns(answer),
      state: stateOf(answer),
      next_attempt_at: null,
      answered_by: answerer.by,
      answered_by_user_id: answerer.userId ?? null,
      answered_at: now,
      updated_at: now,
    });
    if (!updated) throw new Error(`provision request ${requestId} changed under its lock`);
    const { moved, refused } = await advance(tx, [row.subscription_id], eventFor(row, answer));
    // An open request and a subscription in `provisioning` go together (Provision makes both).
    if (moved.length !== 1)
      throw new Error(`subscription ${row.subscription_id} is ${refused[0]?.stage}, its request is open`);
    await recordAudit(tx, [
      {
        action: 'fulfilment.answered',
        entityType: 'subscription',
        entityId: row.subscription_id,
        organizationId: row.partner_org_id,
        payload: {
          requestId,
          state: stateOf(answer),
          by: answerer.by,
          code:
            answer.status === 'failed' ? answer.code : answer.status === 'given_up' ? UNREACHABLE_CODE : null,
        },
      },
    ]);
    const after = await repo.findRequest(tx.db, requestId);
    if (!after) throw notFound();
    return { request: requestView(after), repeated: false };
  });
}

/** The latest request of each subscription (hub, order page, service setup, getSubscription). */
export async function latestRequestViews(
  ctx: Ctx,
  subscriptionIds: readonly string[],
): Promise<Map<string, ProvisionRequestView>> {
  const rows = await repo.latestRequests(ctx.db, subscriptionIds);
  return new Map(rows.map((r) => [r.subscription_id, requestView(r)]));
}
