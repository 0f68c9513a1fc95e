import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import addFormats from 'ajv-formats';
import { type Document, OpenAPIBackend, ValidationContext } from 'openapi-backend';
import { type Harness, startHarness } from '../support/harness.ts';

/**
 * The examples the document shows are answers and requests the API accepts: every `example` in the
 * served document (a schema's, a property's, a media type's) validates against the schema it sits on,
 * with the validator the contract test uses; and the reference page shows an example request and
 * response for the main operations.
 */

/** Operations whose reference shows an example request (when they take a body) and response. */
const SHOWN = [
  'listOffers',
  'listEventTypes',
  'listEvents',
  'createOrder',
  'getOrder',
  'listOrders',
  'getOrderLine',
  'changeProvisioningContact',
  'listTransactions',
  'getServiceSetup',
  'provisionSubscription',
  'getSubscription',
  'reportProvisionResult',
  'createSupportCase',
  'getSupportCase',
  'listSupportCases',
];

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const SCHEMA_KEYS = ['type', 'properties', 'items', 'enum', 'anyOf', 'oneOf', 'allOf', 'const', 'format'];

/** Every example in the (dereferenced) document, with the schema it must satisfy and where it is. */
function examples(root: unknown): { where: string; schema: Node; example: unknown }[] {
  const found: { where: string; schema: Node; example: unknown }[] = [];
  const seen = new Set<unknown>();
  const walk = (node: unknown, where: string) => {
    if (!isNode(node) && !Array.isArray(node)) return;
    if (seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) {
      node.forEach((n, i) => {
        walk(n, `${where}[${i}]`);
      });
      return;
    }
    if ('example' in node) {
      // A media type's example is checked against its schema; a schema's against itself.
      if (isNode(node.schema)) found.push({ where, schema: node.schema, example: node.example });
      else if (SCHEMA_KEYS.some((k) => k in node)) found.push({ where, schema: node, example: node.example });
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'example') walk(value, `${where}/${key}`);
  };
  walk(root, '#');
  return found;
}

describe('the API document’s examples', () => {
  let h: Harness;
  let backend: OpenAPIBackend;
  let document: Document;

  before(async () => {
    h = await startHarness('pglite');
    document = (await (await h.app.request('/api/openapi.json')).json()) as Document;
    backend = new OpenAPIBackend({
      definition: document,
      quick: true,
      customizeAjv: (ajv) => {
        addFormats.default(ajv);
        return ajv;
      },
    });
    await backend.init();
  });
  after(() => h?.close());

  it('validate, each against the schema it documents', () => {
    const all = examples(backend.definition);
    assert.ok(all.length > 40, `only ${all.length} examples found`);
    const ajv = backend.validator.getAjv(ValidationContext.Response);
    const lies = all.flatMap(({ where, schema, example }) => {
      const validate = ajv.compile(schema);
      return validate(example) ? [] : [`${where}: ${JSON.stringify(validate.errors)}`];
    });
    assert.deepEqual(lies, []);
  });

  it('catches an example that lies', () => {
    const ajv = backend.validator.getAjv(ValidationContext.Response);
    const order = (backend.definition.components?.schemas as Record<string, Node> | undefined)?.Order;
    assert.ok(order?.example, 'Order has an example');
    const lie = { ...(order.example as Node), lines: 'none' };
    assert.equal(ajv.compile(order)(lie), false);
  });

  it('are shown on the reference page, escaped, for the main operations', async () => {
    const html = await (await h.app.request('/api/docs')).text();
    const sections = new Map(
      [...html.matchAll(/<section id="([A-Za-z]+)">([\s\S]*?)<\/section>/g)].map((m) => [m[1], m[2] ?? '']),
    );
    for (const id of SHOWN) {
      const section = sections.get(id);
      assert.ok(section, `${id} has a section`);
      const op = Object.values(document.paths ?? {})
        .flatMap((item) => Object.values(item ?? {}))
        .find((o) => (o as { operationId?: string }).operationId === id) as { requestBody?: unknown };
      if (op.requestBody) assert.match(section, /<pre class="example example-request">/, `${id} request`);
      assert.match(section, /<pre class="example example-response">/, `${id} response`);
    }
    // JSON in the page is text: its quotes are escaped, no markup comes from an example.
    assert.match(html, /<pre class="example example-request"><code>\{\n {2}&quot;reference&quot;/);
  });
});
