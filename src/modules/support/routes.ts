import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import { validationFailed } from '../../platform/errors.ts';
import type { AppEnv } from '../../platform/http.ts';
import { SUPPORT_REQUEST_BODY_MAX_MEGABYTES } from '../../platform/limits.ts';
import { problemSchema } from '../../platform/openapi.ts';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import {
  type CreateCaseForm,
  caseListSchema,
  caseSchema,
  createCaseFormSchema,
  createCaseJsonSchema,
  listCasesQuerySchema,
} from './schema.ts';
import { getCase, listCases, openCase } from './service.ts';
import { uploadsFromFiles } from './uploads.ts';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});
const security = [{ bearerAuth: [] }];

const createCaseRoute = createRoute({
  method: 'post',
  path: '/support/cases',
  operationId: 'createSupportCase',
  summary: 'Open a support case',
  description:
    'Opens a case for your organization. Send `multipart/form-data` to attach screenshots (`screenshots[]`: PNG or JPEG, recognised by their content, not their declared type), or JSON without files. A file that is not an image refuses the whole case.',
  tags: ['Support'],
  security,
  request: {
    body: {
      required: false,
      content: {
        'multipart/form-data': { schema: createCaseFormSchema },
        'application/json': { schema: createCaseJsonSchema },
      },
    },
  },
  responses: {
    201: { description: 'The case.', content: { 'application/json': { schema: caseSchema } } },
    401: problem('Missing or unknown API key.'),
    403: problem('Only partners and distributors open cases.'),
    413: problem(`The body is larger than ${SUPPORT_REQUEST_BODY_MAX_MEGABYTES} MB.`),
    422: problem('Invalid request; each error names its field (e.g. `screenshots[0]`).'),
    503: {
      ...problem(
        '`support_uploads_busy`: too many cases with files are being received right now; see `Retry-After`. Nothing was saved.',
      ),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
    },
  },
});

const listCasesRoute = createRoute({
  method: 'get',
  path: '/support/cases',
  operationId: 'listSupportCases',
  summary: "List your organization's support cases",
  description: 'Newest first. Pass `nextCursor` back as `cursor` for the next page.',
  tags: ['Support'],
  security,
  request: { query: listCasesQuerySchema },
  responses: {
    200: { description: 'A page of cases.', content: { 'application/json': { schema: caseListSchema } } },
    401: problem('Missing or unknown API key.'),
    422: problem('Invalid request.'),
  },
});

const getCaseRoute = createRoute({
  method: 'get',
  path: '/support/cases/{caseId}',
  operationId: 'getSupportCase',
  summary: 'Get a support case, with its attachments and messages',
  tags: ['Support'],
  security,
  request: { params: z.object({ caseId: z.string().openapi({ format: 'uuid' }) }) },
  responses: {
    200: { description: 'The case.', content: { 'application/json': { schema: caseSchema } } },
    401: problem('Missing or unknown API key.'),
    404: problem('No such case for this caller.'),
  },
});

export function registerSupportRoutes(api: OpenAPIHono<AppEnv>): void {
  api.openapi(createCaseRoute, async (c) => {
    const ctx = c.get('ctx');
    const isForm = /^multipart\/form-data/i.test(c.req.header('content-type') ?? '');
    let input: Parameters<typeof openCase>[1];
    if (isForm) {
      // The form validator ran on this content type; its type is the union of both bodies.
      const form = c.req.valid('form') as CreateCaseForm;
      const { 'screenshots[]': files = [], ...fields } = form;
      input = { ...fields, screenshots: uploadsFromFiles(files) };
    } else {
      // Without a JSON content type the validator let the body through unread: it is checked here.
      const body = c.req.valid('json');
      const parsed = createCaseJsonSchema.safeParse(body);
      if (!parsed.success) throw validationFailed(fieldErrorsFromZod(parsed.error.issues, body));
      input = { ...parsed.data, screenshots: [] };
    }
    const created = await openCase(ctx, input);
    c.header('Location', `/api/v1/support/cases/${created.id}`);
    return c.json(await getCase(ctx, created.id), 201);
  });
  api.openapi(listCasesRoute, async (c) => c.json(await listCases(c.get('ctx'), c.req.valid('query')), 200));
  api.openapi(getCaseRoute, async (c) =>
    c.json(await getCase(c.get('ctx'), c.req.valid('param').caseId), 200),
  );
}
