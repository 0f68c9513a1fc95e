import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../../src/config.ts';
import { event, type NewEvent, recordEvents } from '../../src/modules/events/record.ts';
import { relayDueWebhooks } from '../../src/modules/webhooks/relay.ts';
import { createWebhookEndpoint } from '../../src/modules/webhooks/service.ts';
import { type Ctx, inTransaction } from '../../src/platform/context.ts';
import { connectPostgres, type DatabaseHandle } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Runtime } from '../../src/platform/runtime.ts';
import { createRuntime } from '../../src/runtime.ts';
import { CATALOG_FILE, freshDatabase } from '../support/harness.ts';
import { cleanEnv, startWorker } from '../support/process.ts';
import { type Receiver, startReceiver } from '../support/webhook-receiver.ts';

/** Polls until `check` holds; the bound is a deadline for a test that would otherwise hang, not a measurement. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(100);
  }
}

/** Events only the vendor sees, without a subscription: nothing orders them, so all may go at once. */
function answered(n: number): NewEvent {
  return event(
    'support_case.answered',
    { caseId: randomUUID(), caseNumber: `CASE-${n}`, organizationId: randomUUID(), subscriptionId: null },
    null,
  );
}

async function recordMany(ctx: Ctx, count: number): Promise<string[]> {
  return inTransaction(ctx, async (tx) => {
    await recordEvents(
      tx,
      Array.from({ length: count }, (_, i) => answered(i)),
    );
    const rows = await tx.db.selectFrom('events').select('id').orderBy('seq', 'desc').limit(count).execute();
    return rows.map((r) => r.id);
  });
}

const SETTINGS = {
  CATALOG_FILE,
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_CONCURRENCY_PER_ENDPOINT: '4',
};

