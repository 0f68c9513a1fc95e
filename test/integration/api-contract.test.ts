import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import addFormats from 'ajv-formats';
import {
  type Document,
  OpenAPIBackend,
  type Operation,
  SetMatchType,
  ValidationContext,
} from 'openapi-backend';
import { createApp } from '../../src/app.ts';
import { provisionSubscription } from '../../src/modules/service-setup/provision.ts';
import {
  saveCallingLocation,
  saveEnterpriseSubdomain,
} from '../../src/modules/service-setup/service-saves.ts';
import { Caches } from '../../src/platform/cache.ts';
import { connectPostgres } from '../../src/platform/db.ts';
import { vendorKey } from '../support/fulfilment.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { customerOrganization, mappedSubscription as hubSubscription } from '../support/hub-state.ts';
import { type MappedSubscription, mappedSubscription } from '../support/mapped-subscription.ts';
import { dispatchAt } from '../support/provisioning-state.ts';

/**
 * The API says exactly what it does: real answers of every operation in the served document, successes
 * and refusals, checked against that document by a maintained OpenAPI validator (openapi-backend, on
 * ajv). An operation in the document without a row in CALLS fails the test, as does a status, a content
 * type, a body or a required header the document does not describe.
 */

interface Call {
  method: string;
  /** Under /api/v1, with its query. */
  path: string;
  body?: unknown;
  /** Sent as it is (malformed JSON, another content type). */
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Who calls: the partner unless told (null: no API key). */
  as?: Tenant | null;
  status: number;
  /** The refusal's `code`, where the status alone does not say which refusal it is. */
  code?: string;
}

interface Fixture {
  partner: Tenant;
  stranger: Tenant;
  /** Booked for a later date: nothing sent yet. */
  future: { orderId: string; lineId: string; subscriptionId: string; etag: string };
  /** Its provisioning email went out. */
  sent: { orderId: string; lineId: string; subscriptionId: string; etag: string };
  /** Sent and unmapped, for the mapping operations. */
  unmapped: { subscriptionId: string };
  /** Another, for a mapping beyond the hourly allowance of new organizations. */
  unmappedTwo: { subscriptionId: string };
  /** Mapped to the partner (full admin) and a new customer: service setup. */
  mapped: MappedSubscription;
  /** A customer whose provisioning admin the partner is. */
  provisioningAdminOf: string;
  caseId: string;
  /** The partner's webhook endpoints: one in use (with a test delivery), one disabled, one to delete. */
  webhook: { id: string; deliveryId: string };
  disabledWebhook: string;
  deletableWebhook: string;
  /** An offer an operator fulfils (A-CALL, manual): provisioned, its request waiting for an answer. */
  fulfilled: { subscriptionId: string; requestId: string };
  /** An API key of the vendor's organization: reports fulfilment results. */
  vendor: Tenant;
}

const NOWHERE = randomUUID();
const sub = (id: string) => `/api/v1/subscriptions/${id}`;
const line = (o: { orderId: string; lineId: string }) => `/api/v1/orders/${o.orderId}/lines/${o.lineId}`;
/**
 * Small hourly allowances, so that each limit's 429 is reached by a few calls. The fixture's setup goes
 * through services (not limited); only the rows below spend the partner's and the stranger's allowances.
 */
const LIMITS = {
  SETUP_ORGANIZATIONS_PER_HOUR: '2',
  SETUP_NAME_CHECKS_PER_HOUR: '1',
  SETUP_NAMES_RESERVED_PER_HOUR: '2',
  // Webhook endpoints on this host (nothing listens there: no relay runs in this test).
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
};
const HOOK_URL = 'http://127.0.0.1:9/hooks';
const hook = (id: string) => `/api/v1/webhook-endpoints/${id}`;
const LOCATION = {
  name: 'Sede di Milano',
  country: 'IT',
  addressLine1: 'Via Roma 1',
  city: 'Milano',
  postalCode: '20121',
  timeZone: 'Europe/Rome',
  language: 'it',
};

/**
 * How to call each operation: its first call succeeds (its path also serves the refusals every
 * operation shares: 401, 405, 400, 415, 503), the others are its own refusals. Rows run in this order.
 */
