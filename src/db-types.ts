/**
 * Row types of every table, generated from the migrated schema by `npm run db:types`
 * (scripts/db-types.ts, kysely-codegen). Do not edit: change the migration and regenerate.
 */
import type { ColumnType } from 'kysely';

export type Generated<T> =
  T extends ColumnType<infer S, infer I, infer U>
    ? ColumnType<S, I | undefined, U>
    : ColumnType<T, T | undefined, T>;

export type Json = ColumnType<JsonValue, string, string>;

export type JsonArray = JsonValue[];

export type JsonObject = {
  [x: string]: JsonValue | undefined;
};

export type JsonPrimitive = boolean | number | string | null;

export type JsonValue = JsonArray | JsonObject | JsonPrimitive;

export type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface ApiKeysTable {
  created_at: Timestamp;
  created_by_user_id: string | null;
  id: Generated<string>;
  key_hash: string;
  key_prefix: string;
  last_used_at: Timestamp | null;
  name: string;
  organization_id: string;
  revoked_at: Timestamp | null;
}

export interface AuditEventsTable {
  action: string;
  actor_id: string | null;
  actor_type: 'user' | 'api_key' | 'system' | 'setup_link';
  entity_id: string;
  entity_type: string;
  id: Generated<number>;
  occurred_at: Timestamp;
  organization_id: string | null;
  payload: Generated<Json>;
  request_id: string | null;
}

export interface CallingLocationsTable {
  address_line1: string;
  address_line2: string | null;
  city: string;
  country: string;
  created_at: Timestamp;
  id: Generated<string>;
  is_main: Generated<boolean>;
  language: string;
  name: string;
  organization_id: string;
  postal_code: string | null;
  state_region: string | null;
  subscription_id: string;
  time_zone: string;
  updated_at: Timestamp;
}

export interface DevMailboxTable {
  id: Generated<number>;
  message_id: string;
  mime: string;
  received_at: Timestamp;
  subject: string;
  to_address: string;
}

export interface DistributorResellersTable {
  distributor_id: string;
  reseller_id: string;
}

export interface EnterpriseSubdomainsTable {
  created_at: Timestamp;
  organization_id: string;
  reserved_until: Timestamp | null;
  subdomain: string;
  subscription_id: string | null;
}

export interface EscalationContactsTable {
  contacted_at: Timestamp;
  contacted_by_user_id: string | null;
  line_id: string;
  note: string;
}

export interface EventsTable {
  data: Json;
  id: string;
  occurred_at: Timestamp;
  order_id: string | null;
  partner_org_id: string | null;
  placed_by_org_id: string | null;
  seq: Generated<number>;
  subscription_id: string | null;
  type: string;
  xid: Generated<string>;
}

export interface IdempotencyKeysTable {
  created_at: Timestamp;
  key: string;
  operation: string;
  organization_id: string;
  request_hash: string;
  resource_id: string;
}

export interface LineStatusesTable {
  code: string;
}

export interface ManagedCustomersTable {
  access: 'full_admin' | 'provisioning_admin';
  customer_org_id: string;
  full_admin_requested_at: Timestamp | null;
  full_admin_requested_by_user_id: string | null;
  granted_at: Timestamp;
  partner_org_id: string;
}

export interface MeetingSitesTable {
  created_at: Timestamp;
  early_release: Generated<boolean>;
  id: Generated<string>;
  licenses: number;
  name: string;
  organization_id: string;
  position: number;
  reserved_until: Timestamp | null;
  subscription_id: string;
  time_zone: string;
}

export interface OffersTable {
  active: Generated<boolean>;
  code: string;
  fulfilment_mode: Generated<'none' | 'manual' | 'http'>;
  fulfilment_url: string | null;
  name: string;
  policy_window_days: number;
  updated_at: Generated<Timestamp>;
}

export interface OfferServicesTable {
  offer_code: string;
  service_code: 'meetings' | 'calling' | 'messaging';
}

