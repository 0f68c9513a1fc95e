import assert from 'node:assert/strict';
import * as identity from '../../src/modules/identity/service.ts';
import { escalateStalledLines } from '../../src/modules/provisioning/timers.ts';
import { type Harness, orderBody, type Tenant } from './harness.ts';
import { dispatchAt } from './provisioning-state.ts';

/**
 * An operator's day as the back office tests see it, reached the way production reaches it (orders
 * through the API, the dispatch sends the emails, the escalation job escalates):
 *
 * - 21 Nov: partner A orders PO-A-MANY (52 lines starting that day) and 26 orders starting 20 Dec
 *   (PO-A-00…25, still scheduled); partner B orders PO-B-OLD (one line, that day). All due emails go.
 * - 23 Nov: the 53 lines starting 21 Nov are escalated; A opens 26 support cases, B one.
 * - 5 Dec: B orders PO-B-NEW (starting that day); 7 Dec: it is escalated, and B opens a second case.
 *
 * The clock then stays at 7 Dec 10:00 UTC: "older than 7 days" keeps 21–23 Nov and drops 5–7 Dec.
 */
export interface OperatorsDay {
  partnerA: Tenant;
  partnerB: Tenant;
  operator: Tenant;
  /** Lines (and subscriptions) of PO-A-MANY, PO-B-OLD and PO-B-NEW. */
  aLines: { lineId: string; subscriptionId: string }[];
  bOld: { lineId: string; subscriptionId: string };
  bNew: { lineId: string; subscriptionId: string };
  /** One of A's scheduled lines: never escalated. */
  aScheduledLineId: string;
  aCaseIds: string[];
  bCaseIds: string[];
}

export const OPERATOR_PASSWORD = 'operator password 1';

async function order(h: Harness, tenant: Tenant, reference: string, start: string, lines: number) {
  const body = orderBody({ reference });
  body.lines = Array.from({ length: lines }, (_, i) => ({
    offer: 'A-WX',
    quantity: 10,
    requestedStartDate: start,
    provisioningContactEmail: `it${i}@${reference.toLowerCase()}.example`,
  }));
  const res = await h.api(tenant, 'POST', '/api/v1/orders', body);
  assert.equal(res.status, 201, await res.clone().text());
  const placed = (await res.json()) as { lines: { id: string; subscriptionId: string }[] };
  return placed.lines.map((l) => ({ lineId: l.id, subscriptionId: l.subscriptionId }));
}

async function openCase(h: Harness, tenant: Tenant, description: string): Promise<string> {
  const res = await h.api(tenant, 'POST', '/api/v1/support/cases', { requestType: 'other', description });
  assert.equal(res.status, 201);
  return ((await res.json()) as { id: string }).id;
}

export async function operatorsDay(h: Harness): Promise<OperatorsDay> {
  const partnerA = await h.tenant('partner', 'Alpha Partner');
  const partnerB = await h.tenant('partner', 'Beta Partner');
  const vendor = await identity.createOrganization(h.ctx, { kind: 'vendor', name: 'Provisio Operations' });
  const operator: Tenant = {
    orgId: vendor.id,
    apiKey: '',
    email: 'ops@provisio.example',
    password: OPERATOR_PASSWORD,
  };
  await identity.createUser(h.ctx, {
    organizationId: vendor.id,
    email: operator.email,
    role: 'operator',
    password: operator.password,
    locale: 'en',
  });

  h.clock.set(new Date('2026-11-21T09:00:00Z'));
  const aLines = await order(h, partnerA, 'PO-A-MANY', '2026-11-21', 52);
  let aScheduledLineId = '';
  for (let i = 0; i < 26; i++) {
    const [line] = await order(h, partnerA, `PO-A-${String(i).padStart(2, '0')}`, '2026-12-20', 1);
    aScheduledLineId ||= line?.lineId ?? '';
  }
  const [bOld] = await order(h, partnerB, 'PO-B-OLD', '2026-11-21', 1);
  await dispatchAt(h, new Date('2026-11-21T09:00:00Z'));
  h.clock.set(new Date('2026-11-23T10:00:00Z'));
  assert.equal(await escalateStalledLines(h.ctx), 53);
  const aCaseIds: string[] = [];
  for (let i = 0; i < 26; i++) {
    h.clock.advance(60_000);
    aCaseIds.push(await openCase(h, partnerA, `Alpha case ${i}`));
  }
  const bCaseIds = [await openCase(h, partnerB, 'Beta old case')];

  h.clock.set(new Date('2026-12-05T09:00:00Z'));
  const [bNew] = await order(h, partnerB, 'PO-B-NEW', '2026-12-05', 1);
  await dispatchAt(h, new Date('2026-12-05T09:00:00Z'));
  h.clock.set(new Date('2026-12-07T10:00:00Z'));
  assert.equal(await escalateStalledLines(h.ctx), 1);
  bCaseIds.push(await openCase(h, partnerB, 'Beta new case'));
  if (!bOld || !bNew) throw new Error('orders without lines');
  return { partnerA, partnerB, operator, aLines, bOld, bNew, aScheduledLineId, aCaseIds, bCaseIds };
}
