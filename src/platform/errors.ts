import { REQUEST_BODY_MAX_MEGABYTES } from './limits.ts';

/**
 * Expected refusals carry a stable `code` (the API contract and the message-catalog key under
 * `errors.`), an HTTP status and the parameters their message needs. Anything else thrown is a bug.
 */
export interface FieldError {
  /** JSON path of the field at fault, e.g. "lines[1].provisioningContactEmail". */
  field: string;
  /** Message-catalog key under `validation.`. */
  rule: string;
  params?: Record<string, string | number>;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly params: Record<string, string | number> = {},
    readonly fields: FieldError[] = [],
  ) {
    super(code);
    this.name = 'DomainError';
  }
}

export const notFound = () => new DomainError('not_found', 404);
export const unauthorized = () => new DomainError('unauthorized', 401);
export const forbidden = () => new DomainError('forbidden', 403);
export const payloadTooLarge = () =>
  new DomainError('payload_too_large', 413, { megabytes: REQUEST_BODY_MAX_MEGABYTES });
export const validationFailed = (fields: FieldError[]) =>
  new DomainError('validation_failed', 422, {}, fields);
