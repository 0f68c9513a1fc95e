import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { readCatalogFile } from '../../src/modules/catalog/service.ts';
import { sendDueProvisionRequests } from '../../src/modules/fulfilment/sender.ts';
import { reportStalledRequests } from '../../src/modules/fulfilment/stall.ts';
import { releaseAbandonedReservations } from '../../src/modules/service-setup/jobs.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import {
  fulfilmentCatalog,
  HTTP_OFFER,
  provision,
  type Reply,
  readyToProvision,
  SIGNING_SECRET,
  stageOf,
  startFulfilmentHarness,
  vendorKey,
  vendorReceiver,
} from '../support/fulfilment.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

const HOUR = 3_600_000;

for (const engine of testEngines()) {
  describe(`fulfilment over http (${engine})`, () => {
    let h: Harness;
    let receiver: Awaited<ReturnType<typeof vendorReceiver>>;
    let vendor: Tenant;
    /** What the receiver answers next, by subscription id; 200 succeeded by default. */
    const answers = new Map<string, Reply[]>();

    before(async () => {
      receiver = await vendorReceiver((r) => {
        const queue = answers.get(r.json.data.subscriptionId);
        return (
          queue?.shift() ?? {
            status: 200,
            body: { status: 'succeeded', externalTenantId: `t-${r.json.data.subscriptionId}` },
          }
        );
      });
      h = await startFulfilmentHarness(engine, receiver.url);
      vendor = await vendorKey(h);
    });
    after(async () => {
      await h?.close();
      await receiver?.close();
    });

    const send = () => sendDueProvisionRequests(h.ctx);
    const report = (id: string, body: unknown, as: Tenant = vendor) =>
      h.api(as, 'POST', `/api/v1/provision-requests/${id}/result`, body);
    const events = (subscriptionId: string, type: string) =>
      h.db
        .selectFrom('events')
        .select(['data'])
        .where('subscription_id', '=', subscriptionId)
        .where('type', '=', type)
        .execute();
    const emails = (kind: string, subjectRef?: string) => {
      let q = h.db
        .selectFrom('outbox_emails')
        .select(['to_address', 'subject', 'locale', 'text_body'])
        .where('kind', '=', kind);
      if (subjectRef) q = q.where('subject_ref', '=', subjectRef);
      return q.execute();
    };

    it('200 succeeded: a signed request, the subscription active, billing started once as provisioned', async () => {
      const m = await readyToProvision(h, HTTP_OFFER);
      const res = await provision(h, m);
      assert.equal(res.status, 202, await res.clone().text());
      const body = (await res.json()) as {
        stage: string;
        provisionRequestId: string;
        billingStartedAt: null;
      };
      assert.equal(body.stage, 'provisioning');
      assert.equal(body.billingStartedAt, null);
      assert.equal((await stageOf(h, m.subscriptionId)).billing_started_at, null, 'billing has not started');
      // Pressed again while the request waits: the same request, nothing new.
      const again = (await (await provision(h, m)).json()) as { provisionRequestId: string };
      assert.equal(again.provisionRequestId, body.provisionRequestId);

      assert.equal((await send()).answered, 1);
      const [sent] = receiver.byId(body.provisionRequestId);
      assert.ok(sent, 'the receiver got the request, its id as webhook-id');
      // A receiver written with the standardwebhooks package verifies it unchanged.
      const verified = new Webhook(SIGNING_SECRET).verify(sent.body, {
        'webhook-id': sent.id,
        'webhook-timestamp': sent.timestamp,
        'webhook-signature': sent.signature,
      }) as { type: string; data: Record<string, unknown> };
      assert.equal(verified.type, 'provision_request.create');
      assert.equal(verified.data.id, body.provisionRequestId);
      assert.equal((verified.data.setup as { sites: { name: string }[] }).sites[0]?.name, m.siteName);
      assert.equal((verified.data.offer as { code: string }).code, HTTP_OFFER);

      const s = await stageOf(h, m.subscriptionId);
      assert.equal(s.stage, 'active');
      assert.equal(s.billing_start_reason, 'provisioned');
      assert.equal(s.external_tenant_id, `t-${m.subscriptionId}`);
      assert.equal((await events(m.subscriptionId, 'subscription.billing_started')).length, 1);
      assert.equal((await events(m.subscriptionId, 'subscription.activated')).length, 1);
      // Activation's own effects, whoever activated: the names are the customer's, the admins are told.
      const names = await h.db
        .selectFrom('meeting_sites')
        .select('reserved_until')
        .where('subscription_id', '=', m.subscriptionId)
        .execute();
      assert.deepEqual(names, [{ reserved_until: null }]);
      const told = await emails('setup.provisioned', m.subscriptionId);
      assert.ok(told.some((e) => e.to_address === m.customerAdmin.email));

      const view = await h.api(m.partner, 'GET', `/api/v1/subscriptions/${m.subscriptionId}`);
      assert.equal(view.status, 200);
      const sub = (await view.json()) as {
        stage: string;
        externalTenantId: string;
        billingStart: { reason: string };
        provisionRequest: { state: string; id: string };
      };
      assert.equal(sub.stage, 'active');
      assert.equal(sub.billingStart.reason, 'provisioned');
      assert.equal(sub.provisionRequest.state, 'succeeded');
      // Another partner does not see it at all.
      const stranger = await h.tenant('partner');
      assert.equal((await h.api(stranger, 'GET', `/api/v1/subscriptions/${m.subscriptionId}`)).status, 404);
      // The order line says where its subscription is, and when billing started.
      const line = (await (
        await h.api(m.partner, 'GET', `/api/v1/orders/${m.orderId}/lines/${m.lineId}`)
      ).json()) as {
        subscriptionStage: string;
        billingStart: { reason: string } | null;
      };
      assert.equal(line.subscriptionStage, 'active');
      assert.equal(line.billingStart?.reason, 'provisioned');
    });

    it('202 then reportProvisionResult: only the vendor may report, twice is idempotent, a different answer is 409', async () => {
      const m = await readyToProvision(h, HTTP_OFFER);
      answers.set(m.subscriptionId, [{ status: 202 }]);
      const { provisionRequestId: id } = (await (await provision(h, m)).json()) as {
        provisionRequestId: string;
      };
      assert.equal((await send()).accepted, 1);
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'provisioning');
      assert.equal((await send()).accepted, 0, 'an accepted request is not sent again');

      const result = { status: 'succeeded', externalTenantId: 'tenant-202' };
      assert.equal((await report(id, result, m.partner)).status, 403, "a partner's key may not report");
      assert.equal((await report('00000000-0000-4000-8000-000000000000', result)).status, 404);
      assert.equal((await report('not-a-uuid', result)).status, 404);
      assert.equal((await report(id, { status: 'succeeded' })).status, 422);
      assert.equal(
        (await report(id, { status: 'needs_info', fields: ['password'], message: 'x' })).status,
        422,
      );

      const first = await report(id, result);
      assert.equal(first.status, 200, await first.clone().text());
      assert.equal(first.headers.get('idempotent-replayed'), null);
      const second = await report(id, result);
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('idempotent-replayed'), 'true');
      const other = await report(id, { status: 'failed', code: 'late', message: 'Too late.' });
      assert.equal(other.status, 409);
      assert.equal(((await other.json()) as { code: string }).code, 'provision_request_answered');
      const s = await stageOf(h, m.subscriptionId);
      assert.equal(s.stage, 'active');
      assert.equal(s.external_tenant_id, 'tenant-202');
      assert.equal((await events(m.subscriptionId, 'subscription.billing_started')).length, 1);
    });

    it('a 4xx with a code fails it: the admins are told why in their language; Retry makes a new request that succeeds', async () => {
      const m = await readyToProvision(h, HTTP_OFFER);
      await h.db
        .updateTable('users')
        .set({ locale: 'it' })
        .where('email', '=', m.customerAdmin.email)
        .execute();
      answers.set(m.subscriptionId, [
        {
          status: 422,
          body: {
            code: 'region_unavailable',
            message: { en: 'Not offered in this region.', it: 'Non disponibile in questa regione.' },
          },
        },
      ]);
      const { provisionRequestId: first } = (await (await provision(h, m)).json()) as {
        provisionRequestId: string;
      };
      assert.equal((await send()).answered, 1);
      const s = await stageOf(h, m.subscriptionId);
      assert.equal(s.stage, 'provisioning_failed');
      assert.equal(s.billing_started_at, null);
      const told = await emails('fulfilment.outcome', m.subscriptionId);
      const italian = told.find((e) => e.to_address === m.customerAdmin.email);
      assert.ok(italian, 'the customer admin is told');
      assert.equal(italian.locale, 'it');
      assert.match(italian.text_body, /Non disponibile in questa regione\./);
      const failed = (await events(m.subscriptionId, 'subscription.provisioning_failed'))[0]?.data as {
        code: string;
      };
      assert.equal(failed.code, 'region_unavailable');

      // The names chosen stay held while it failed, however long the release job waits.
      h.clock.set(new Date(h.clock.now().getTime() + 30 * 24 * HOUR));
      await releaseAbandonedReservations(h.ctx);
      const held = await h.db
        .selectFrom('meeting_sites')
        .select('name')
        .where('subscription_id', '=', m.subscriptionId)
        .execute();
      assert.deepEqual(
        held.map((r) => r.name),
        [m.siteName],
      );

      const retry = await provision(h, m);
      assert.equal(retry.status, 202, await retry.clone().text());
      const { provisionRequestId: second } = (await retry.json()) as { provisionRequestId: string };
      assert.notEqual(second, first, 'a vendor that failed a request gets a new one');
      assert.equal((await send()).answered, 1);
      const [resent] = receiver.byId(second);
      assert.equal(resent?.json.data.supersedes, first);
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'active');
    });

    it('timeouts and 5xx are retried with the same id until an answer; after the schedule runs out Retry sends that id again', async () => {
      const m = await readyToProvision(h, HTTP_OFFER);
      answers.set(m.subscriptionId, [{ status: 503 }, { status: 500 }, { status: 502 }]);
      const { provisionRequestId: id } = (await (await provision(h, m)).json()) as {
        provisionRequestId: string;
      };
      assert.equal((await send()).retrying, 1);
      assert.equal((await send()).retrying, 0, 'not due again before its delay');
      for (const wait of [40_000, 3 * 60_000]) {
        h.clock.set(new Date(h.clock.now().getTime() + wait));
        assert.equal((await send()).retrying, 1);
      }
      h.clock.set(new Date(h.clock.now().getTime() + 12 * 60_000));
      assert.equal((await send()).answered, 1);
      assert.equal(receiver.byId(id).length, 4, 'four attempts, one webhook-id');
      assert.equal(new Set(receiver.byId(id).map((r) => r.body)).size, 1, 'the same body every time');
      assert.equal((await stageOf(h, m.subscriptionId)).stage, 'active');

      // A service that never answers: seven attempts over about 13 hours, then Provisio gives up.
      const dead = await readyToProvision(h, HTTP_OFFER);
      answers.set(
        dead.subscriptionId,
        Array.from({ length: 7 }, () => ({ status: 500 })),
      );
      const { provisionRequestId: deadId } = (await (await provision(h, dead)).json()) as {
        provisionRequestId: string;
      };
      for (let i = 0; i < 7; i += 1) {
        await send();
        h.clock.set(new Date(h.clock.now().getTime() + 9 * HOUR));
      }
      assert.equal(receiver.byId(deadId).length, 7);
      const row = await h.db
        .selectFrom('provision_requests')
        .select(['state', 'answer_code'])
        .where('id', '=', deadId)
        .executeTakeFirstOrThrow();
      assert.deepEqual(row, { state: 'given_up', answer_code: 'unreachable' });
      assert.equal((await stageOf(h, dead.subscriptionId)).stage, 'provisioning_failed');
      // A report arriving after Provisio gave up is refused, saying so: Retry sends the request again.
      const late = await report(deadId, { status: 'succeeded', externalTenantId: 'late' });
      assert.equal(late.status, 409);
      assert.equal(((await late.json()) as { code: string }).code, 'provision_request_answered');
      const retried = (await (await provision(h, dead)).json()) as { provisionRequestId: string };
      assert.equal(retried.provisionRequestId, deadId, 'the same request goes again: no second tenant');
      await send();
      assert.equal(receiver.byId(deadId).length, 8);
      assert.equal((await stageOf(h, dead.subscriptionId)).stage, 'active');
    });

    it('no answer within FULFILMENT_STALL_HOURS: the account representative is told once, in their language', async () => {
      const rep = `rep-${Date.now()}@vendor.example`;
      const m = await readyToProvision(h, HTTP_OFFER);
      await h.db
        .updateTable('organizations')
        .set({ account_rep_email: rep })
        .where('id', '=', m.partner.orgId)
        .execute();
      answers.set(m.subscriptionId, [{ status: 202 }]);
      await provision(h, m);
      await send();
      assert.equal(await reportStalledRequests(h.ctx), 0, 'not yet');
      h.clock.set(new Date(h.clock.now().getTime() + 73 * HOUR));
      assert.equal(await reportStalledRequests(h.ctx), 1);
      assert.equal(await reportStalledRequests(h.ctx), 0, 'once');
      const told = await h.db
        .selectFrom('outbox_emails')
        .select(['subject', 'text_body'])
        .where('to_address', '=', rep)
        .execute();
      assert.equal(told.length, 1);
      assert.match(told[0]?.text_body ?? '', new RegExp(m.subscriptionId));
    });
  });
}

