import type { ColumnType, Generated } from 'kysely';

/** Row types of every table, as Kysely sees them. Each block belongs to the module named above it. */

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type CreatedNow = ColumnType<Date, Date | string | undefined, never>;
type Json = ColumnType<unknown, string, string>;

// catalog
export interface OffersTable {
  code: string;
  name: string;
  policy_window_days: number;
  active: Generated<boolean>;
  updated_at: CreatedNow;
}
export interface OfferServicesTable {
  offer_code: string;
  service_code: string;
}

// identity
export interface OrganizationsTable {
  id: Generated<string>;
  kind: 'partner' | 'distributor' | 'customer';
  name: string;
  business_vertical: string | null;
  country: string | null;
  created_at: CreatedNow;
}
export interface OrganizationDomainsTable {
  organization_id: string;
  domain: string;
  status: 'verified' | 'claimed';
  created_at: CreatedNow;
}
export interface DistributorResellersTable {
  distributor_id: string;
  reseller_id: string;
}
export interface UsersTable {
  id: Generated<string>;
  organization_id: string;
  email: string;
  display_name: string | null;
  role: 'partner_admin' | 'partner_user' | 'customer_admin' | 'customer_user';
  locale: Generated<string>;
  password_hash: string | null;
  last_active_at: Timestamp | null;
  created_at: CreatedNow;
}
export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}
export interface ApiKeysTable {
  id: Generated<string>;
  organization_id: string;
  name: string;
  key_prefix: string;
  key_hash: string;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

// orders
export interface OrdersTable {
  id: Generated<string>;
  order_number: Generated<string>;
  reference: string;
  partner_org_id: string;
  placed_by_org_id: string;
  placed_by_user_id: string | null;
  placed_by_api_key_id: string | null;
  end_customer_name: string;
  end_customer_country: string | null;
  locale: Generated<string>;
  created_at: Timestamp;
}
export interface LineStatusesTable {
  code: string;
}
export interface OrderLinesTable {
  id: Generated<string>;
  order_id: string;
  line_number: number;
  offer_code: string;
  quantity: number;
  requested_start_date: ColumnType<string, string, string>;
  provisioning_contact_email: string;
  status: string;
  status_changed_at: Timestamp;
  created_at: Timestamp;
}
export interface OrderLineServicesTable {
  line_id: string;
  service_code: string;
  quantity: number;
}
export interface SubscriptionsTable {
  id: Generated<string>;
  line_id: string;
  partner_org_id: string | null;
  customer_org_id: string | null;
  mapped_at: Timestamp | null;
  provisioned_at: Timestamp | null;
  billing_started_at: Timestamp | null;
  created_at: Timestamp;
}
export interface IdempotencyKeysTable {
  organization_id: string;
  key: string;
  operation: string;
  request_hash: string;
  resource_id: string;
  created_at: Timestamp;
}

// audit
export interface AuditEventsTable {
  id: Generated<string>;
  occurred_at: Timestamp;
  actor_type: 'user' | 'api_key' | 'system';
  actor_id: string | null;
  organization_id: string | null;
  entity_type: string;
  entity_id: string;
  action: string;
  payload: Json;
  request_id: string | null;
}

export interface Database {
  offers: OffersTable;
  offer_services: OfferServicesTable;
  organizations: OrganizationsTable;
  organization_domains: OrganizationDomainsTable;
  distributor_resellers: DistributorResellersTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  orders: OrdersTable;
  line_statuses: LineStatusesTable;
  order_lines: OrderLinesTable;
  order_line_services: OrderLineServicesTable;
  subscriptions: SubscriptionsTable;
  idempotency_keys: IdempotencyKeysTable;
  audit_events: AuditEventsTable;
}
