import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { SERVICE_CODES } from '../../src/modules/catalog/schema.ts';
import { LOCALES, loadCatalog } from '../../src/platform/i18n.ts';
import {
  API_KEY_NAME_MAX_LENGTH,
  COUNTRY_CODE_PATTERN,
  EMAIL_MAX_LENGTH,
  END_CUSTOMER_NAME_MAX_LENGTH,
  IDEMPOTENCY_KEY_MAX_LENGTH,
  OFFER_CODE_PATTERN,
  ORDER_LINES_MAX,
  ORGANIZATION_NAME_MAX_LENGTH,
  POLICY_WINDOW_DAYS_MAX,
  POLICY_WINDOW_DAYS_MIN,
  QUANTITY_MAX,
  QUANTITY_MIN,
  REFERENCE_MAX_LENGTH,
  REQUEST_BODY_MAX_BYTES,
  REQUEST_BODY_MAX_MEGABYTES,
  SUPPORT_FILE_NAME_MAX_LENGTH,
  SUPPORT_SCREENSHOT_MAX_BYTES,
  SUPPORT_TEXT_MAX_LENGTH,
  WEBHOOK_DESCRIPTION_MAX_LENGTH,
  WEBHOOK_URL_MAX_LENGTH,
} from '../../src/platform/limits.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';

/** CHECK constraints as pg_get_constraintdef prints them (the same on PostgreSQL 15 and PGlite). */
const between = (expr: string, min: number, max: number) =>
  `CHECK (((${expr} >= ${min}) AND (${expr} <= ${max})))`;
const matches = (column: string, pattern: RegExp) => `CHECK ((${column} ~ '${pattern.source}'::text))`;
const oneOf = (column: string, values: readonly string[]) =>
  `CHECK ((${column} = ANY (ARRAY[${values.map((v) => `'${v}'::text`).join(', ')}])))`;

/** Each constraint that enforces a limit, as the constant says it should read. */
const EXPECTED: Record<string, string> = {
  orders_reference_check: between('length(btrim(reference))', 1, REFERENCE_MAX_LENGTH),
  orders_end_customer_name_check: between(
    'length(btrim(end_customer_name))',
    1,
    END_CUSTOMER_NAME_MAX_LENGTH,
  ),
  orders_end_customer_country_check: matches('end_customer_country', COUNTRY_CODE_PATTERN),
  orders_locale_check: oneOf('locale', LOCALES),
  organizations_name_check: between('length(btrim(name))', 1, ORGANIZATION_NAME_MAX_LENGTH),
  organizations_country_check: matches('country', COUNTRY_CODE_PATTERN),
  users_email_check: `CHECK (((email = lower(email)) AND (length(email) <= ${EMAIL_MAX_LENGTH})))`,
  users_locale_check: oneOf('locale', LOCALES),
  order_lines_quantity_check: between('quantity', QUANTITY_MIN, QUANTITY_MAX),
  order_lines_provisioning_contact_email_check: `CHECK ((length(provisioning_contact_email) <= ${EMAIL_MAX_LENGTH}))`,
  idempotency_keys_key_check: between('length(key)', 1, IDEMPOTENCY_KEY_MAX_LENGTH),
  offers_code_check: matches('code', OFFER_CODE_PATTERN),
  offers_policy_window_days_check: between(
    'policy_window_days',
    POLICY_WINDOW_DAYS_MIN,
    POLICY_WINDOW_DAYS_MAX,
  ),
  offer_services_service_code_check: oneOf('service_code', SERVICE_CODES),
  api_keys_name_length: between('length(btrim(name))', 1, API_KEY_NAME_MAX_LENGTH),
  support_cases_description_check: between('length(btrim(description))', 1, SUPPORT_TEXT_MAX_LENGTH),
  support_case_messages_body_check: between('length(btrim(body))', 1, SUPPORT_TEXT_MAX_LENGTH),
  support_case_attachments_size_bytes_check: between('size_bytes', 1, SUPPORT_SCREENSHOT_MAX_BYTES),
  support_case_attachments_file_name_check: between('length(file_name)', 1, SUPPORT_FILE_NAME_MAX_LENGTH),
  webhook_endpoints_url_check: between('length(url)', 1, WEBHOOK_URL_MAX_LENGTH),
  webhook_endpoints_description_check: `CHECK ((length(description) <= ${WEBHOOK_DESCRIPTION_MAX_LENGTH}))`,
};

interface OpenApiSchema {
  properties?: Record<string, OpenApiSchema>;
  items?: OpenApiSchema;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  pattern?: string;
  enum?: string[];
}
interface OpenApiDocument {
  components: { schemas: Record<string, OpenApiSchema> };
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; schema: OpenApiSchema }[];
        responses: Record<string, { description: string }>;
      }
    >
  >;
}

