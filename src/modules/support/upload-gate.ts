import type { MiddlewareHandler } from 'hono';
import { DomainError } from '../../platform/errors.ts';

/**
 * At most `limit` support cases with files are received at once by this process: each holds its
 * parsed body (up to 26 MB) in memory while its files are written. One more is refused before its
 * body is read, with 503 and Retry-After, rather than queued behind the others without bound.
 * The count belongs to the app that created the gate, never to the module.
 */
export function supportUploadGate(limit: number): MiddlewareHandler {
  let inFlight = 0;
  return async (_c, next) => {
    if (inFlight >= limit) throw new DomainError('support_uploads_busy', 503);
    inFlight += 1;
    try {
      await next();
    } finally {
      inFlight -= 1;
    }
  };
}
