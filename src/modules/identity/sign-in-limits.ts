import type { Ctx } from '../../platform/context.ts';
import { DomainError } from '../../platform/errors.ts';
import { hashToken } from '../../platform/secrets.ts';
import * as repo from './repository.ts';

/**
 * How fast passwords may be guessed (docs/adr/0007). Every attempt is counted before its password
 * is checked, in PostgreSQL, so the limits hold across concurrent requests and processes:
 * - per (address, client): PER_ADDRESS_AND_CLIENT attempts per window. A stranger elsewhere cannot
 *   lock a user out, and a successful sign-in starts the pair afresh;
 * - per client: PER_CLIENT attempts per window, whatever the address. A successful sign-in gives
 *   its attempt back, so this counts failures (a busy office behind one address is not refused).
 */
export const SIGN_IN_LIMITS = {
  windowMinutes: 15,
  perAddressAndClient: 5,
  perClient: 50,
} as const;

/** Expired buckets removed by each counting statement: more than the (at most two) it can create. */
const PURGE_BATCH = 20;

export interface SignInBucketKeys {
  pairKey: string;
  clientKey: string;
}

/** The buckets' names: hashes of what they count, never the address itself. */
export function signInBucketKeys(address: string, client: string): SignInBucketKeys {
  return {
    pairKey: hashToken(`address_client\n${address}\n${client}`),
    clientKey: hashToken(`client\n${client}`),
  };
}

/** Counts an attempt for `address` (normalized) from `client`; refuses it (429) when over a limit. */
export async function admitSignInAttempt(ctx: Ctx, keys: SignInBucketKeys): Promise<void> {
  const now = ctx.clock.now();
  const windowStart = new Date(now.getTime() - SIGN_IN_LIMITS.windowMinutes * 60_000);
  const { pairAdmitted, clientAdmitted } = await repo.countSignInAttempt(
    ctx.db,
    {
      ...keys,
      pairLimit: SIGN_IN_LIMITS.perAddressAndClient,
      clientLimit: SIGN_IN_LIMITS.perClient,
    },
    now,
    windowStart,
    PURGE_BATCH,
  );
  if (!pairAdmitted) {
    throw new DomainError('too_many_sign_in_attempts', 429, { minutes: SIGN_IN_LIMITS.windowMinutes });
  }
  if (!clientAdmitted) {
    throw new DomainError('too_many_sign_in_attempts_from_client', 429, {
      minutes: SIGN_IN_LIMITS.windowMinutes,
    });
  }
}

/** A successful sign-in: the pair's count is cleared and the client's attempt given back. */
export function settleSignIn(ctx: Ctx, keys: SignInBucketKeys): Promise<void> {
  return repo.settleSignIn(ctx.db, keys.pairKey, keys.clientKey);
}
