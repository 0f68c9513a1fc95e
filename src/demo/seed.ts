import * as apiKeys from '../modules/identity/api-keys.ts';
import * as identity from '../modules/identity/service.ts';
import { createOrder } from '../modules/orders/service.ts';
import { dispatchDueLines } from '../modules/provisioning/dispatch.ts';
import { closeExpiredPolicyWindows, escalateStalledLines } from '../modules/provisioning/timers.ts';
import { addDays, type Clock, isoDate, ManualClock } from '../platform/clock.ts';
import { type Ctx, inTransaction } from '../platform/context.ts';
import { lockForTransaction } from '../platform/db.ts';
import { hashPassword, randomToken } from '../platform/secrets.ts';
import { DEMO_ORGS } from './data.ts';
import { DEMO_ORDERS } from './orders.ts';
import {
  FULFILMENT_REFERENCE,
  PROVISIONED_REFERENCE,
  provisionDemoLine,
  requestDemoFulfilment,
} from './provisioned.ts';

export interface DemoSummary {
  /**
   * `created`: loaded now; `unchanged`: the demo was there and nothing was touched (its passwords and
   * keys are only stored hashed, so none is shown); `reset`: a new password and new demo keys.
   */
  status: 'created' | 'unchanged' | 'reset';
  orgs: { id: string; name: string; kind: string; apiKey: string | null }[];
  users: { email: string; password: string | null; orgId: string; role: string }[];
}

const DAY = 86_400_000;

/**
 * Fills the database with the demo tenants and their orders, all or nothing. Run again on a database
 * that has the demo (its fixed organization ids), it changes nothing and says so (`unchanged`); with
 * `reset` it sets a new password for every demo user and replaces the demo API keys (the old ones are
 * revoked). With `onlyIfEmpty`, it does nothing (and returns undefined) on a database that has any
 * organization: processes starting together take turns, so only the first one seeds.
 */
export async function seedDemo(
  ctx: Ctx,
  options: { password?: string; onlyIfEmpty?: boolean; reset?: boolean } = {},
): Promise<DemoSummary | undefined> {
  return inTransaction(ctx, async (tx) => {
    await lockForTransaction(tx.db, 'provisio.demo-seed');
    if (options.onlyIfEmpty && (await identity.hasOrganizations(tx))) return undefined;
    const exists = await hasDemo(tx);
    if (exists && !options.reset) return summary('unchanged', null, new Map());
    const password = options.password ?? `demo-${randomToken(16).slice(0, 12)}`;
    if (exists) {
      // An admin may have removed a demo user in the hub since: the others are still reset.
      for (const user of DEMO_ORGS.flatMap((o) => o.users))
        if (await identity.userByEmail(tx, user.email)) await identity.setPassword(tx, user.email, password);
    } else {
      await createDemoTenants(tx, password);
      await seedOrders(tx, tx.clock);
    }
    const keys = new Map<string, string>();
    // Partners and distributors place orders with theirs; the vendor's reports fulfilment results
    // (the quick start for integrators uses it).
    for (const org of DEMO_ORGS.filter((o) => o.kind !== 'customer')) {
      await apiKeys.revokeApiKeys(tx, org.id, DEMO_KEY_NAME);
      keys.set(org.id, (await apiKeys.createApiKey(tx, org.id, DEMO_KEY_NAME)).key);
    }
    return summary(exists ? 'reset' : 'created', password, keys);
  });
}

/** True when the demo tenants are in the database (by their fixed ids). */
export async function hasDemo(ctx: Ctx): Promise<boolean> {
  return (await identity.findOrganization(ctx, DEMO_ORGS[0]?.id ?? '')) !== undefined;
}

function summary(
  status: DemoSummary['status'],
  password: string | null,
  keys: Map<string, string>,
): DemoSummary {
  return {
    status,
    orgs: DEMO_ORGS.map((org) => ({
      id: org.id,
      name: org.name,
      kind: org.kind,
      apiKey: keys.get(org.id) ?? null,
    })),
    users: DEMO_ORGS.flatMap((org) =>
      org.users.map((u) => ({ email: u.email, password, orgId: org.id, role: u.role })),
    ),
  };
}