export interface OrderLinesTable {
  created_at: Timestamp;
  escalated_at: Timestamp | null;
  first_email_sent_at: Timestamp | null;
  id: Generated<string>;
  line_number: number;
  link_opened_at: Timestamp | null;
  offer_code: string;
  order_created_at: Timestamp;
  order_id: string;
  partner_org_id: string;
  placed_by_org_id: string;
  placed_for_other: Generated<boolean | null>;
  provisioning_contact_email: string;
  quantity: number;
  requested_start_date: string;
  status: string;
  status_changed_at: Timestamp;
  version: Generated<number>;
}

export interface OrderLineServicesTable {
  line_id: string;
  quantity: number;
  service_code: string;
}

export interface OrdersTable {
  created_at: Timestamp;
  end_customer_country: string | null;
  end_customer_name: string;
  id: Generated<string>;
  locale: Generated<'en' | 'it' | 'pt-BR' | 'ru' | 'uk'>;
  order_number: Generated<string>;
  partner_org_id: string;
  placed_by_api_key_id: string | null;
  placed_by_org_id: string;
  placed_by_user_id: string | null;
  placed_for_other: Generated<boolean | null>;
  reference: string;
}

export interface OrganizationDomainsTable {
  created_at: Generated<Timestamp>;
  domain: string;
  organization_id: string;
  status: 'verified' | 'claimed';
}

export interface OrganizationJoinRequestsTable {
  contact_email: string;
  decided_at: Timestamp | null;
  decided_by_user_id: string | null;
  id: string;
  mapping_input: Json;
  organization_id: string;
  reason: 'join' | 'partner_access';
  requested_at: Timestamp;
  requester_locale: 'en' | 'it' | 'pt-BR' | 'ru' | 'uk';
  side: 'partner' | 'customer';
  status: Generated<'pending' | 'approved' | 'refused' | 'withdrawn' | 'expired'>;
  subject_email: string;
  subscription_id: string;
}

export interface OrganizationsTable {
  account_rep_email: string | null;
  business_vertical: string | null;
  country: string | null;
  created_at: Generated<Timestamp>;
  created_by_subscription_id: string | null;
  id: Generated<string>;
  kind: 'partner' | 'distributor' | 'customer' | 'vendor';
  name: string;
  time_zone: Generated<string>;
}

export interface OrganizationSearchAttemptsTable {
  attempts: number;
  key_hash: string;
  window_started_at: Timestamp;
}

export interface OutboxEmailsTable {
  attempts: Generated<number>;
  claimed_until: Timestamp | null;
  created_at: Timestamp;
  html: string;
  id: Generated<string>;
  kind: string;
  last_error: string | null;
  locale: 'en' | 'it' | 'pt-BR' | 'ru' | 'uk';
  not_before: Timestamp;
  sent_at: Timestamp | null;
  status: Generated<'pending' | 'sent' | 'failed'>;
  subject: string;
  subject_ref: string | null;
  text_body: string;
  to_address: string;
}

export interface ProvisioningEmailLinesTable {
  email_id: string;
  line_id: string;
  message_kind: 'start' | 'resend' | 'contact_changed';
}

export interface ProvisioningLinksTable {
  created_at: Timestamp;
  ended_at: Timestamp | null;
  ended_reason: 'resent' | 'contact_changed' | 'mapped' | null;
  id: Generated<string>;
  line_id: string;
  opened_at: Timestamp | null;
  sent_to: string;
  token_hash: string;
}

export interface ProvisioningTransactionsTable {
  actor_id: string | null;
  actor_label: string | null;
  actor_type: 'user' | 'api_key' | 'system' | 'link';
  completed_at: Timestamp | null;
  created_at: Timestamp;
  failure_reason: string | null;
  id: Generated<string>;
  line_id: string;
  new_email: string;
  old_email: string | null;
  order_id: string;
  partner_org_id: string;
  placed_by_org_id: string;
  placed_for_other: Generated<boolean | null>;
  status: 'submitted' | 'sent' | 'failed' | 'completed';
  subscription_id: string;
  type: 'provisioning_email_update' | 'provisioning_email_resend';
}

