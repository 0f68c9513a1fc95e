import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import { defineJob } from '../../platform/jobs.ts';
import * as repo from './repository.ts';
import { answerRequest } from './requests.ts';
import {
  type AnswerMessage,
  answerCodeSchema,
  answerMessageSchema,
  provisionAnswerSchema,
  readSetupSnapshot,
} from './schema.ts';
import { postSigned } from './transport.ts';

/**
 * Sends http fulfilment requests (docs/adr/0032): `{"type": "provision_request.create", "timestamp",
 * "data"}` signed per Standard Webhooks with FULFILMENT_SIGNING_SECRET, the request's id as `webhook-id`
 * on every attempt, the same body every time. The vendor's answer decides: 200 with a result, 202 (it
 * reports later), a 4xx (failed); timeouts, 5xx and anything else are tried again on a schedule, and
 * when that runs out Provisio gives the request up (the subscription shows it failed; Retry sends the
 * same request again).
 */

/** Waits after each failed attempt: about 30 s, 2 min, 10 min, 1 h, 4 h, 8 h (each up to 10% later). */
export const RETRY_DELAYS_SECONDS = [30, 120, 600, 3600, 4 * 3600, 8 * 3600] as const;
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;
/** Requests claimed, and sent at once, per round. */
const BATCH = 10;

export const PROVISION_REQUEST_TYPE = 'provision_request.create';

/** The body sent for a request: built from the row, so every attempt sends the same bytes. */
export async function requestBody(
  ctx: Ctx,
  requestId: string,
): Promise<{ url: string | null; body: string } | undefined> {
  const r = await repo.sendingDetails(ctx.db, requestId);
  if (!r) return undefined;
  const services = await repo.lineServices(ctx.db, r.line_id);
  const setup = readSetupSnapshot(r.setup);
  const data = {
    id: r.id,
    action: 'create' as const,
    subscriptionId: r.subscription_id,
    supersedes: r.supersedes,
    offer: { code: r.offer_code, name: r.offer_name },
    quantity: r.quantity,
    services: services.map((s) => ({ code: s.service_code, quantity: s.quantity })),
    order: { id: r.order_id, number: r.order_number, reference: r.reference },
    partner: { id: r.partner_org_id, name: r.partner_name },
    billTo: { id: r.placed_by_org_id },
    customer: { id: r.customer_org_id, name: r.customer_name, country: r.customer_country },
    setup,
    reportUrl: `${ctx.config.publicUrl}/api/v1/provision-requests/${r.id}/result`,
  };
  const body = JSON.stringify({ type: PROVISION_REQUEST_TYPE, timestamp: r.opened_at.toISOString(), data });
  return { url: r.offer_mode === 'http' ? r.fulfilment_url : null, body };
}

type Verdict =
  | { kind: 'answer'; answer: z.infer<typeof provisionAnswerSchema> }
  | { kind: 'accepted' }
  | { kind: 'retry'; error: string };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** What a refusal's body says, each part taken only when it is well formed. */
function refusalOf(json: unknown): { code?: string; message?: AnswerMessage } {
  const body = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const code = answerCodeSchema.safeParse(body.code);
  const message = answerMessageSchema.safeParse(body.message);
  // problem+json (RFC 9457) says it in `detail`.
  const detail = answerMessageSchema.safeParse(body.detail);
  const said = message.success ? message.data : detail.success ? detail.data : undefined;
  return { ...(code.success ? { code: code.data } : {}), ...(said === undefined ? {} : { message: said }) };
}

/** What an answer of the vendor's service means for the request. */
export function verdictOf(status: number, body: string): Verdict {
  const json = parseJson(body);
  if (status >= 200 && status < 300) {
    const answer = provisionAnswerSchema.safeParse(json);
    if (answer.success) return { kind: 'answer', answer: answer.data };
    // 200 promises a result: one that cannot be read is a receiver's bug, worth another try.
    if (status === 200) return { kind: 'retry', error: 'HTTP 200 without a valid result' };
    return { kind: 'accepted' };
  }
  if (status === 408 || status === 425 || status === 429 || status >= 500)
    return { kind: 'retry', error: `HTTP ${status}` };
  if (status >= 400) {
    const said = refusalOf(json);
    return {
      kind: 'answer',
      answer: {
        status: 'failed',
        code: said.code ?? `http_${status}`,
        message: said.message ?? `The vendor's service refused the request (HTTP ${status}).`,
      },
    };
  }
  return {
    kind: 'retry',
    error: status >= 300 ? `HTTP ${status}: redirects are not followed` : `HTTP ${status}`,
  };
}