const DEMO_KEY_NAME = 'demo';

async function createDemoTenants(ctx: Ctx, password: string): Promise<void> {
  const now = ctx.clock.now();
  // scrypt takes 50 to 100 ms a time on purpose: once for every demo user, not once each.
  const passwordHash = await hashPassword(password);
  for (const org of DEMO_ORGS) {
    await identity.createOrganization(ctx, {
      id: org.id,
      kind: org.kind,
      name: org.name,
      businessVertical: org.vertical,
      country: org.country,
      domains: org.domains,
      ...(org.timeZone ? { timeZone: org.timeZone } : {}),
      ...(org.accountRepEmail ? { accountRepEmail: org.accountRepEmail } : {}),
    });
    for (const user of org.users) {
      await identity.createUser(ctx, {
        organizationId: org.id,
        email: user.email,
        role: user.role,
        passwordHash,
        displayName: user.name,
        locale: user.locale,
        lastActiveAt: user.activeDaysAgo === null ? null : new Date(now.getTime() - user.activeDaysAgo * DAY),
      });
    }
  }
  for (const org of DEMO_ORGS) {
    for (const reseller of org.resellers ?? []) await identity.addReseller(ctx, org.id, reseller);
  }
}

/**
 * Books each demo order on its own past day, then replays the days since the earliest start date as
 * the timers would have lived them: each morning's provisioning emails go out (to the development
 * mailbox), stalled lines are escalated, and lines whose policy window ran out close.
 */
async function seedOrders(ctx: Ctx, clock: Clock): Promise<void> {
  const today = isoDate(clock.now());
  let provisioned: string | undefined;
  let fulfilled: string | undefined;
  for (const order of DEMO_ORDERS) {
    const user = await identity.userByEmail(ctx, order.userEmail);
    const org = DEMO_ORGS.find((o) => o.id === order.placedBy);
    if (!user || !org) throw new Error(`demo data: unknown placer ${order.userEmail}`);
    const bookedAt = new ManualClock(new Date(clock.now().getTime() - order.bookedDaysAgo * DAY));
    const asPlacer: Ctx = {
      ...ctx,
      clock: bookedAt,
      locale: order.locale,
      actor: {
        type: 'user',
        userId: user.id,
        orgId: org.id,
        orgKind: org.kind,
        role: user.role,
        email: user.email,
      },
    };
    const created = await createOrder(asPlacer, {
      reference: order.reference,
      endCustomer: { name: order.customer, country: order.country },
      locale: order.locale,
      ...(order.resellerOrgId ? { resellerOrgId: order.resellerOrgId } : {}),
      lines: order.lines.map((l) => ({
        offer: l.offer,
        quantity: l.quantity,
        requestedStartDate: addDays(today, l.startInDays),
        provisioningContactEmail: l.contact,
      })),
    });
    if (order.reference === PROVISIONED_REFERENCE) provisioned = created.order.lines[0]?.subscriptionId;
    if (order.reference === FULFILMENT_REFERENCE) fulfilled = created.order.lines[0]?.subscriptionId;
  }
  await replayTimers(ctx, clock);
  if (provisioned) await provisionDemoLine(ctx, provisioned);
  if (fulfilled) await requestDemoFulfilment(ctx, fulfilled);
}

async function replayTimers(ctx: Ctx, clock: Clock): Promise<void> {
  const today = isoDate(clock.now());
  const daysBack = Math.max(0, ...DEMO_ORDERS.flatMap((o) => o.lines.map((l) => -l.startInDays)));
  for (let day = addDays(today, -daysBack); day <= today; day = addDays(day, 1)) {
    const morning = Math.min(new Date(`${day}T09:00:00Z`).getTime(), clock.now().getTime());
    const dayCtx: Ctx = { ...ctx, clock: new ManualClock(new Date(morning)) };
    while ((await dispatchDueLines(dayCtx)).lines > 0);
    await escalateStalledLines(dayCtx);
    await closeExpiredPolicyWindows(dayCtx);
  }
}