export interface ProvisionRequestsTable {
  accepted_at: Timestamp | null;
  action: Generated<string>;
  answer_code: string | null;
  answer_fields: string[] | null;
  answer_message: Json | null;
  answered_at: Timestamp | null;
  answered_by: 'vendor_service' | 'operator' | 'provisio' | null;
  answered_by_user_id: string | null;
  attempts: Generated<number>;
  created_at: Timestamp;
  customer_org_id: string;
  external_tenant_id: string | null;
  id: string;
  last_attempt_at: Timestamp | null;
  last_error: string | null;
  mode: 'manual' | 'http';
  next_attempt_at: Timestamp | null;
  offer_code: string;
  opened_at: Timestamp;
  partner_org_id: string;
  quantity: number;
  requested_by_user_id: string | null;
  seq: Generated<number>;
  setup: Json;
  stalled_notified_at: Timestamp | null;
  state: Generated<'open' | 'succeeded' | 'failed' | 'needs_info' | 'given_up'>;
  subscription_id: string;
  supersedes: string | null;
  updated_at: Timestamp;
}

export interface RateLimitBucketsTable {
  hits: number;
  key_hash: string;
  limit_name: string;
  window_started_at: Timestamp;
}

export interface SessionsTable {
  created_at: Timestamp;
  expires_at: Timestamp;
  token_hash: string;
  user_id: string;
}

export interface SetupNameHoldsTable {
  first_reserved_at: Timestamp;
  kind: 'site' | 'subdomain';
  name: string;
  subscription_id: string;
}

export interface SignInAttemptsTable {
  attempts: number;
  key_hash: string;
  scope: 'address_client' | 'client';
  window_started_at: Timestamp;
}

export interface SubscriptionsTable {
  billing_start_reason: 'policy' | 'provisioned' | null;
  billing_started_at: Timestamp | null;
  created_at: Timestamp;
  customer_org_id: string | null;
  external_tenant_id: string | null;
  id: Generated<string>;
  line_id: string;
  mapped_at: Timestamp | null;
  mapped_by_user_id: string | null;
  order_partner_org_id: string;
  order_placed_by_org_id: string;
  partner_org_id: string | null;
  placed_for_other: Generated<boolean | null>;
  provisioned_at: Timestamp | null;
  provisioned_by_user_id: string | null;
  setup_assignee: 'partner' | 'customer' | null;
  stage: Generated<string>;
  stage_changed_at: Timestamp | null;
}

export interface SubscriptionStagesTable {
  code: string;
}

export interface SupportCaseAttachmentsTable {
  case_id: string;
  content: Buffer | null;
  content_type: 'image/png' | 'image/jpeg';
  created_at: Timestamp;
  file_name: string;
  id: Generated<string>;
  sha256: string;
  size_bytes: number;
  storage_key: string | null;
}

export interface SupportCaseMessagesTable {
  author_kind: 'partner' | 'operator';
  author_user_id: string | null;
  body: string;
  case_id: string;
  created_at: Timestamp;
  id: Generated<string>;
}

export interface SupportCasesTable {
  case_number: Generated<string>;
  closed_at: Timestamp | null;
  created_at: Timestamp;
  description: string;
  id: Generated<string>;
  locale: Generated<'en' | 'it' | 'pt-BR' | 'ru' | 'uk'>;
  opened_by_api_key_id: string | null;
  opened_by_user_id: string | null;
  organization_id: string;
  request_type: 'resend_provisioning_email' | 'change_provisioning_contact_email' | 'other';
  status: Generated<'open' | 'answered' | 'closed'>;
  subscription_id: string | null;
  updated_at: Timestamp;
}