/** When the attempt after `attempts` failed ones is due, with up to 10% jitter so retries spread. */
export function nextAttemptAt(now: Date, attempts: number): Date {
  const delay = RETRY_DELAYS_SECONDS[Math.min(attempts, RETRY_DELAYS_SECONDS.length) - 1] ?? 30;
  return new Date(now.getTime() + delay * 1000 * (1 + Math.random() * 0.1));
}

async function sendOne(
  ctx: Ctx,
  claim: { id: string; attempts: number },
): Promise<'answered' | 'accepted' | 'retrying' | 'given_up'> {
  const built = await requestBody(ctx, claim.id);
  if (!built) return 'answered';
  const secret = ctx.config.fulfilmentSigningSecret;
  let verdict: Verdict;
  if (!built.url) verdict = { kind: 'retry', error: 'the offer is no longer fulfilled over http' };
  else if (!secret) verdict = { kind: 'retry', error: 'FULFILMENT_SIGNING_SECRET is not set' };
  else {
    const outcome = await postSigned(built.url, secret, claim.id, built.body);
    verdict =
      outcome.kind === 'failed'
        ? { kind: 'retry', error: outcome.error === 'timeout' ? 'no answer in time' : 'connection failed' }
        : verdictOf(outcome.status, outcome.body);
  }
  const now = ctx.clock.now();
  switch (verdict.kind) {
    case 'answer':
      await answerRequest(ctx, claim.id, verdict.answer, { by: 'vendor_service' }).catch((error) => {
        // A report through the API got there first: that answer stands.
        if ((error as { code?: string }).code !== 'provision_request_answered') throw error;
      });
      return 'answered';
    case 'accepted':
      await repo.updateRequest(
        ctx.db,
        claim.id,
        'open',
        { accepted_at: now, next_attempt_at: null, last_error: null, updated_at: now },
        claim.attempts,
      );
      return 'accepted';
    case 'retry':
      if (claim.attempts >= MAX_ATTEMPTS) {
        await answerRequest(
          ctx,
          claim.id,
          {
            status: 'given_up',
            reason: `The vendor's service did not answer after ${claim.attempts} attempts (${verdict.error}).`,
          },
          { by: 'provisio' },
        ).catch((error) => {
          if ((error as { code?: string }).code !== 'provision_request_answered') throw error;
        });
        return 'given_up';
      }
      await repo.updateRequest(
        ctx.db,
        claim.id,
        'open',
        { next_attempt_at: nextAttemptAt(now, claim.attempts), last_error: verdict.error, updated_at: now },
        claim.attempts,
      );
      return 'retrying';
  }
}

/**
 * Sends every http request due by now, a batch at a time, until none is due or `signal` ends the slice.
 * Each claim is leased for `leaseSeconds`: a worker killed mid-request leaves it due again after that.
 */
export async function sendDueProvisionRequests(
  ctx: Ctx,
  signal?: AbortSignal,
  leaseSeconds = 120,
): Promise<Record<'answered' | 'accepted' | 'retrying' | 'given_up', number>> {
  const counts = { answered: 0, accepted: 0, retrying: 0, given_up: 0 };
  while (!signal?.aborted) {
    const now = ctx.clock.now();
    const claimed = await repo.claimDue(ctx.db, now, new Date(now.getTime() + leaseSeconds * 1000), BATCH);
    if (claimed.length === 0) break;
    // One request's trouble (a database error recording its answer) does not stop the others': its
    // claim runs out and it is sent again; the first such error fails the job, which pg-boss retries.
    const outcomes = await Promise.allSettled(claimed.map((c) => sendOne(ctx, c)));
    for (const o of outcomes) if (o.status === 'fulfilled') counts[o.value] += 1;
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    if (claimed.length < BATCH) break;
  }
  return counts;
}

export const sendProvisionRequestsJob = defineJob({
  name: 'fulfilment.send-requests',
  payload: z.object({}),
  policy: 'stately',
  retry: { limit: 2, delaySeconds: 10 },
  // Retries fall due on their own schedule: the minute's run sends them.
  schedule: { cron: '* * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const counts = await sendDueProvisionRequests(ctx, job.signal, job.expireInSeconds * 2);
    if (counts.answered || counts.accepted || counts.retrying || counts.given_up)
      ctx.log.info(counts, 'fulfilment requests sent');
  },
});
