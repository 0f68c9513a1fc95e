import { z } from '@hono/zod-openapi';
import { RETRY_AFTER_SECONDS } from './http.ts';
import { REQUEST_BODY_MAX_MEGABYTES } from './limits.ts';

export const problemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:provisio:problem:validation_failed' }),
    title: z.string(),
    status: z.number().int(),
    code: z.string().openapi({ description: 'Stable machine-readable code.', example: 'validation_failed' }),
    detail: z
      .string()
      .openapi({ description: "Human-readable message in the caller's language (Accept-Language)." }),
    requestId: z.string(),
    errors: z
      .array(z.object({ field: z.string(), code: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: 'For validation errors: each field at fault.' }),
  })
  .openapi('Problem', {
    description: 'RFC 9457 problem details, sent as `application/problem+json`.',
    example: {
      type: 'urn:provisio:problem:not_found',
      title: 'Not found',
      status: 404,
      code: 'not_found',
      detail: 'There is nothing here, or you do not have access to it.',
      requestId: '5f0c6a2e-2b7e-4c57-9d0e-8f3b1c2d4e5f',
    },
  });

/** A refusal documented on one operation, with what its `code` means there. */
export const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

const retryAfter = {
  'Retry-After': {
    required: true,
    description: 'Seconds to wait before trying again.',
    schema: { type: 'integer', minimum: 1 },
  },
} as const;

/** A 429 an operation can send: its own code, and when to try again. */
export const rateLimited = (description: string) => ({ ...problem(description), headers: retryAfter });

/** A 503 an operation can send besides the database being out of reach (e.g. a query that took too long). */
export const unavailable = (description: string) => ({ ...problem(description), headers: retryAfter });

/**
 * Refusals any operation can send, whoever wrote it: the document gives them to every operation they
 * apply to (`withSharedResponses`), so a new route is documented truthfully without repeating them. An
 * operation that documents a status itself keeps its own wording.
 */
type Applies = 'always' | 'secured' | 'body' | 'input';
/**
 * Where an operation documents the status itself: `replace` (the shared one says it all), `merge` (both
 * codes can come: descriptions joined, the shared headers kept), `keep` (the operation's is more exact).
 */
type Overlap = 'replace' | 'merge' | 'keep';
interface SharedResponse {
  status: string;
  name: string;
  applies: Applies;
  overlap: Overlap;
  response: { description: string; headers?: Record<string, unknown>; content: unknown };
}
const problemRef = { $ref: '#/components/schemas/Problem' };
const problemContent = { 'application/problem+json': { schema: problemRef } };
const SHARED: SharedResponse[] = [
  {
    status: '400',
    overlap: 'merge',
    name: 'MalformedRequest',
    applies: 'body',
    response: { description: '`malformed_request`: the body is not valid JSON.', content: problemContent },
  },
  {
    status: '401',
    overlap: 'replace',
    name: 'Unauthorized',
    applies: 'secured',
    response: {
      description: '`unauthorized`: the API key is missing or unknown.',
      headers: { 'WWW-Authenticate': { required: true, schema: { type: 'string', const: 'Bearer' } } },
      content: problemContent,
    },
  },
  {
    status: '405',
    overlap: 'replace',
    name: 'MethodNotAllowed',
    applies: 'always',
    response: {
      description:
        '`method_not_allowed`: this path does not have the method used; `Allow` lists those it has.',
      headers: {
        Allow: { required: true, schema: { type: 'string' }, description: 'e.g. `GET, HEAD, POST`.' },
      },
      content: problemContent,
    },
  },
  {
    status: '413',
    overlap: 'keep',
    name: 'PayloadTooLarge',
    applies: 'body',
    response: {
      description: `\`payload_too_large\`: the body is larger than ${REQUEST_BODY_MAX_MEGABYTES} MB.`,
      content: problemContent,
    },
  },
  {
    status: '415',
    overlap: 'replace',
    name: 'UnsupportedMediaType',
    applies: 'body',
    response: {
      description: '`unsupported_media_type`: send the body with a `Content-Type` this operation lists.',
      content: problemContent,
    },
  },
  {
    status: '422',
    overlap: 'keep',
    name: 'ValidationFailed',
    applies: 'input',
    response: {
      description:
        '`validation_failed`: some input is not valid; `errors` names each field. Nothing was written.',
      content: problemContent,
    },
  },
  {
    status: '503',
    overlap: 'merge',
    name: 'ServiceUnavailable',
    applies: 'always',
    response: {
      description: `\`service_unavailable\`: Provisio cannot answer now (its database is out of reach or busy); try again after \`Retry-After\` seconds (usually ${RETRY_AFTER_SECONDS}).`,
      headers: retryAfter,
      content: problemContent,
    },
  },
];

interface OperationObject {
  security?: unknown[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, unknown>;
}
interface DocumentObject {
  paths?: Record<string, Record<string, OperationObject>>;
  components?: { responses?: Record<string, unknown> } & Record<string, unknown>;
}

function applies(op: OperationObject, when: Applies): boolean {
  if (when === 'always') return true;
  if (when === 'secured') return (op.security?.length ?? 0) > 0;
  if (when === 'body') return op.requestBody !== undefined;
  return op.requestBody !== undefined || (op.parameters?.length ?? 0) > 0;
}

/** The document with the shared refusals as `components.responses`, referenced by every operation they apply to. */
export function withSharedResponses<T extends object>(document: T): T {
  const doc = document as DocumentObject;
  doc.components = { ...doc.components, responses: { ...doc.components?.responses } };
  for (const shared of SHARED)
    doc.components.responses = { ...doc.components.responses, [shared.name]: shared.response };
  for (const methods of Object.values(doc.paths ?? {})) {
    for (const op of Object.values(methods)) {
      const responses = { ...op.responses };
      for (const shared of SHARED) {
        if (!applies(op, shared.applies)) continue;
        const own = responses[shared.status] as { description?: string; headers?: object } | undefined;
        if (own && shared.overlap === 'keep') continue;
        if (own && shared.overlap === 'merge') {
          responses[shared.status] = {
            ...own,
            description: `${own.description ?? ''} ${shared.response.description}`.trim(),
            headers: { ...shared.response.headers, ...own.headers },
          };
          continue;
        }
        responses[shared.status] = { $ref: `#/components/responses/${shared.name}` };
      }
      // Whoever documented a 429 or 503, the server always sends when to try again (`problemResponse`).
      for (const status of ['429', '503']) {
        const own = responses[status] as { headers?: object; $ref?: string } | undefined;
        if (own && !own.$ref) responses[status] = { ...own, headers: { ...own.headers, ...retryAfter } };
      }
      // Statuses in order, as a reader expects them.
      op.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
    }
  }
  return document;
}