for (const engine of testEngines()) {
  describe(`limits: one constant for the schema, the database and the docs (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Limited');
    });
    after(() => h.close());

    it('every limit constant reads as its CHECK constraint in the migrated schema', async () => {
      const { rows } = await sql<{ name: string; definition: string }>`
        select c.conname as name, pg_get_constraintdef(c.oid) as definition
        from pg_constraint c join pg_namespace n on n.oid = c.connamespace
        where c.contype = 'c' and n.nspname = 'public'`.execute(h.db);
      const actual = new Map(rows.map((r) => [r.name, r.definition]));
      for (const [name, expected] of Object.entries(EXPECTED)) {
        assert.ok(actual.has(name), `constraint ${name} is missing from the schema`);
        assert.equal(actual.get(name), expected, name);
      }
    });

    it('the database refuses what the constants refuse, one past each limit', async () => {
      const placed = await h.api(partner, 'POST', '/api/v1/orders', orderBody());
      assert.equal(placed.status, 201);
      const { id } = (await placed.json()) as { id: string };
      const refuses = async (column: 'reference' | 'end_customer_name', value: string) => {
        await assert.rejects(
          h.db
            .updateTable('orders')
            .set({ [column]: value })
            .where('id', '=', id)
            .execute(),
          /check constraint/,
          column,
        );
      };
      await refuses('reference', 'R'.repeat(REFERENCE_MAX_LENGTH + 1));
      await refuses('end_customer_name', 'N'.repeat(END_CUSTOMER_NAME_MAX_LENGTH + 1));
      await h.db
        .updateTable('orders')
        .set({ reference: 'R'.repeat(REFERENCE_MAX_LENGTH) })
        .where('id', '=', id)
        .execute();
    });

    it('the API document states the same limits', async () => {
      const res = await h.app.request('/api/openapi.json');
      assert.equal(res.status, 200);
      const doc = (await res.json()) as OpenApiDocument;
      const order = doc.components.schemas.CreateOrder?.properties ?? {};
      const line = doc.components.schemas.CreateOrderLine?.properties ?? {};
      assert.equal(order.reference?.maxLength, REFERENCE_MAX_LENGTH);
      assert.equal(order.endCustomer?.properties?.name?.maxLength, END_CUSTOMER_NAME_MAX_LENGTH);
      assert.equal(order.endCustomer?.properties?.country?.pattern, COUNTRY_CODE_PATTERN.source);
      assert.deepEqual(order.locale?.enum, [...LOCALES]);
      assert.equal(order.lines?.maxItems, ORDER_LINES_MAX);
      assert.equal(line.quantity?.minimum, QUANTITY_MIN);
      assert.equal(line.quantity?.maximum, QUANTITY_MAX);
      assert.equal(line.provisioningContactEmail?.maxLength, EMAIL_MAX_LENGTH);
      const create = doc.paths['/orders']?.post;
      const key = create?.parameters?.find((p) => p.in === 'header' && p.name === 'idempotency-key');
      assert.equal(key?.schema.maxLength, IDEMPOTENCY_KEY_MAX_LENGTH);
      assert.equal(
        create?.responses['413']?.description,
        `The body is larger than ${REQUEST_BODY_MAX_MEGABYTES} MB.`,
      );
    });

    it('refuses a body one byte over the limit with a message that states the limit, and takes one at it', async () => {
      const json = JSON.stringify(orderBody());
      const padded = (bytes: number) => json + ' '.repeat(bytes - Buffer.byteLength(json));
      for (const [locale, text] of [
        ['en', `larger than ${REQUEST_BODY_MAX_MEGABYTES} MB.`],
        ['ru', `превышает ${REQUEST_BODY_MAX_MEGABYTES} МБ.`],
      ] as const) {
        const res = await h.api(partner, 'POST', '/api/v1/orders', padded(REQUEST_BODY_MAX_BYTES + 1), {
          'Accept-Language': locale,
        });
        assert.equal(res.status, 413);
        const problem = (await res.json()) as { code: string; detail: string };
        assert.equal(problem.code, 'payload_too_large');
        assert.ok(problem.detail.endsWith(text), problem.detail);
      }
      const atLimit = await h.api(partner, 'POST', '/api/v1/orders', padded(REQUEST_BODY_MAX_BYTES));
      assert.equal(atLimit.status, 201);
      for (const locale of LOCALES) {
        const errors = loadCatalog(locale).errors;
        const message = typeof errors === 'object' ? errors.payload_too_large : undefined;
        const detail = typeof message === 'object' ? message.detail : undefined;
        assert.match(String(detail), /\{\{megabytes\}\}/, `${locale}: the limit is a parameter, not a copy`);
      }
    });
  });
}