const CALLS: Record<string, (fx: Fixture) => Call[]> = {
  listOffers: () => [{ method: 'GET', path: '/api/v1/offers', status: 200 }],
  listEventTypes: () => [{ method: 'GET', path: '/api/v1/event-types', status: 200 }],
  listEvents: () => [
    { method: 'GET', path: '/api/v1/events?limit=2', status: 200 },
    { method: 'GET', path: '/api/v1/events?types=order.created,line.closed', status: 200 },
    { method: 'GET', path: '/api/v1/events?after=tampered', status: 400, code: 'invalid_parameter' },
    { method: 'GET', path: '/api/v1/events?types=order.nope', status: 400, code: 'invalid_parameter' },
    { method: 'GET', path: '/api/v1/events?limit=0', status: 422 },
  ],
  createOrder: (fx) => {
    const body = orderBody();
    return [
      {
        method: 'POST',
        path: '/api/v1/orders',
        body,
        headers: { 'Idempotency-Key': body.reference },
        status: 201,
      },
      {
        method: 'POST',
        path: '/api/v1/orders',
        body,
        headers: { 'Idempotency-Key': body.reference },
        status: 201,
      },
      {
        method: 'POST',
        path: '/api/v1/orders',
        body: { ...orderBody(), reference: body.reference },
        status: 409,
      },
      { method: 'POST', path: '/api/v1/orders', body: { reference: 'x' }, status: 422 },
      { method: 'POST', path: '/api/v1/orders', body: orderBody(), as: fx.stranger, status: 201 },
    ];
  },
  getOrder: (fx) => [
    { method: 'GET', path: `/api/v1/orders/${fx.sent.orderId}`, status: 200 },
    { method: 'GET', path: `/api/v1/orders/${NOWHERE}`, status: 404 },
    { method: 'GET', path: `/api/v1/orders/${fx.sent.orderId}`, as: fx.stranger, status: 404 },
  ],
  listOrders: () => [
    { method: 'GET', path: '/api/v1/orders?limit=2', status: 200 },
    { method: 'GET', path: '/api/v1/orders?cursor=tampered', status: 422 },
  ],
  getOrderLine: (fx) => [
    { method: 'GET', path: line(fx.sent), status: 200 },
    { method: 'GET', path: line({ orderId: fx.sent.orderId, lineId: NOWHERE }), status: 404 },
  ],
  getLineHistory: (fx) => [
    { method: 'GET', path: `${line(fx.sent)}/history`, status: 200 },
    { method: 'GET', path: `${line({ orderId: NOWHERE, lineId: NOWHERE })}/history`, status: 404 },
  ],
  changeProvisioningContact: (fx) => [
    {
      method: 'PUT',
      path: `${line(fx.sent)}/provisioning-contact`,
      body: { email: 'new-it@acme.example' },
      headers: { 'If-Match': fx.sent.etag },
      status: 200,
    },
    {
      method: 'PUT',
      path: `${line(fx.sent)}/provisioning-contact`,
      body: { email: 'x@acme.example' },
      status: 428,
    },
    {
      method: 'PUT',
      path: `${line(fx.sent)}/provisioning-contact`,
      body: { email: 'x@acme.example', applyToAllLines: true },
      status: 428,
    },
    {
      method: 'PUT',
      path: `${line(fx.sent)}/provisioning-contact`,
      body: { email: 'x@acme.example' },
      headers: { 'If-Match': '"v0"' },
      status: 412,
    },
    {
      method: 'PUT',
      path: `${line(fx.sent)}/provisioning-contact`,
      body: { email: 'not an address' },
      headers: { 'If-Match': '*' },
      status: 422,
    },
    {
      method: 'PUT',
      path: `${line(fx.mapped)}/provisioning-contact`,
      body: { email: 'x@acme.example' },
      headers: { 'If-Match': '*' },
      status: 409,
    },
    {
      method: 'PUT',
      path: `${line({ orderId: NOWHERE, lineId: NOWHERE })}/provisioning-contact`,
      body: { email: 'x@acme.example' },
      headers: { 'If-Match': '*' },
      status: 404,
    },
  ],
  resendProvisioningEmail: (fx) => {
    const resend = `${line(fx.sent)}/provisioning-email/resend`;
    return [
      { method: 'POST', path: resend, status: 202 },
      { method: 'POST', path: resend, status: 202 },
      { method: 'POST', path: resend, status: 202 },
      { method: 'POST', path: resend, status: 429 },
      { method: 'POST', path: `${line(fx.future)}/provisioning-email/resend`, status: 409 },
      {
        method: 'POST',
        path: `${line({ orderId: NOWHERE, lineId: NOWHERE })}/provisioning-email/resend`,
        status: 404,
      },
    ];
  },
  startProvisioningNow: (fx) => [
    { method: 'POST', path: `${line(fx.future)}/provisioning/start-now`, status: 202 },
    { method: 'POST', path: `${line(fx.future)}/provisioning/start-now`, status: 409 },
    { method: 'POST', path: `${line(fx.sent)}/provisioning/start-now`, status: 409 },
    {
      method: 'POST',
      path: `${line({ orderId: NOWHERE, lineId: NOWHERE })}/provisioning/start-now`,
      status: 404,
    },
  ],
  listTransactions: () => [
    { method: 'GET', path: '/api/v1/transactions', status: 200 },
    { method: 'GET', path: '/api/v1/transactions?type=provisioning_email_update', status: 200 },
    { method: 'GET', path: '/api/v1/transactions?cursor=tampered', status: 422 },
  ],
  createSupportCase: () => [
    {
      method: 'POST',
      path: '/api/v1/support/cases',
      body: { requestType: 'resend_provisioning_email', description: 'The contact lost the email.' },
      status: 201,
    },
    { method: 'POST', path: '/api/v1/support/cases', body: { requestType: 'nonsense' }, status: 422 },
  ],
  listSupportCases: () => [
    { method: 'GET', path: '/api/v1/support/cases', status: 200 },
    { method: 'GET', path: '/api/v1/support/cases?limit=0', status: 422 },
  ],
  getSupportCase: (fx) => [
    { method: 'GET', path: `/api/v1/support/cases/${fx.caseId}`, status: 200 },
    { method: 'GET', path: `/api/v1/support/cases/${NOWHERE}`, status: 404 },
  ],
  listManagedCustomers: () => [{ method: 'GET', path: '/api/v1/hub/customers', status: 200 }],
  requestFullAdmin: (fx) => [
    {
      method: 'POST',
      path: `/api/v1/hub/customers/${fx.provisioningAdminOf}/full-admin-request`,
      status: 202,
    },
    {
      method: 'POST',
      path: `/api/v1/hub/customers/${fx.mapped.customerOrgId}/full-admin-request`,
      status: 409,
    },
    { method: 'POST', path: `/api/v1/hub/customers/${NOWHERE}/full-admin-request`, status: 404 },
  ],
  getSetup: (fx) => [
    { method: 'GET', path: `${sub(fx.mapped.subscriptionId)}/setup`, status: 200 },
    { method: 'GET', path: `${sub('SUB-0')}/setup`, status: 404 },
  ],
  matchOrganizations: (fx) => [
    {
      method: 'POST',
      path: `${sub(fx.unmapped.subscriptionId)}/setup/matches`,
      body: { email: 'it@acme.example', side: 'customer' },
      status: 200,
    },
    {
      method: 'POST',
      path: `${sub(fx.unmapped.subscriptionId)}/setup/matches`,
      body: { email: 'it@acme.example' },
      status: 422,
    },
    {
      method: 'POST',
      path: `${sub('SUB-0')}/setup/matches`,
      body: { email: 'it@acme.example', side: 'customer' },
      status: 404,
    },
  ],
  searchOrganizationsByDomain: (fx) => [
    {
      method: 'GET',
      path: `${sub(fx.unmapped.subscriptionId)}/setup/organizations?domain=acme.example&side=customer`,
      status: 200,
    },
    {
      method: 'GET',
      path: `${sub(fx.unmapped.subscriptionId)}/setup/organizations?domain=gmail.com&side=customer`,
      status: 400,
    },
    {
      method: 'GET',
      path: `${sub(fx.unmapped.subscriptionId)}/setup/organizations?domain=acme.example`,
      status: 422,
    },
  ],
  completeMapping: (fx) => [
    {
      method: 'POST',
      path: `${sub(fx.unmapped.subscriptionId)}/setup/mapping`,
      body: {
        role: 'customer',
        setupBy: 'self',
        partner: { create: { name: 'Contract Reseller', businessVertical: 'finance', country: 'IT' } },
        customerAdminEmail: 'boss@contract-customer.example',
        customer: { create: { name: 'Contract Customer', businessVertical: 'finance', country: 'IT' } },
      },
      status: 200,
    },
    { method: 'POST', path: `${sub(fx.unmapped.subscriptionId)}/setup/mapping`, body: {}, status: 422 },
    // The first row created two organizations: the hour's allowance.
    {
      method: 'POST',
      path: `${sub(fx.unmappedTwo.subscriptionId)}/setup/mapping`,
      body: {
        role: 'customer',
        setupBy: 'self',
        partner: { create: { name: 'Contract Reseller Two', businessVertical: 'finance', country: 'IT' } },
        customerAdminEmail: 'boss@contract-customer-two.example',
        customer: { create: { name: 'Contract Customer Two', businessVertical: 'finance', country: 'IT' } },
      },
      status: 429,
      code: 'setup_organizations_rate_limited',
    },
    {
      method: 'POST',
      path: `${sub(fx.mapped.subscriptionId)}/setup/mapping`,
      body: { role: 'my_company', setupBy: 'self', customer: { organizationId: fx.mapped.customerOrgId } },
      status: 409,
    },
  ],
  checkSiteNameAvailability: () => [
    { method: 'GET', path: '/api/v1/meeting-sites/availability?name=contract-site', status: 200 },
    { method: 'GET', path: '/api/v1/meeting-sites/availability', status: 422 },
    {
      method: 'GET',
      path: '/api/v1/meeting-sites/availability?name=contract-two',
      status: 429,
      code: 'setup_name_checks_rate_limited',
    },
  ],
  // The partner spent its one check of the hour above: the stranger checks here.
  checkSubdomainAvailability: (fx) => [
    {
      method: 'GET',
      path: '/api/v1/enterprise-subdomains/availability?subdomain=contract',
      as: fx.stranger,
      status: 200,
    },
    { method: 'GET', path: '/api/v1/enterprise-subdomains/availability', as: fx.stranger, status: 422 },
    {
      method: 'GET',
      path: '/api/v1/enterprise-subdomains/availability?subdomain=contract',
      as: fx.stranger,
      status: 429,
      code: 'setup_name_checks_rate_limited',
    },
  ],
  getServiceSetup: (fx) => [
    { method: 'GET', path: `${sub(fx.mapped.subscriptionId)}/setup/services`, status: 200 },
    { method: 'GET', path: `${sub(fx.sent.subscriptionId)}/setup/services`, status: 409 },
    { method: 'GET', path: `${sub('SUB-0')}/setup/services`, status: 404 },
  ],
  saveMeetingSites: (fx) => [
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/meeting-sites`,
      body: { sites: [{ name: 'contract-site', timeZone: 'Europe/Rome' }] },
      status: 200,
    },
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/meeting-sites`,
      body: { sites: 'x' },
      status: 422,
    },
    // Three names new to the setup, more than the hour allows at all: nothing is saved.
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/meeting-sites`,
      body: {
        sites: [
          { name: 'contract-a', timeZone: 'UTC', licenses: 20 },
          { name: 'contract-b', timeZone: 'UTC', licenses: 20 },
          { name: 'contract-c', timeZone: 'UTC', licenses: 10 },
        ],
      },
      status: 429,
      code: 'setup_reservations_rate_limited',
    },
    {
      method: 'PUT',
      path: `${sub(fx.sent.subscriptionId)}/setup/meeting-sites`,
      body: { sites: [{ name: 'contract-two', timeZone: 'UTC' }] },
      status: 409,
    },
  ],
  saveCallingLocation: (fx) => [
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/calling-location`,
      body: LOCATION,
      status: 200,
    },
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/calling-location`,
      body: { ...LOCATION, country: 'XX' },
      status: 422,
    },
  ],
  saveEnterpriseSubdomain: (fx) => [
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/enterprise-subdomain`,
      body: { subdomain: 'contract' },
      status: 200,
    },
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/enterprise-subdomain`,
      body: { subdomain: 'not valid!' },
      status: 422,
    },
    {
      method: 'PUT',
      path: `${sub(fx.sent.subscriptionId)}/setup/enterprise-subdomain`,
      body: { subdomain: 'other' },
      status: 409,
    },
    // The site and the subdomain above were the hour's two new names.
    {
      method: 'PUT',
      path: `${sub(fx.mapped.subscriptionId)}/setup/enterprise-subdomain`,
      body: { subdomain: 'contract-two' },
      status: 429,
      code: 'setup_reservations_rate_limited',
    },
  ],
  provisionSubscription: (fx) => [
    { method: 'POST', path: `${sub(fx.mapped.subscriptionId)}/provision`, status: 200 },
    { method: 'POST', path: `${sub(fx.mapped.subscriptionId)}/provision`, status: 200 },
    // Fulfilled by an operator: a request waits (the same one, pressed again).
    { method: 'POST', path: `${sub(fx.fulfilled.subscriptionId)}/provision`, status: 202 },
    { method: 'POST', path: `${sub(fx.sent.subscriptionId)}/provision`, status: 409 },
  ],
  createWebhookEndpoint: () => [
    {
      method: 'POST',
      path: '/api/v1/webhook-endpoints',
      body: { url: HOOK_URL, eventTypes: ['subscription.billing_started'], description: 'Billing' },
      status: 201,
    },
    { method: 'POST', path: '/api/v1/webhook-endpoints', body: { url: 'ftp://hooks.example' }, status: 422 },
  ],
  listWebhookEndpoints: () => [{ method: 'GET', path: '/api/v1/webhook-endpoints', status: 200 }],
  updateWebhookEndpoint: (fx) => [
    { method: 'PATCH', path: hook(fx.webhook.id), body: { description: 'ERP' }, status: 200 },
    { method: 'PATCH', path: hook(fx.webhook.id), body: { enabled: 'yes' }, status: 422 },
    { method: 'PATCH', path: hook(fx.webhook.id), body: { description: 'x' }, as: fx.stranger, status: 404 },
  ],
  deleteWebhookEndpoint: (fx) => [
    { method: 'DELETE', path: hook(fx.deletableWebhook), status: 204 },
    { method: 'DELETE', path: hook(fx.deletableWebhook), status: 404 },
  ],
  rotateWebhookSecret: (fx) => [
    { method: 'POST', path: `${hook(fx.webhook.id)}/secret/rotate`, status: 200 },
    { method: 'POST', path: `${hook(NOWHERE)}/secret/rotate`, status: 404 },
  ],
  sendTestWebhook: (fx) => [
    { method: 'POST', path: `${hook(fx.webhook.id)}/test`, status: 202 },
    {
      method: 'POST',
      path: `${hook(fx.disabledWebhook)}/test`,
      status: 409,
      code: 'webhook_endpoint_disabled',
    },
    { method: 'POST', path: `${hook(NOWHERE)}/test`, status: 404 },
  ],
  listWebhookDeliveries: (fx) => [
    { method: 'GET', path: `${hook(fx.webhook.id)}/deliveries?limit=5`, status: 200 },
    { method: 'GET', path: `${hook(fx.webhook.id)}/deliveries?cursor=tampered`, status: 422 },
    { method: 'GET', path: `${hook(NOWHERE)}/deliveries`, status: 404 },
  ],
  retryWebhookDelivery: (fx) => [
    { method: 'POST', path: `${hook(fx.webhook.id)}/deliveries/${fx.webhook.deliveryId}/retry`, status: 202 },
    { method: 'POST', path: `${hook(fx.webhook.id)}/deliveries/${NOWHERE}/retry`, status: 404 },
  ],
  recoverWebhookEndpoint: (fx) => [
    {
      method: 'POST',
      path: `${hook(fx.webhook.id)}/recover`,
      body: { since: '2026-11-01T00:00:00Z' },
      status: 202,
    },
    { method: 'POST', path: `${hook(fx.webhook.id)}/recover`, body: { since: 'yesterday' }, status: 422 },
    {
      method: 'POST',
      path: `${hook(fx.disabledWebhook)}/recover`,
      body: { since: '2026-11-01T00:00:00Z' },
      status: 409,
    },
    {
      method: 'POST',
      path: `${hook(NOWHERE)}/recover`,
      body: { since: '2026-11-01T00:00:00Z' },
      status: 404,
    },
  ],
  getSubscription: (fx) => [
    { method: 'GET', path: sub(fx.mapped.subscriptionId), status: 200 },
    { method: 'GET', path: sub(fx.fulfilled.subscriptionId), as: fx.vendor, status: 200 },
    { method: 'GET', path: sub(fx.mapped.subscriptionId), as: fx.stranger, status: 404 },
    { method: 'GET', path: sub('SUB-0'), status: 404 },
    { method: 'GET', path: sub('nonsense'), status: 404 },
  ],
  // After provisionSubscription: its 202 row finds the request still waiting.
  reportProvisionResult: (fx) => {
    const result = `/api/v1/provision-requests/${fx.fulfilled.requestId}/result`;
    const succeeded = { status: 'succeeded', externalTenantId: 'tenant-contract' };
    return [
      { method: 'POST', path: result, body: succeeded, as: fx.vendor, status: 200 },
      { method: 'POST', path: result, body: succeeded, as: fx.vendor, status: 200 },
      {
        method: 'POST',
        path: result,
        body: { status: 'failed', code: 'late', message: 'Too late.' },
        as: fx.vendor,
        status: 409,
        code: 'provision_request_answered',
      },
      { method: 'POST', path: result, body: succeeded, status: 403, code: 'fulfilment_vendor_only' },
      {
        method: 'POST',
        path: `/api/v1/provision-requests/${NOWHERE}/result`,
        body: succeeded,
        as: fx.vendor,
        status: 404,
      },
      {
        method: 'POST',
        path: result,
        body: { status: 'needs_info', fields: [] },
        as: fx.vendor,
        status: 422,
      },
    ];
  },
  // After Provision: before it, the summary is not the order's final one.
  getOrderSummaryPdf: (fx) => [
    { method: 'GET', path: `${sub(fx.mapped.subscriptionId)}/summary.pdf`, status: 200 },
    { method: 'GET', path: `${sub('SUB-0')}/summary.pdf`, status: 404 },
  ],
};

async function webhookFixture(h: Harness, partner: Tenant) {
  const create = async () => {
    const res = await h.api(partner, 'POST', '/api/v1/webhook-endpoints', { url: HOOK_URL });
    assert.equal(res.status, 201);
    return ((await res.json()) as { id: string }).id;
  };
  const [id, disabledWebhook, deletableWebhook] = [await create(), await create(), await create()];
  assert.equal((await h.api(partner, 'PATCH', hook(disabledWebhook), { enabled: false })).status, 200);
  const test = await h.api(partner, 'POST', `${hook(id)}/test`);
  const { deliveryId } = (await test.json()) as { deliveryId: string };
  return { webhook: { id, deliveryId }, disabledWebhook, deletableWebhook };
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

async function send(app: Harness['app'], fx: Fixture, call: Call): Promise<Response> {
  const who = call.as === undefined ? fx.partner : call.as;
  const headers: Record<string, string> = { ...call.headers };
  if (who) headers.Authorization = `Bearer ${who.apiKey}`;
  let body: string | undefined;
  if (call.raw !== undefined || call.body !== undefined) {
    headers['Content-Type'] = call.contentType ?? 'application/json';
    body = call.raw ?? JSON.stringify(call.body);
  }
  return app.request(call.path, { method: call.method, headers, ...(body === undefined ? {} : { body }) });
}

/** Checks one real answer against what the document says the operation answers. */
async function conforms(backend: OpenAPIBackend, operationId: string, call: Call, res: Response) {
  const where = `${operationId}: ${call.method} ${call.path} answered ${res.status}`;
  const op = backend.getOperation(operationId) as Operation | undefined;
  assert.ok(op, `${operationId} is not in the document`);
  type Documented = { content?: Record<string, { schema?: object }>; headers?: object };
  const documented = (op.responses as Record<string, Documented> | undefined)?.[String(res.status)];
  const text = await res.text();
  assert.ok(documented, `${where}, which the document does not list (${text.slice(0, 200)})`);
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim() ?? '';
  if (!documented.content) assert.equal(text, '', `${where} with a body the document does not describe`);
  else {
    const media = documented.content[type];
    assert.ok(media, `${where} as ${type}; the document says ${Object.keys(documented.content).join(', ')}`);
    if (type.endsWith('json') && media.schema) {
      const validate = backend.validator.getAjv(ValidationContext.Response).compile(media.schema);
      assert.ok(
        validate(JSON.parse(text)),
        `${where}: ${JSON.stringify(validate.errors)} in ${text.slice(0, 400)}`,
      );
    }
  }
  const headers = Object.fromEntries(res.headers.entries());
  const checked = backend.validator.validateResponseHeaders(headers, op, {
    statusCode: res.status,
    setMatchType: SetMatchType.Superset,
  });
  assert.ok(checked.valid, `${where}: headers ${JSON.stringify(checked.errors)}`);
}

for (const engine of testEngines()) {
  describe(`the API document tells the truth (${engine})`, () => {
    let h: Harness;
    let backend: OpenAPIBackend;
    let document: Document;
    let fx: Fixture;
    const operations = () =>
      Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
        METHODS.flatMap((method) => {
          const op = item?.[method];
          return op?.operationId ? [{ path, method, operationId: op.operationId, op }] : [];
        }),
      );

    before(async () => {
      h = await startHarness(engine, LIMITS);
      const res = await h.app.request('/api/openapi.json');
      document = (await res.json()) as Document;
      // quick: its own check of the document knows OpenAPI 3.0 only; strict: a $ref to nothing fails here.
      backend = new OpenAPIBackend({
        definition: document,
        strict: true,
        quick: true,
        // Formats too: an id that is no uuid, a time that is no date-time, is a mismatch.
        customizeAjv: (ajv) => {
          addFormats.default(ajv);
          return ajv;
        },
      });
      await backend.init();

      const partner = await h.tenant('partner', 'Contract Partner');
      const stranger = await h.tenant('partner', 'Contract Stranger');
      const book = async (start: string) => {
        const placed = await h.api(
          partner,
          'POST',
          '/api/v1/orders',
          orderBody({}, { requestedStartDate: start }),
        );
        assert.equal(placed.status, 201);
        const order = (await placed.json()) as {
          id: string;
          lines: { id: string; subscriptionId: string }[];
        };
        const first = order.lines[0];
        assert.ok(first);
        return { orderId: order.id, lineId: first.id, subscriptionId: first.subscriptionId };
      };
      const sent = await book('2026-12-01');
      const unmapped = await book('2026-12-01');
      const unmappedTwo = await book('2026-12-01');
      await dispatchAt(h, new Date('2026-12-01T09:00:00Z'));
      const future = await book('2027-02-01');
      const etagOf = async (o: { orderId: string; lineId: string }) =>
        (await h.api(partner, 'GET', line(o))).headers.get('etag') ?? '';
      const mapped = await mappedSubscription(h, { partner });
      const customer = await customerOrganization(h, 'Contract Managed', {
        email: 'admin@contract-managed.example',
      });
      await hubSubscription(h, partner, customer.orgId, { access: 'provisioning_admin' });
      const opened = await h.api(partner, 'POST', '/api/v1/support/cases', {
        requestType: 'other',
        description: 'A case to read.',
      });
      assert.equal(opened.status, 201, await opened.clone().text());
      const manual = await mappedSubscription(h, { partner, offer: 'A-CALL', quantity: 5 });
      await saveCallingLocation(h.ctx, manual.subscriptionId, LOCATION);
      await saveEnterpriseSubdomain(
        h.ctx,
        manual.subscriptionId,
        `contract-${manual.subscriptionId.toLowerCase()}`,
      );
      const { provisionRequestId } = await provisionSubscription(h.ctx, manual.subscriptionId);
      assert.ok(provisionRequestId);
      fx = {
        partner,
        stranger,
        fulfilled: { subscriptionId: manual.subscriptionId, requestId: provisionRequestId },
        vendor: await vendorKey(h),
        sent: { ...sent, etag: await etagOf(sent) },
        future: { ...future, etag: await etagOf(future) },
        unmapped,
        unmappedTwo,
        mapped,
        provisioningAdminOf: customer.orgId,
        caseId: ((await opened.json()) as { id: string }).id,
        ...(await webhookFixture(h, partner)),
      };
    });
    after(() => h.close());

    it('has a row of calls for every operation in the document, and no row for one it lacks', () => {
      assert.deepEqual(
        operations()
          .map((o) => o.operationId)
          .sort(),
        Object.keys(CALLS).sort(),
      );
    });

    it('answers every operation, success and refusal, as the document says', async () => {
      for (const [operationId, calls] of Object.entries(CALLS)) {
        for (const call of calls(fx)) {
          const res = await send(h.app, fx, call);
          const text = await res.clone().text();
          assert.equal(
            res.status,
            call.status,
            `${operationId}: ${call.method} ${call.path}: ${text.slice(0, 300)}`,
          );
          if (call.code) assert.equal(JSON.parse(text).code, call.code, `${operationId}: ${text}`);
          await conforms(backend, operationId, call, res);
        }
      }
    });

    it('documents the refusals every operation shares: 401, 405, and for a body 400 and 415', async () => {
      const byPath = new Map<string, string[]>();
      for (const o of operations()) byPath.set(o.path, [...(byPath.get(o.path) ?? []), o.method]);
      for (const { path, method, operationId, op } of operations()) {
        const [first] = CALLS[operationId]?.(fx) ?? [];
        assert.ok(first, `${operationId} has no call`);
        const refusals: Call[] = [{ ...first, as: null, status: 401 }];
        const missing = ['delete', 'patch'].find((m) => !byPath.get(path)?.includes(m)) ?? 'options';
        refusals.push({ ...first, method: missing.toUpperCase(), status: 405 });
        if (op.requestBody) {
          refusals.push({ ...first, raw: '{"not json', status: 400 });
          refusals.push({ ...first, raw: 'text', contentType: 'text/plain', status: 415 });
        }
        for (const call of refusals) {
          const res = await send(h.app, fx, call);
          assert.equal(
            res.status,
            call.status,
            `${operationId} (${method} ${path}) with ${call.status} expected`,
          );
          await conforms(backend, operationId, call, res);
        }
      }
    });

    it('documents 503 with Retry-After on every operation, for a database out of reach', async () => {
      const down = connectPostgres('postgres://provisio@127.0.0.1:1/unreachable', 1);
      const app = createApp({ ...h.rt, db: down.db, caches: new Caches() });
      try {
        for (const { operationId } of operations()) {
          const [first] = CALLS[operationId]?.(fx) ?? [];
          assert.ok(first);
          const call = { ...first, status: 503 };
          const res = await send(app, fx, call);
          assert.equal(res.status, 503, `${operationId} with its database out of reach`);
          assert.ok(Number(res.headers.get('retry-after')) > 0);
          await conforms(backend, operationId, call, res);
        }
      } finally {
        await down.close();
      }
    });
  });
}

describe('the API document speaks to integrators', () => {
  it('names no internal step code (W3–W8, S1–S7, C9, X1) in any description', async () => {
    const h = await startHarness('pglite');
    try {
      const text = await (await h.app.request('/api/openapi.json')).text();
      const descriptions = [...text.matchAll(/"(?:description|summary)":"((?:[^"\\]|\\.)*)"/g)].map(
        (m) => m[1],
      );
      const leaks = descriptions.filter((d) => /\b[WSCX]\d{1,2}\b/.test(d ?? ''));
      assert.deepEqual(leaks, []);
    } finally {
      await h.close();
    }
  });
});
