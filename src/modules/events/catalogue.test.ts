import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { EVENT_DATA_SCHEMAS, EVENT_TYPES } from './catalogue.ts';
import { EVENT_DOCS } from './catalogue-docs.ts';
import { PUBLISHED_EVENT_TYPES } from './published.ts';

/** The minimum (X2): every one of these is in the catalogue. */
const REQUIRED = [
  'order.created',
  'line.provisioning_email_sent',
  'line.provisioning_email_failed',
  'line.contact_changed',
  'line.escalated',
  'line.closed',
  'subscription.mapped',
  'subscription.provisioning_requested',
  'subscription.needs_info',
  'subscription.provisioning_failed',
  'subscription.activated',
  'subscription.billing_started',
  'support_case.answered',
  'webhook_endpoint.disabled',
];

test('the catalogue holds every event type the issue names', () => {
  for (const type of REQUIRED) assert.ok(EVENT_TYPES.includes(type as never), type);
});

test('every example parses against its type’s schema, unchanged (no field the schema drops)', () => {
  for (const type of EVENT_TYPES) {
    const example = EVENT_DOCS[type].example;
    const parsed = EVENT_DATA_SCHEMAS[type].safeParse(example);
    assert.ok(parsed.success, `${type}: ${parsed.error?.message}`);
    assert.deepEqual(parsed.data, example, type);
  }
});

test('every description is one sentence', () => {
  for (const type of EVENT_TYPES) {
    const { description } = EVENT_DOCS[type];
    assert.match(description, /^[A-Z`].*\.$/s, type);
    assert.doesNotMatch(description.slice(0, -1), /[.!?]\s+[A-Z]/, `${type}: more than one sentence`);
    assert.ok(description.length <= 200, `${type}: ${description.length} characters`);
  }
});

test('the published JSON Schemas accept their examples and refuse what their zod schemas refuse', () => {
  const ajv = new Ajv2020.default({ strict: false });
  addFormats.default(ajv);
  assert.equal(PUBLISHED_EVENT_TYPES.length, EVENT_TYPES.length);
  for (const published of PUBLISHED_EVENT_TYPES) {
    assert.equal(published.schema.$schema, undefined, 'no dialect key inside an OpenAPI document');
    const validate = ajv.compile(published.schema);
    assert.ok(validate(published.example), `${published.type}: ${JSON.stringify(validate.errors)}`);
    // Open to fields added later: a receiver's validator must not break on them.
    assert.ok(validate({ ...published.example, addedLater: 1 }), `${published.type} is closed`);
    const { [Object.keys(published.example)[0] ?? '']: _dropped, ...missingOne } = published.example;
    assert.equal(validate(missingOne), false, `${published.type} accepts a missing field`);
    assert.equal(EVENT_DATA_SCHEMAS[published.type].safeParse(missingOne).success, false);
  }
});
