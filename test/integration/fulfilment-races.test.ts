import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sendDueProvisionRequests } from '../../src/modules/fulfilment/sender.ts';
import { closeExpiredPolicyWindows } from '../../src/modules/provisioning/timers.ts';
import {
  HTTP_OFFER,
  MANUAL_OFFER,
  readyToProvision,
  stageOf,
  startFulfilmentHarness,
  vendorKey,
  vendorReceiver,
} from '../support/fulfilment.ts';
import type { Harness, Tenant } from '../support/harness.ts';
import { testEngines } from '../support/harness.ts';

/**
 * Billing starts once, whatever the order of Provision, the policy window and the vendor's answers:
 * many callers at once, over two runtimes with their own connections (PostgreSQL only: PGlite is one
 * session). Every answer is 200, 202 or a clear 409; none is a 500.
 */
const engines = testEngines().filter((e) => e === 'postgres');

describe('fulfilment races', { skip: engines.length === 0 && 'needs TEST_DATABASE_URL' }, () => {
  let h: Harness;
  let other: Awaited<ReturnType<Harness['sibling']>>;
  let receiver: Awaited<ReturnType<typeof vendorReceiver>>;
  let vendor: Tenant;

  before(async () => {
    receiver = await vendorReceiver((r) => ({
      status: 200,
      body: { status: 'succeeded', externalTenantId: `t-${r.json.data.subscriptionId}` },
    }));
    h = await startFulfilmentHarness('postgres', receiver.url);
    other = await h.sibling();
    vendor = await vendorKey(h);
  });
  after(async () => {
    await other?.close();
    await h?.close();
    await receiver?.close();
  });

  const call = (app: Harness['app'], as: Tenant, method: string, path: string, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        Authorization: `Bearer ${as.apiKey}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const billingEvents = async (subscriptionId: string) =>
    (
      await h.db
        .selectFrom('events')
        .select('id')
        .where('type', '=', 'subscription.billing_started')
        .where('subscription_id', '=', subscriptionId)
        .execute()
    ).length;

  it('100 reports of one request at once: one answer wins, billing starts once, the rest are replays or 409', async () => {
    const m = await readyToProvision(h, MANUAL_OFFER);
    const provisioned = await call(
      h.app,
      m.partner,
      'POST',
      `/api/v1/subscriptions/${m.subscriptionId}/provision`,
    );
    const { provisionRequestId: id } = (await provisioned.json()) as { provisionRequestId: string };
    const answers = Array.from({ length: 100 }, (_, i) =>
      i % 3 === 2
        ? { status: 'failed', code: 'no_capacity', message: 'No capacity.' }
        : { status: 'succeeded', externalTenantId: i % 3 === 0 ? 'tenant-a' : 'tenant-b' },
    );
    const results = await Promise.all(
      answers.map((body, i) =>
        call(i % 2 ? other.app : h.app, vendor, 'POST', `/api/v1/provision-requests/${id}/result`, body),
      ),
    );
    const statuses = results.map((r) => r.status);
    assert.ok(
      statuses.every((s) => s === 200 || s === 409),
      `only 200 and 409: ${[...new Set(statuses)].join(', ')}`,
    );
    const request = await h.db
      .selectFrom('provision_requests')
      .select(['state', 'external_tenant_id', 'answer_code'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const winner = answers.filter((_, i) => statuses[i] === 200);
    assert.ok(winner.length >= 1);
    // Every 200 told the same answer: the first, or a replay of it.
    assert.equal(new Set(winner.map((w) => JSON.stringify(w))).size, 1);
    const s = await stageOf(h, m.subscriptionId);
    if (request.state === 'succeeded') {
      assert.equal(s.stage, 'active');
      assert.equal(await billingEvents(m.subscriptionId), 1);
    } else {
      assert.equal(s.stage, 'provisioning_failed');
      assert.equal(await billingEvents(m.subscriptionId), 0);
    }
  });

  it('20 subscriptions: Provision pressed 5 times each, the sender and a late report racing: one request, billing once', async () => {
    const subs = [];
    for (let i = 0; i < 20; i += 1) subs.push(await readyToProvision(h, HTTP_OFFER));
    const presses = await Promise.all(
      subs.flatMap((m) =>
        Array.from({ length: 5 }, (_, i) =>
          call(
            i % 2 ? other.app : h.app,
            m.partner,
            'POST',
            `/api/v1/subscriptions/${m.subscriptionId}/provision`,
          ),
        ),
      ),
    );
    assert.ok(
      presses.every((r) => r.status === 202 || r.status === 200),
      [...new Set(presses.map((r) => r.status))].join(', '),
    );
    for (const m of subs) {
      const requests = await h.db
        .selectFrom('provision_requests')
        .select('id')
        .where('subscription_id', '=', m.subscriptionId)
        .execute();
      assert.equal(requests.length, 1, 'five presses, one request');
    }
    const ids = await h.db
      .selectFrom('provision_requests')
      .select('id')
      .where(
        'subscription_id',
        'in',
        subs.map((m) => m.subscriptionId),
      )
      .execute();
    // Two senders (one per runtime) and the vendor's report, all at once.
    const reports = ids.map((r) =>
      call(other.app, vendor, 'POST', `/api/v1/provision-requests/${r.id}/result`, {
        status: 'succeeded',
        externalTenantId: 'from-report',
      }),
    );
    const [, , ...answered] = await Promise.all([
      sendDueProvisionRequests(h.ctx),
      sendDueProvisionRequests(other.rt.systemContext('sender')),
      ...reports,
    ]);
    for (const r of answered as Response[]) assert.ok([200, 409].includes(r.status), String(r.status));
    for (const m of subs) {
      const s = await stageOf(h, m.subscriptionId);
      assert.equal(s.stage, 'active');
      assert.equal(s.billing_start_reason, 'provisioned');
      assert.equal(await billingEvents(m.subscriptionId), 1);
    }
  });

  it('the policy window billed first: activation keeps its date and reason, and billing starts once in all', async () => {
    const m = await readyToProvision(h, MANUAL_OFFER, { closedByPolicy: true });
    const before = await stageOf(h, m.subscriptionId);
    assert.equal(before.billing_start_reason, 'policy');
    assert.equal(await billingEvents(m.subscriptionId), 1);
    const path = `/api/v1/subscriptions/${m.subscriptionId}/provision`;
    const provisioned = await call(h.app, m.partner, 'POST', path);
    const { provisionRequestId } = (await provisioned.json()) as { provisionRequestId: string };
    h.clock.set(new Date(h.clock.now().getTime() + 40 * 86_400_000));
    const [, report, again] = await Promise.all([
      closeExpiredPolicyWindows(other.rt.systemContext('policy')),
      call(h.app, vendor, 'POST', `/api/v1/provision-requests/${provisionRequestId}/result`, {
        status: 'succeeded',
        externalTenantId: 'tenant-late',
      }),
      call(other.app, m.partner, 'POST', path),
    ]);
    assert.equal(report.status, 200);
    assert.ok([200, 202].includes(again.status), String(again.status));
    const s = await stageOf(h, m.subscriptionId);
    assert.equal(s.stage, 'active');
    assert.equal(s.billing_start_reason, 'policy');
    assert.equal(s.billing_started_at?.toISOString(), before.billing_started_at?.toISOString());
    assert.equal(
      await billingEvents(m.subscriptionId),
      1,
      'the policy window started billing: no second start',
    );
  });
});
