import { systemClock } from '../../platform/clock.ts';
import { signWebhook } from '../../platform/standard-webhooks.ts';

/**
 * One signed POST to the vendor's service (docs/adr/0032). The address comes from the operator's own
 * catalogue, like DATABASE_URL or SMTP_URL, so it is not checked against private networks as tenants'
 * webhook addresses are; redirects are still never followed, the exchange has a deadline, and only the
 * first bytes of the answer are read. Nothing here logs: the headers carry the signature.
 */

export const FULFILMENT_TIMEOUT_MS = 15_000;
/** Enough of an answer for its JSON; a longer one is cut (and then fails to parse). */
const ANSWER_MAX_BYTES = 64 * 1024;

export type PostOutcome =
  | { kind: 'answered'; status: number; body: string }
  | { kind: 'failed'; error: 'timeout' | 'connection' };

export async function postSigned(
  url: string,
  secret: string,
  messageId: string,
  body: string,
  timeoutMs = FULFILMENT_TIMEOUT_MS,
): Promise<PostOutcome> {
  // The signature's timestamp is checked by the receiver against its own clock: it is when the request
  // leaves, on the wall clock, whatever clock the domain runs on (tests move theirs).
  const headers = signWebhook([secret], messageId, systemClock.now(), body);
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Provisio-Fulfilment/1', ...headers },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { kind: 'answered', status: res.status, body: await readCapped(res) };
  } catch (error) {
    const name = (error as { name?: string }).name;
    return {
      kind: 'failed',
      error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'connection',
    };
  }
}

async function readCapped(res: Response): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < ANSWER_MAX_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    // A receiver that answers with a flood is not read to its end.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, ANSWER_MAX_BYTES).toString('utf8');
}
