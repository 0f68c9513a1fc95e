import type { EventData, EventType } from './catalogue.ts';

/**
 * What each event type means, in one sentence, and an example of its `data` (docs/adr/0030). Typed by
 * the catalogue's schemas, so an example that drifts from its schema does not compile, and a unit test
 * parses each one (formats such as uuid are checked only there). Descriptions are API documentation,
 * in English like the operations' summaries.
 */
export type EventDocs = { [T in EventType]: { description: string; example: EventData<T> } };

const ORDER_ID = '3f6c2a1e-8b4d-4e2f-9a7c-5d1b0e6f2a93';
const LINE_ID = '9c1d7e42-5a3b-4f68-8e2d-1b7a6c0f3e25';
const PARTNER_ORG_ID = 'b2e4f6a8-1c3d-4e5f-8a7b-9c0d1e2f3a4b';
const DISTRIBUTOR_ORG_ID = 'd4c3b2a1-9f8e-4d7c-a6b5-0e1f2a3b4c5d';
const CUSTOMER_ORG_ID = 'e7f1a2b3-4c5d-4e6f-b7a8-9b0c1d2e3f40';
const REQUEST_ID = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const USER_ID = '71d2c3b4-a5e6-4f70-9a81-b2c3d4e5f607';

const line = {
  orderId: ORDER_ID,
  orderNumber: 'PRV-100042',
  lineId: LINE_ID,
  lineNumber: 1,
  subscriptionId: 'SUB-200117',
};

export const EVENT_DOCS: EventDocs = {
  'order.created': {
    description: 'An order was booked, with one subscription per line; each line waits for its start date.',
    example: {
      orderId: ORDER_ID,
      orderNumber: 'PRV-100042',
      reference: 'PO-2026-118',
      partnerOrgId: PARTNER_ORG_ID,
      placedByOrgId: DISTRIBUTOR_ORG_ID,
      lines: [
        {
          lineId: LINE_ID,
          lineNumber: 1,
          subscriptionId: 'SUB-200117',
          offerCode: 'A-WX',
          quantity: 50,
          requestedStartDate: '2026-12-01',
        },
      ],
      actor: { type: 'api_key', id: '0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d' },
    },
  },
  'line.provisioning_email_sent': {
    description:
      "The mail server accepted a provisioning email for the line's contact (the start-date email, a resend, or the one a contact change sends).",
    example: { ...line, to: 'it@acme.example', kind: 'start' },
  },
  'line.provisioning_email_failed': {
    description:
      "The mail server refused a provisioning email for the line's contact for good; `reason` is its answer.",
    example: {
      ...line,
      to: 'it@acme.example',
      kind: 'resend',
      reason: '550 5.1.1 Recipient address rejected: no such mailbox',
    },
  },
  'line.contact_changed': {
    description:
      "The line's provisioning contact changed before the Point of No Return; the old address's link no longer works.",
    example: {
      ...line,
      previousEmail: 'it@acme.example',
      email: 'procurement@acme.example',
      actor: { type: 'user', id: USER_ID },
    },
  },
  'line.escalated': {
    description:
      "Nobody started setting the line up a day after its start date, and the partner's account representative was told.",
    example: { ...line, requestedStartDate: '2026-12-01' },
  },
  'line.closed': {
    description:
      "The line's policy window ran out before anyone mapped its subscription: the line closed and billing started.",
    example: {
      ...line,
      stage: 'closed',
      previousStage: 'awaiting_details',
      actor: { type: 'system', id: 'provisioning.policy-window' },
      billingStartedOn: '2027-01-01',
    },
  },
  'subscription.mapped': {
    description:
      'The subscription was mapped to a partner and a customer organization: the Point of No Return.',
    example: {
      ...line,
      stage: 'mapped',
      previousStage: 'awaiting_details',
      actor: { type: 'setup_link', id: null },
      partnerOrgId: PARTNER_ORG_ID,
      customerOrgId: CUSTOMER_ORG_ID,
    },
  },
  'subscription.provisioning_requested': {
    description: "Provision was asked for, and a provision request went to the vendor's service.",
    example: {
      ...line,
      stage: 'provisioning',
      previousStage: 'mapped',
      actor: { type: 'user', id: USER_ID },
      provisionRequestId: REQUEST_ID,
    },
  },
  'subscription.needs_info': {
    description: "The vendor's service needs corrected setup details (`fields`) before it can provision.",
    example: {
      ...line,
      stage: 'needs_info',
      previousStage: 'provisioning',
      actor: { type: 'vendor', id: null },
      provisionRequestId: REQUEST_ID,
      fields: ['meetingSites[0].name'],
      message: 'That site name is reserved by another tenant.',
    },
  },
  'subscription.provisioning_failed': {
    description: "The vendor's service could not provision the subscription; `code` and `message` say why.",
    example: {
      ...line,
      stage: 'provisioning_failed',
      previousStage: 'provisioning',
      actor: { type: 'vendor', id: null },
      provisionRequestId: REQUEST_ID,
      code: 'region_unavailable',
      message: 'No capacity in the requested region.',
    },
  },
  'subscription.activated': {
    description: 'The subscription is active: its services were provisioned.',
    example: {
      ...line,
      stage: 'active',
      previousStage: 'provisioning',
      actor: { type: 'vendor', id: null },
      externalTenantId: 'tenant-8841',
    },
  },
  'subscription.billing_started': {
    description:
      'Billing started for the subscription, on `effectiveStartDate`, because it was provisioned or its policy window ran out.',
    example: {
      subscriptionId: 'SUB-200117',
      orderId: ORDER_ID,
      orderNumber: 'PRV-100042',
      reference: 'PO-2026-118',
      lineId: LINE_ID,
      lineNumber: 1,
      offerCode: 'A-WX',
      quantity: 50,
      billToOrgId: DISTRIBUTOR_ORG_ID,
      customerOrgId: CUSTOMER_ORG_ID,
      effectiveStartDate: '2026-12-03',
      startedAt: '2026-12-03T14:20:05.000Z',
      reason: 'provisioned',
    },
  },
  'support_case.answered': {
    description: "An operator answered a support case of the partner's; the case waits for the partner.",
    example: {
      caseId: '2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901',
      caseNumber: 'CASE-700012',
      organizationId: PARTNER_ORG_ID,
      subscriptionId: 'SUB-200117',
    },
  },
  'webhook_endpoint.disabled': {
    description:
      'A webhook endpoint was disabled: it answered 410 Gone, or every delivery to it failed for 5 days.',
    example: {
      endpointId: '8e9f0a1b-2c3d-4e5f-a607-18293a4b5c6d',
      url: 'https://erp.partner.example/hooks/provisio',
      reason: 'failing',
      failingSince: '2026-12-01T08:00:00.000Z',
    },
  },
};