describe('fulfilment settings, checked at start', () => {
  it('an http offer needs FULFILMENT_SIGNING_SECRET, and https in production; a bad fulfilment is named', async () => {
    const catalog = fulfilmentCatalog('http://127.0.0.1:9/fulfil');
    await assert.rejects(
      startHarness('pglite', { CATALOG_FILE: catalog }),
      (error: Error) =>
        error instanceof ConfigError &&
        /FULFILMENT_SIGNING_SECRET: required, because T-HTTP is/.test(error.message),
    );
    await assert.rejects(
      createRuntime({
        config: loadConfig({
          NODE_ENV: 'production',
          SMTP_URL: 'smtp://mail.example:25',
          WEBHOOK_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64'),
          CATALOG_FILE: catalog,
          FULFILMENT_SIGNING_SECRET: SIGNING_SECRET,
        }),
        log: createLogger('silent'),
      }),
      /offer T-HTTP must be fulfilled at an https:\/\/ address/,
    );
    assert.throws(
      () => loadConfig({ FULFILMENT_SIGNING_SECRET: 'not-a-secret' }),
      /FULFILMENT_SIGNING_SECRET: must be a whsec_ secret/,
    );
    const bad = path.join(mkdtempSync(path.join(tmpdir(), 'provisio-catalog-')), 'catalog.json');
    writeFileSync(
      bad,
      JSON.stringify({
        offers: [
          {
            code: 'X-1',
            name: 'X',
            policyWindowDays: 7,
            services: ['meetings'],
            fulfilment: { mode: 'http', url: 'ftp://x' },
          },
        ],
      }),
    );
    assert.throws(() => readCatalogFile(bad), /offers\.0\.fulfilment\.url/);
  });
});