describe('webhook relays in several workers on PostgreSQL', {
  skip:
    !process.env.TEST_DATABASE_URL && 'set TEST_DATABASE_URL to run relays in several processes on a server',
}, () => {
  let database: DatabaseHandle & { url?: string };
  let rt: Runtime;
  let ctx: Ctx;
  let receiver: Receiver;

  before(async () => {
    database = await freshDatabase('postgres');
    rt = await createRuntime({
      config: loadConfig({ ...SETTINGS, DATABASE_URL: database.url }),
      log: createLogger('silent'),
      database: { ...database, close: async () => undefined },
    });
    ctx = rt.systemContext('test');
    receiver = await startReceiver();
  });
  after(async () => {
    await receiver.close();
    await rt.close();
    await database.close();
  });

  const pending = async () =>
    Number(
      (
        await database.db
          .selectFrom('webhook_deliveries')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '<>', 'delivered')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('two relays at once never send one attempt twice at the same time, and each event goes once', async () => {
    const { endpoint, secret } = await createWebhookEndpoint(ctx, { url: receiver.url });
    receiver.secrets.splice(0, receiver.secrets.length, secret);
    receiver.reset();
    receiver.respond(async (_req, res) => {
      await sleep(Math.random() * 5);
      res.writeHead(204).end();
    });
    const ids = await recordMany(ctx, 500);
    const other = await createRuntime({
      config: rt.config,
      log: createLogger('silent'),
      database: connectPostgres(database.url ?? '', 10),
    });
    try {
      // Until nothing is left: an attempt the network cut short (a loaded machine) comes back in 5 s.
      for (;;) {
        await Promise.all([relayDueWebhooks(ctx), relayDueWebhooks(other.systemContext('second'))]);
        if ((await pending()) === 0) break;
        await sleep(500);
      }
      assert.equal(receiver.maxInFlightPerId, 1, 'no event was being sent twice at once');
      const received = new Set(receiver.ids());
      assert.deepEqual(
        ids.filter((id) => !received.has(id)),
        [],
        'every event arrived',
      );
      // Each event once, unless an attempt of it failed after reaching the receiver (then it was retried).
      const failed = await database.db
        .selectFrom('webhook_attempts')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('status_code', 'is', null)
        .executeTakeFirstOrThrow();
      const counts = new Map<string, number>();
      for (const id of receiver.ids()) counts.set(id, (counts.get(id) ?? 0) + 1);
      const twice = [...counts]
        .filter(([, n]) => n > 1)
        .map(([id]) => id)
        .slice(0, 3);
      const attempts = await database.db
        .selectFrom('webhook_attempts')
        .innerJoin('webhook_deliveries', 'webhook_deliveries.id', 'webhook_attempts.delivery_id')
        .select([
          'webhook_deliveries.event_id',
          'attempted_at',
          'status_code',
          'latency_ms',
          'webhook_deliveries.attempts',
        ])
        .where(
          'webhook_deliveries.event_id',
          'in',
          twice.length ? twice : ['00000000-0000-0000-0000-000000000000'],
        )
        .execute();
      assert.ok(
        receiver.received.length - received.size <= Number(failed.n),
        `${receiver.received.length - received.size} twice, ${failed.n} failed: ${JSON.stringify(attempts.slice(0, 5))}`,
      );
      assert.ok(receiver.received.every((r) => r.verifiedBy.length === 1));
      // The endpoint's cap in each relay bounds what it gets at once.
      assert.ok(receiver.maxConcurrent <= 8, `at most 8 at once, got ${receiver.maxConcurrent}`);
    } finally {
      await other.close();
      await database.db.deleteFrom('webhook_endpoints').where('id', '=', endpoint.id).execute();
      receiver.reset();
    }
  });

  it('a relay that holds a delivery longer than its lease renews it: another relay does not send it too', async () => {
    const { endpoint, secret } = await createWebhookEndpoint(ctx, { url: receiver.url });
    receiver.secrets.splice(0, receiver.secrets.length, secret);
    receiver.reset();
    // A receiver that takes 4 s, against leases of 3 s: renewed every second while the request runs.
    receiver.respond(async (_req, res) => {
      await sleep(4000);
      res.writeHead(204).end();
    });
    const [id] = await recordMany(ctx, 1);
    const other = await createRuntime({
      config: rt.config,
      log: createLogger('silent'),
      database: connectPostgres(database.url ?? '', 10),
    });
    try {
      const first = relayDueWebhooks(ctx, { leaseSeconds: 3 });
      await eventually('the first relay is sending', () => receiver.received.length === 1, 10_000);
      await sleep(3500);
      await relayDueWebhooks(other.systemContext('second'), { leaseSeconds: 3 });
      await first;
      assert.deepEqual(receiver.ids(), [id], 'sent once');
      assert.equal(receiver.maxInFlightPerId, 1);
      assert.equal(await pending(), 0);
    } finally {
      await other.close();
      await database.db.deleteFrom('webhook_endpoints').where('id', '=', endpoint.id).execute();
      receiver.reset();
    }
  });

  it('kill -9 of a worker in the middle of deliveries loses nothing', { timeout: 240_000 }, async (t) => {
    const { secret } = await createWebhookEndpoint(ctx, { url: receiver.url });
    receiver.secrets.splice(0, receiver.secrets.length, secret);
    receiver.reset();
    receiver.respond(async (_req, res) => {
      await sleep(20);
      res.writeHead(200).end('ok');
    });
    const env = cleanEnv({ ...SETTINGS, DATABASE_URL: database.url ?? '', JOB_EXPIRE_SECONDS: '5' });
    const first = await startWorker(env);
    const ids = await recordMany(ctx, 400);
    try {
      await eventually('the first worker is mid-delivery', () => receiver.received.length >= 40, 60_000);
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      first.child.kill('SIGKILL');
    }
    const killedAt = Date.now();
    assert.ok((await pending()) > 0, 'the kill left deliveries behind');
    const second = await startWorker(env);
    try {
      await eventually('the second worker delivers the rest', async () => (await pending()) === 0, 200_000);
      t.diagnostic(`all delivered ${Math.round((Date.now() - killedAt) / 1000)} s after the kill`);
      const received = new Set(receiver.ids());
      assert.deepEqual(
        ids.filter((id) => !received.has(id)),
        [],
        'every event reached the receiver',
      );
      const duplicates = receiver.received.length - received.size;
      t.diagnostic(`${duplicates} sent twice (cut off by the kill), each with its event's webhook-id`);
      assert.ok(receiver.received.every((r) => r.verifiedBy.length === 1 && ids.includes(r.id)));
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    }
  });
});
