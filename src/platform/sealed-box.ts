import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Secrets that must be used again (webhook signing secrets sign every delivery), so they cannot be
 * hashed as tokens are: they are sealed with AES-256-GCM under a key from the environment
 * (docs/adr/0031). A sealed value names its key by id, so the key can change: the first key of the
 * ring seals, every key opens. The `context` (e.g. the endpoint's id) is authenticated with it, so a
 * sealed value copied to another row does not open there.
 */

export interface SealingKey {
  /** The first 8 hex characters of the key's SHA-256: which key sealed a value, never the key. */
  readonly id: string;
  readonly key: Buffer;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 's1';

function sealingKey(key: Buffer): SealingKey {
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/** One or more base64 keys of 32 bytes, comma-separated; undefined when any of them is not one. */
export function parseSealingKeys(text: string): SealingKey[] | undefined {
  const parts = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (parts.length === 0) return undefined;
  const keys: SealingKey[] = [];
  for (const part of parts) {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(part)) return undefined;
    const key = Buffer.from(part, 'base64');
    if (key.length !== KEY_BYTES) return undefined;
    keys.push(sealingKey(key));
  }
  return keys;
}

/** A key derived from a text everyone may know: for development, where nothing real is sealed. */
export function sealingKeyFromPassphrase(passphrase: string): SealingKey {
  return sealingKey(createHash('sha256').update(passphrase).digest());
}

/** `s1.<key id>.<iv>.<ciphertext and tag>`, base64url. */
export function seal(keys: readonly SealingKey[], plaintext: string, context: string): string {
  const [current] = keys;
  if (!current) throw new Error('no sealing key');
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', current.key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const sealed = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, current.id, iv.toString('base64url'), sealed.toString('base64url')].join('.');
}

/** The plaintext; throws (without the value) when no key of the ring sealed it or it was altered. */
export function unseal(keys: readonly SealingKey[], sealed: string, context: string): string {
  const [version, keyId, ivText, body] = sealed.split('.');
  if (version !== VERSION || !keyId || !ivText || !body) throw new Error('not a sealed value');
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new Error(`sealed with key ${keyId}, which WEBHOOK_SECRETS_KEY does not hold`);
  const iv = Buffer.from(ivText, 'base64url');
  const bytes = Buffer.from(body, 'base64url');
  if (iv.length !== IV_BYTES || bytes.length < TAG_BYTES) throw new Error('not a sealed value');
  const decipher = createDecipheriv('aes-256-gcm', key.key, iv);
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}
