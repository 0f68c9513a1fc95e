import type { Executor } from '../../platform/db.ts';

/** A subscription with its line, order and organizations: what every setup step starts from. */
export async function findSetupRow(db: Executor, subscriptionId: string) {
  return db
    .selectFrom('subscriptions as s')
    .innerJoin('order_lines as l', 'l.id', 's.line_id')
    .innerJoin('orders as o', 'o.id', 'l.order_id')
    .innerJoin('offers as f', 'f.code', 'l.offer_code')
    .leftJoin('organizations as p', 'p.id', 's.partner_org_id')
    .leftJoin('organizations as c', 'c.id', 's.customer_org_id')
    .leftJoin('managed_customers as m', (join) =>
      join
        .onRef('m.partner_org_id', '=', 's.partner_org_id')
        .onRef('m.customer_org_id', '=', 's.customer_org_id'),
    )
    .select([
      's.id as subscription_id',
      's.stage',
      's.mapped_at',
      's.setup_assignee',
      's.provisioned_at',
      's.billing_started_at',
      's.billing_start_reason',
      's.partner_org_id',
      's.customer_org_id',
      'p.name as partner_org_name',
      'c.name as customer_org_name',
      'm.access as partner_access',
      'l.id as line_id',
      'l.line_number',
      'l.status as line_status',
      'l.quantity',
      'l.requested_start_date',
      'l.provisioning_contact_email',
      'l.offer_code',
      'f.name as offer_name',
      'f.fulfilment_mode',
      'o.id as order_id',
      'o.order_number',
      'o.reference',
      'o.partner_org_id as order_partner_org_id',
      'o.placed_by_org_id',
      'o.locale as order_locale',
      'o.end_customer_name',
      'o.end_customer_country',
    ])
    .where('s.id', '=', subscriptionId)
    .executeTakeFirst();
}

export async function findLineServices(db: Executor, lineId: string) {
  return db
    .selectFrom('order_line_services')
    .select(['service_code', 'quantity'])
    .where('line_id', '=', lineId)
    .orderBy('service_code')
    .execute();
}

/** The access a partner organization has to a customer it manages, if any. */
export async function findPartnerAccess(db: Executor, partnerOrgId: string, customerOrgId: string) {
  const row = await db
    .selectFrom('managed_customers')
    .select('access')
    .where('partner_org_id', '=', partnerOrgId)
    .where('customer_org_id', '=', customerOrgId)
    .executeTakeFirst();
  return row?.access ?? null;
}
