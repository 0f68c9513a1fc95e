import { type Ctx, inTransaction, type TxCtx } from './context.ts';
import { DomainError } from './errors.ts';

/** Deadlock detected, serialization failure: PostgreSQL rolled the transaction back, it may run again. */
const CONFLICT_SQLSTATES = new Set(['40P01', '40001']);

/** Runs of a transaction that lost to a concurrent one, before the caller is told to try again. */
export const TRANSACTION_ATTEMPTS = 3;

/** What the caller is told after the last attempt: a 503 worth retrying shortly. */
export const CONFLICT_RETRY_AFTER_SECONDS = 1;

export function isTransactionConflict(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && CONFLICT_SQLSTATES.has(code)) return true;
    e = e.cause;
  }
  return false;
}

/**
 * `inTransaction`, run again (up to TRANSACTION_ATTEMPTS times in all) when PostgreSQL rolls it back
 * for a deadlock or a serialization failure, so such a loss never reaches a user as a 500; after the
 * last attempt the caller gets a 503 `transaction_conflict` with Retry-After. `work` must be safe to
 * run again: everything it wrote was rolled back. Inside a caller's transaction it runs once (only
 * the owner of a transaction can run it again).
 */
export async function inRetriedTransaction<T>(ctx: Ctx, work: (txCtx: TxCtx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return inTransaction(ctx, work);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await inTransaction(ctx, work);
    } catch (error) {
      if (!isTransactionConflict(error)) throw error;
      const code = (error as { code?: unknown }).code;
      if (attempt >= TRANSACTION_ATTEMPTS) {
        ctx.log.warn(
          { code, attempts: attempt },
          'transaction lost to concurrent ones; caller told to retry',
        );
        throw new DomainError('transaction_conflict', 503, {
          retryAfterSeconds: CONFLICT_RETRY_AFTER_SECONDS,
        });
      }
      ctx.log.info({ code, attempt }, 'transaction lost to a concurrent one; running it again');
      // A short, random pause, so the transactions that met do not meet again in the same order.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
    }
  }
}