export interface UserInvitationsTable {
  created_at: Timestamp;
  expires_at: Timestamp;
  id: Generated<string>;
  purpose: 'set_password' | 'set_up_services';
  subscription_id: string | null;
  token_hash: string;
  used_at: Timestamp | null;
  user_id: string;
}

export interface UsersTable {
  created_at: Generated<Timestamp>;
  display_name: string | null;
  email: string;
  id: Generated<string>;
  last_active_at: Timestamp | null;
  locale: Generated<'en' | 'it' | 'pt-BR' | 'ru' | 'uk'>;
  organization_id: string;
  password_hash: string | null;
  role: 'partner_admin' | 'partner_user' | 'partner_viewer' | 'customer_admin' | 'customer_user' | 'operator';
}

export interface WebhookAttemptsTable {
  attempted_at: Timestamp;
  delivery_id: string;
  error: string | null;
  id: Generated<number>;
  latency_ms: number;
  response_excerpt: string | null;
  status_code: number | null;
}

export interface WebhookDeliveriesTable {
  attempts: Generated<number>;
  claim_token: string | null;
  claimed_until: Timestamp | null;
  created_at: Timestamp;
  endpoint_id: string;
  event_id: string | null;
  event_seq: number | null;
  event_type: string;
  finished_at: Timestamp | null;
  id: Generated<string>;
  last_error: string | null;
  last_status_code: number | null;
  next_attempt_at: Timestamp;
  status: Generated<'pending' | 'delivered' | 'failed'>;
  subscription_id: string | null;
  test_data: Json | null;
}

export interface WebhookEndpointsTable {
  created_at: Timestamp;
  description: Generated<string>;
  disabled_at: Timestamp | null;
  disabled_reason: 'manual' | 'gone' | 'failing' | null;
  enabled: Generated<boolean>;
  event_types: Generated<string[]>;
  failing_since: Timestamp | null;
  id: string;
  organization_id: string | null;
  previous_secret_expires_at: Timestamp | null;
  previous_secret_sealed: string | null;
  secret_sealed: string;
  updated_at: Timestamp;
  url: string;
}

export interface Database {
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  calling_locations: CallingLocationsTable;
  dev_mailbox: DevMailboxTable;
  distributor_resellers: DistributorResellersTable;
  enterprise_subdomains: EnterpriseSubdomainsTable;
  escalation_contacts: EscalationContactsTable;
  events: EventsTable;
  idempotency_keys: IdempotencyKeysTable;
  line_statuses: LineStatusesTable;
  managed_customers: ManagedCustomersTable;
  meeting_sites: MeetingSitesTable;
  offer_services: OfferServicesTable;
  offers: OffersTable;
  order_line_services: OrderLineServicesTable;
  order_lines: OrderLinesTable;
  orders: OrdersTable;
  organization_domains: OrganizationDomainsTable;
  organization_join_requests: OrganizationJoinRequestsTable;
  organization_search_attempts: OrganizationSearchAttemptsTable;
  organizations: OrganizationsTable;
  outbox_emails: OutboxEmailsTable;
  provision_requests: ProvisionRequestsTable;
  provisioning_email_lines: ProvisioningEmailLinesTable;
  provisioning_links: ProvisioningLinksTable;
  provisioning_transactions: ProvisioningTransactionsTable;
  rate_limit_buckets: RateLimitBucketsTable;
  sessions: SessionsTable;
  setup_name_holds: SetupNameHoldsTable;
  sign_in_attempts: SignInAttemptsTable;
  subscription_stages: SubscriptionStagesTable;
  subscriptions: SubscriptionsTable;
  support_case_attachments: SupportCaseAttachmentsTable;
  support_case_messages: SupportCaseMessagesTable;
  support_cases: SupportCasesTable;
  user_invitations: UserInvitationsTable;
  users: UsersTable;
  webhook_attempts: WebhookAttemptsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_endpoints: WebhookEndpointsTable;
}
