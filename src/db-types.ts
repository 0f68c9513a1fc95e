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
  actor_type: 'user' | 'api_key' | 'system';
  entity_id: string;
  entity_type: string;
  id: Generated<number>;
  occurred_at: Timestamp;
  organization_id: string | null;
  payload: Generated<Json>;
  request_id: string | null;
}

export interface DistributorResellersTable {
  distributor_id: string;
  reseller_id: string;
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

export interface OffersTable {
  active: Generated<boolean>;
  code: string;
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
  id: Generated<string>;
  line_number: number;
  offer_code: string;
  order_id: string;
  provisioning_contact_email: string;
  quantity: number;
  requested_start_date: string;
  status: string;
  status_changed_at: Timestamp;
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
  reference: string;
}

export interface OrganizationDomainsTable {
  created_at: Generated<Timestamp>;
  domain: string;
  organization_id: string;
  status: 'verified' | 'claimed';
}

export interface OrganizationsTable {
  business_vertical: string | null;
  country: string | null;
  created_at: Generated<Timestamp>;
  id: Generated<string>;
  kind: 'partner' | 'distributor' | 'customer';
  name: string;
}

export interface SessionsTable {
  created_at: Timestamp;
  expires_at: Timestamp;
  token_hash: string;
  user_id: string;
}

export interface SignInAttemptsTable {
  attempts: number;
  key_hash: string;
  scope: 'address_client' | 'client';
  window_started_at: Timestamp;
}

export interface SubscriptionsTable {
  billing_started_at: Timestamp | null;
  created_at: Timestamp;
  customer_org_id: string | null;
  id: Generated<string>;
  line_id: string;
  mapped_at: Timestamp | null;
  partner_org_id: string | null;
  provisioned_at: Timestamp | null;
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
  role: 'partner_admin' | 'partner_user' | 'customer_admin' | 'customer_user';
}

export interface Database {
  api_keys: ApiKeysTable;
  audit_events: AuditEventsTable;
  distributor_resellers: DistributorResellersTable;
  idempotency_keys: IdempotencyKeysTable;
  line_statuses: LineStatusesTable;
  offer_services: OfferServicesTable;
  offers: OffersTable;
  order_line_services: OrderLineServicesTable;
  order_lines: OrderLinesTable;
  orders: OrdersTable;
  organization_domains: OrganizationDomainsTable;
  organizations: OrganizationsTable;
  sessions: SessionsTable;
  sign_in_attempts: SignInAttemptsTable;
  subscriptions: SubscriptionsTable;
  users: UsersTable;
}
