import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { createApp } from '../../src/app.ts';
import type { ModuleDeclaration } from '../../src/modules/declaration.ts';
import { MODULES } from '../../src/modules/index.ts';
import { defineJob, enqueue } from '../../src/platform/jobs.ts';
import { queueEmail, relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { createMetrics } from '../../src/platform/metrics/registry.ts';
import { createOpsApp, serveOps } from '../../src/platform/ops-server.ts';
import { type Harness, orderBody, startHarness, type Tenant, testEngines } from '../support/harness.ts';
import { parseScrape, type Sample, sampleValue } from '../support/prometheus.ts';

const TOKEN = 'metrics-token-0123456789abcdef0123456789abcdef';

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(100);
  }
}

/** A job of this test only, in a module of its own: it fails its first attempt and then succeeds. */
let flakyRuns = 0;
const flaky = defineJob({
  name: 'test.metrics-flaky',
  payload: z.object({}),
  retry: { limit: 2, delaySeconds: 1, backoff: false },
  async handler() {
    flakyRuns += 1;
    if (flakyRuns === 1) throw new Error('planned failure');
  },
});
const flakyModule: ModuleDeclaration = { name: 'test-metrics', jobs: [flaky] };

for (const engine of testEngines()) {
  describe(`metrics (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    const scrape = async (app = h.app): Promise<Sample[]> => {
      const res = await app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
      return parseScrape(await res.text());
    };

    before(async () => {
      h = await startHarness(engine, { METRICS_TOKEN: TOKEN });
      partner = await h.tenant();
    });
    after(() => h.close());

    it('serves the text format only to the bearer of METRICS_TOKEN', async () => {
      const none = await h.app.request('/metrics');
      assert.equal(none.status, 401);
      assert.match(none.headers.get('www-authenticate') ?? '', /^Bearer/);
      const wrong = await h.app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}x` } });
      assert.equal(wrong.status, 401);
      const basic = await h.app.request('/metrics', { headers: { Authorization: `Basic ${TOKEN}` } });
      assert.equal(basic.status, 401);
      const right = await h.app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(right.status, 200);
      assert.match(right.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text = await right.text();
      assert.match(text, /^# HELP provisio_/m);
      assert.ok(!text.includes(TOKEN), 'the token is never in the scrape');
    });

    it('without METRICS_TOKEN the web port has no /metrics at all', async () => {
      const app = createApp({ ...h.rt, config: { ...h.rt.config, metricsToken: undefined } });
      const res = await app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 404);
    });

    it('counts requests by route template and status, never by the path asked for', async () => {
      const before = await scrape();
      const booked = await h.api(partner, 'POST', '/api/v1/orders', orderBody());
      assert.equal(booked.status, 201);
      const { id } = (await booked.json()) as { id: string };
      assert.equal((await h.api(partner, 'GET', `/api/v1/orders/${id}`)).status, 200);
      assert.equal((await h.api(partner, 'GET', `/api/v1/orders/${id}`)).status, 200);
      assert.equal((await h.api(partner, 'GET', `/api/v1/orders/${randomUUID()}`)).status, 404);
      assert.equal((await h.api(null, 'GET', `/api/v1/orders/${id}`)).status, 401);
      assert.equal((await h.app.request(`/no/such/page/${id}`)).status, 404);

      const samples = await scrape();
      // Another test's app shares this runtime's registry: the figures are read as differences.
      const requests = (labels: Record<string, string>) =>
        (sampleValue(samples, 'provisio_http_requests_total', { method: 'GET', ...labels }) ?? 0) -
        (sampleValue(before, 'provisio_http_requests_total', { method: 'GET', ...labels }) ?? 0);
      const route = '/api/v1/orders/:orderId';
      assert.equal(requests({ route, status: '200' }), 2);
      assert.equal(requests({ route, status: '404' }), 1);
      assert.equal(requests({ route, status: '401' }), 1, 'refused by the API key check, still its route');
      assert.equal(requests({ route: 'unmatched', status: '404' }), 1);
      assert.equal(
        sampleValue(samples, 'provisio_http_requests_total', {
          method: 'POST',
          route: '/api/v1/orders',
          status: '201',
        }),
        1,
      );
      assert.equal(
        sampleValue(samples, 'provisio_http_request_duration_seconds_count', { method: 'GET', route }),
        4,
      );
      const labels = samples.flatMap((s) => Object.values(s.labels));
      assert.ok(!labels.some((value) => value.includes(id)), 'no label carries an id');
    });

    it('shows orders booked, subscriptions by stage, the pool and every outbox', async () => {
      const before = await scrape();
      const body = orderBody();
      const headers = { 'Idempotency-Key': `metrics-${randomUUID()}` };
      assert.equal((await h.api(partner, 'POST', '/api/v1/orders', body, headers)).status, 201);
      assert.equal((await h.api(partner, 'POST', '/api/v1/orders', body, headers)).status, 201);
      const samples = await scrape();
      const booked = (s: Sample[]) => sampleValue(s, 'provisio_orders_booked_total') ?? 0;
      assert.equal(booked(samples) - booked(before), 1, 'a replay is not a second booking');
      const scheduled = (s: Sample[]) =>
        sampleValue(s, 'provisio_subscriptions', { stage: 'scheduled' }) ?? 0;
      assert.equal(scheduled(samples) - scheduled(before), 1);
      assert.equal(sampleValue(samples, 'provisio_database_gauges_up'), 1);
      for (const outbox of ['mail', 'webhooks', 'fulfilment']) {
        assert.notEqual(sampleValue(samples, 'provisio_outbox_backlog', { outbox }), undefined, outbox);
        assert.notEqual(
          sampleValue(samples, 'provisio_outbox_oldest_age_seconds', { outbox }),
          undefined,
          outbox,
        );
      }
      assert.equal(sampleValue(samples, 'provisio_db_pool_max'), engine === 'postgres' ? 10 : 1);
      assert.equal(sampleValue(samples, 'provisio_db_pool_waiting'), 0);
      assert.ok((sampleValue(samples, 'provisio_process_resident_memory_bytes') ?? 0) > 0);
    });

    it('shows the mail backlog and its age, then what the relay sent', async () => {
      await relayDueEmails(h.ctx);
      const kind = 'test.metrics';
      await queueEmail(h.ctx, {
        kind,
        to: 'someone@example.com',
        locale: 'en',
        subject: 'Hello',
        html: '<p>Hello</p>',
        text: 'Hello',
      });
      h.clock.advance(90_000);
      let samples = await scrape();
      assert.equal(sampleValue(samples, 'provisio_outbox_backlog', { outbox: 'mail' }), 1);
      // Its relay was woken, and no worker runs in this process: the wake-up waits in its queue.
      assert.equal(sampleValue(samples, 'provisio_job_queue_due', { queue: 'mail.relay' }), 1);
      assert.ok(
        (sampleValue(samples, 'provisio_job_queue_oldest_due_age_seconds', { queue: 'mail.relay' }) ?? -1) >=
          0,
      );
      assert.equal(
        sampleValue(samples, 'provisio_job_queue_due', { queue: 'support.sweep-orphan-files' }),
        0,
      );
      assert.equal(sampleValue(samples, 'provisio_outbox_oldest_age_seconds', { outbox: 'mail' }), 90);

      assert.equal((await relayDueEmails(h.ctx)).sent, 1);
      samples = await scrape();
      assert.equal(sampleValue(samples, 'provisio_outbox_backlog', { outbox: 'mail' }), 0);
      assert.equal(sampleValue(samples, 'provisio_outbox_oldest_age_seconds', { outbox: 'mail' }), 0);
      assert.equal(sampleValue(samples, 'provisio_mail_messages_total', { kind, outcome: 'sent' }), 1);
      assert.equal(sampleValue(samples, 'provisio_mail_relay_consecutive_failures'), 0);
      assert.equal(
        sampleValue(samples, 'provisio_mail_relay_last_success_timestamp_seconds'),
        h.clock.now().getTime() / 1000,
      );
    });

    it('counts job attempts per queue: runs, failures, retries, and times them', async () => {
      const other = await h.sibling({ modules: [...MODULES, flakyModule] });
      try {
        const ctx = { ...other.rt.systemContext('test'), jobs: other.rt.jobs };
        flakyRuns = 0;
        const id = await enqueue(ctx, flaky, {});
        await other.rt.jobs.startWorkers();
        await eventually(
          'the flaky job completes on its retry',
          async () => (await other.rt.jobs.status(flaky, id))?.state === 'completed',
        );
        const samples = await scrape(other.app);
        const queue = { queue: flaky.name };
        assert.equal(sampleValue(samples, 'provisio_job_runs_total', queue), 2);
        assert.equal(sampleValue(samples, 'provisio_job_failures_total', queue), 1);
        assert.equal(sampleValue(samples, 'provisio_job_retries_total', queue), 1);
        assert.equal(sampleValue(samples, 'provisio_job_wait_seconds_count', queue), 2);
        assert.equal(sampleValue(samples, 'provisio_job_run_seconds_count', queue), 2);
        // Every queue is there from the start, at zero: rate() sees a zero, not nothing.
        assert.equal(
          sampleValue(samples, 'provisio_job_failures_total', { queue: 'webhooks.purge' }) ?? 0,
          0,
        );
        assert.notEqual(
          sampleValue(samples, 'provisio_job_failures_total', { queue: 'mail.relay' }),
          undefined,
        );
      } finally {
        await other.close();
      }
    });

    it('answers within its time limit when the database does not, without the stale figures', async () => {
      // A read that does not answer until the test lets it: on PostgreSQL it holds a pool connection
      // (inside its statement-timeout transaction) until then, so the harness can close afterwards.
      let answer: (backlog: { count: number; oldest: Date | null }) => void = () => undefined;
      const stuck = new Promise<{ count: number; oldest: Date | null }>((resolve) => {
        answer = resolve;
      });
      const metrics = createMetrics({
        db: h.db,
        engine: h.rt.engine,
        clock: h.clock,
        log: h.rt.log,
        queues: [],
        outboxes: [{ name: 'stuck', backlog: () => stuck }],
        gauges: [],
        relay: h.rt.mail.relay,
      });
      const samples = parseScrape(await metrics.scrape());
      assert.equal(sampleValue(samples, 'provisio_database_gauges_up'), 0);
      assert.equal(sampleValue(samples, 'provisio_outbox_backlog', { outbox: 'stuck' }), undefined);
      // The stuck read is still under way: a second scrape does not pile another on it.
      assert.equal(sampleValue(parseScrape(await metrics.scrape()), 'provisio_database_gauges_up'), 0);
      // Once the database answers, the next scrape reads it again.
      answer({ count: 3, oldest: null });
      let recovered: ReturnType<typeof parseScrape> = [];
      for (let attempt = 0; attempt < 100; attempt++) {
        recovered = parseScrape(await metrics.scrape());
        if (sampleValue(recovered, 'provisio_database_gauges_up') === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(sampleValue(recovered, 'provisio_database_gauges_up'), 1);
      assert.equal(sampleValue(recovered, 'provisio_outbox_backlog', { outbox: 'stuck' }), 3);
    });

    it('serves /metrics without a token on METRICS_PORT, and nothing else there', async () => {
      const app = createOpsApp(h.rt);
      assert.equal((await app.request('/metrics')).status, 200);
      assert.equal((await app.request('/api/v1/orders')).status, 404);
      const ops = await serveOps({ ...h.rt, config: { ...h.rt.config, host: '127.0.0.1' } }, 0);
      try {
        const res = await fetch(`http://127.0.0.1:${ops.port}/metrics`);
        assert.equal(res.status, 200);
        assert.match(await res.text(), /^provisio_http_requests_total\{/m);
      } finally {
        await ops.close();
      }
    });
  });
}
