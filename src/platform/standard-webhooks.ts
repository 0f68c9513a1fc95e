import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing per the Standard Webhooks specification (https://www.standardwebhooks.com): the signed
 * content is `${id}.${timestamp}.${body}`, the key is the base64 part of a `whsec_…` secret, the
 * signature header is `v1,<base64 HMAC-SHA256>` (space-separated when several secrets sign during a
 * rotation). Both outgoing events and fulfilment requests are signed so, and a receiver written with
 * the `standardwebhooks` package verifies them unchanged.
 */

const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: the key length HMAC-SHA256 is built for. */
const SECRET_BYTES = 32;

export function newSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** True for a `whsec_` secret whose key is base64 of at least 24 bytes. */
export function isSigningSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const key = secret.slice(SECRET_PREFIX.length);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(key) && Buffer.from(key, 'base64').length >= 24;
}

function keyOf(secret: string): Buffer {
  if (!isSigningSecret(secret)) throw new Error('not a whsec_ signing secret');
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** The three headers for one delivery of `body` (the exact bytes sent), signed by every secret given. */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  sentAt: Date,
  body: string,
): SignedHeaders {
  if (secrets.length === 0) throw new Error('at least one signing secret is needed');
  const timestamp = String(Math.floor(sentAt.getTime() / 1000));
  const content = `${id}.${timestamp}.${body}`;
  const signature = secrets
    .map((secret) => `v1,${createHmac('sha256', keyOf(secret)).update(content).digest('base64')}`)
    .join(' ');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature };
}
