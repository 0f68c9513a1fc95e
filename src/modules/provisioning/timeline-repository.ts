import type { Executor } from '../../platform/db.ts';

/** What the timers and the timeline need to know about lines: their clocks and their subscription's. */
export async function findLineFacts(db: Executor, lineIds: string[]) {
  if (lineIds.length === 0) return [];
  return db
    .selectFrom('order_lines as l')
    .innerJoin('subscriptions as s', 's.line_id', 'l.id')
    .leftJoin('offers as o', 'o.code', 'l.offer_code')
    .select([
      'l.id as lineId',
      'l.order_id as orderId',
      'l.status',
      'l.status_changed_at as statusChangedAt',
      'l.requested_start_date as requestedStartDate',
      'l.provisioning_contact_email as contactEmail',
      'l.first_email_sent_at as firstEmailSentAt',
      'l.link_opened_at as linkOpenedAt',
      'l.escalated_at as escalatedAt',
      'o.policy_window_days as policyWindowDays',
      's.id as subscriptionId',
      's.billing_started_at as billingStartedAt',
      's.billing_start_reason as billingStartReason',
      's.mapped_at as mappedAt',
      's.provisioned_at as provisionedAt',
    ])
    .where('l.id', 'in', lineIds)
    .execute();
}

export async function findOrderPlacement(db: Executor, orderId: string) {
  return db
    .selectFrom('orders')
    .select(['created_at as createdAt', 'placed_by_user_id as userId', 'placed_by_api_key_id as apiKeyId'])
    .where('id', '=', orderId)
    .executeTakeFirstOrThrow();
}

/** The history of a line and of its subscription, oldest first. */
export async function findAuditEvents(db: Executor, lineId: string, subscriptionId: string) {
  return db
    .selectFrom('audit_events')
    .select([
      'id',
      'occurred_at as at',
      'action',
      'actor_type as actorType',
      'actor_id as actorId',
      'payload',
    ])
    .where((eb) =>
      eb.or([
        eb.and([eb('entity_type', '=', 'order_line'), eb('entity_id', '=', lineId)]),
        eb.and([eb('entity_type', '=', 'subscription'), eb('entity_id', '=', subscriptionId)]),
      ]),
    )
    .orderBy('occurred_at')
    .orderBy('id')
    .execute();
}

export async function findLineTransactions(db: Executor, lineId: string) {
  return db
    .selectFrom('provisioning_transactions')
    .select([
      'id',
      'type',
      'old_email as oldEmail',
      'new_email as newEmail',
      'actor_type as actorType',
      'actor_label as actorLabel',
      'status',
      'created_at as at',
    ])
    .where('line_id', '=', lineId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** Where the first provisioning email went (the contact may have changed since). */
export async function findFirstLink(db: Executor, lineId: string) {
  return db
    .selectFrom('provisioning_links')
    .select(['sent_to as sentTo', 'opened_at as openedAt'])
    .where('line_id', '=', lineId)
    .orderBy('created_at')
    .limit(1)
    .executeTakeFirst();
}

export async function findUserEmails(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('users').select(['id', 'email as label']).where('id', 'in', ids).execute();
}

export async function findApiKeyNames(db: Executor, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('api_keys').select(['id', 'name as label']).where('id', 'in', ids).execute();
}
