import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { z } from 'zod';
import { loadConfig } from '../../src/config.ts';
import { purgeExpiredSessions } from '../../src/modules/identity/jobs.ts';
import { insertSession } from '../../src/modules/identity/repository.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { inTransaction } from '../../src/platform/context.ts';
import { createJobRuntime, type JobRuntime } from '../../src/platform/job-runtime.ts';
import {
  type AnyJob,
  DEFAULT_EXPIRE_IN_SECONDS,
  defineJob,
  enqueue,
  MAINTENANCE_INTERVAL_SECONDS,
  POLLING_INTERVAL_SECONDS,
} from '../../src/platform/jobs.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { bossDatabase } from '../../src/platform/pgboss-db.ts';
import { defaultModules } from '../../src/runtime.ts';
import { CATALOG_FILE, type Harness, startHarness, testEngines } from '../support/harness.ts';
import { cleanEnv, runCli, tempDataDir } from '../support/process.ts';

class Rollback extends Error {}

/** Polls until `check` holds; the bound is a deadline for a test that would otherwise hang, not a measurement. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(100);
  }
}

for (const engine of testEngines()) {
  describe(`jobs (${engine})`, () => {
    let h: Harness;
    let userId: string;
    const countJobs = async (name: string) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from pgboss.job where name = ${name}`.execute(h.db);
      return rows[0]?.n ?? -1;
    };
    const sessionAt = (offsetMs: number) => ({
      token_hash: randomBytes(8).toString('hex'),
      user_id: userId,
      created_at: new Date(h.clock.now().getTime() - 86_400_000),
      expires_at: new Date(h.clock.now().getTime() + offsetMs),
    });

    before(async () => {
      h = await startHarness(engine);
      const tenant = await h.tenant();
      const user = await identity.userByEmail(h.ctx, tenant.email);
      assert.ok(user);
      userId = user.id;
    });
    after(() => h.close());

    it('a job enqueued in a transaction exists exactly when that transaction commits', async () => {
      const name = purgeExpiredSessions.name;
      const before = await countJobs(name);
      const session = sessionAt(3_600_000);
      let rolledBack = '';
      await assert.rejects(
        inTransaction(h.ctx, async (tx) => {
          await insertSession(tx.db, session);
          rolledBack = await enqueue(tx, purgeExpiredSessions, {});
          throw new Rollback();
        }),
        Rollback,
      );
      assert.match(rolledBack, /^[0-9a-f-]{36}$/);
      assert.equal(await countJobs(name), before, 'a rolled-back transaction leaves no job');
      assert.equal(await h.rt.jobs.status(purgeExpiredSessions, rolledBack), undefined);
      const kept = await h.db
        .selectFrom('sessions')
        .select('token_hash')
        .where('token_hash', '=', session.token_hash);
      assert.equal((await kept.execute()).length, 0, 'nor the change it was enqueued with');

      const committed = await inTransaction(h.ctx, async (tx) => {
        await insertSession(tx.db, session);
        return enqueue(tx, purgeExpiredSessions, {});
      });
      assert.equal(await countJobs(name), before + 1, 'a committed one leaves exactly one');
      assert.equal((await h.rt.jobs.status(purgeExpiredSessions, committed))?.state, 'created');
      assert.equal((await kept.execute()).length, 1);
    });

    it('refuses a payload that is not the job’s, and a job the runtime does not run', async () => {
      const name = purgeExpiredSessions.name;
      const before = await countJobs(name);
      // @ts-expect-error: the payload type is the job's; a wrong one does not compile either.
      await assert.rejects(enqueue(h.ctx, purgeExpiredSessions, 'all of them'), /expected object/);
      const stranger = defineJob({ name: 'test.stranger', payload: z.object({}), async handler() {} });
      await assert.rejects(enqueue(h.ctx, stranger, {}), /not one this runtime runs/);
      assert.equal(await countJobs(name), before);
    });

    it('a failed multi-statement block is rolled back: the session or connection stays usable', async () => {
      const db = bossDatabase(h.db);
      await assert.rejects(db.executeSql('BEGIN; select 1/0; COMMIT;'), /division by zero/);
      const { rows } = await db.executeSql('select 41 + 1 as answer');
      assert.deepEqual(rows, [{ answer: 42 }]);
      assert.deepEqual((await sql<{ x: number }>`select 1 as x`.execute(h.db)).rows, [{ x: 1 }]);
    });

    it('on PGlite a queue statement waits for an open transaction instead of running inside it', {
      skip: engine !== 'pglite' && 'PGlite only: a server gives each its own connection',
    }, async () => {
      const name = purgeExpiredSessions.name;
      const before = await countJobs(name);
      let pending: Promise<string> | undefined;
      await assert.rejects(
        h.db.transaction().execute(async (tx) => {
          await sql`select 1`.execute(tx);
          // Not through the transaction: were it to run on the session now, the rollback would take it too.
          pending = enqueue(h.ctx, purgeExpiredSessions, {});
          await sql`select 2`.execute(tx);
          throw new Rollback();
        }),
        Rollback,
      );
      assert.ok(pending);
      const id = await pending;
      assert.equal(await countJobs(name), before + 1);
      assert.equal((await h.rt.jobs.status(purgeExpiredSessions, id))?.state, 'created');
    });

    it('the purge job, run by a worker, deletes expired sessions and keeps live ones', async () => {
      const expired = [sessionAt(-86_400_000), sessionAt(-1), sessionAt(0)];
      const live = [sessionAt(1), sessionAt(12 * 3_600_000)];
      for (const row of [...expired, ...live]) await insertSession(h.db, row);
      await h.rt.jobs.startWorkers();
      try {
        const id = await enqueue(h.ctx, purgeExpiredSessions, {});
        await eventually(
          'the purge job completes',
          async () => (await h.rt.jobs.status(purgeExpiredSessions, id))?.state === 'completed',
        );
        const left = await h.db
          .selectFrom('sessions')
          .select('token_hash')
          .where(
            'token_hash',
            'in',
            [...expired, ...live].map((s) => s.token_hash),
          )
          .execute();
        assert.deepEqual(left.map((s) => s.token_hash).sort(), live.map((s) => s.token_hash).sort());
      } finally {
        await h.rt.jobs.stop();
      }
    });

    describe('a batch whose jobs fail differently', () => {
      const runs = new Map<string, number>();
      const aborted = new Set<string>();
      // A job of this test only, in a queue runtime of its own: nothing of it ships.
      const flaky = defineJob({
        name: 'test.flaky',
        payload: z.object({ key: z.string(), failures: z.number().int(), hang: z.boolean() }),
        retry: { limit: 2, delaySeconds: 1, backoff: false },
        expireInSeconds: 5,
        async handler(_ctx, payload, job) {
          runs.set(payload.key, (runs.get(payload.key) ?? 0) + 1);
          if (payload.hang) {
            // Told to stop at the end of its slice, it hangs on regardless: the deadline gives up on it.
            job.signal.addEventListener('abort', () => aborted.add(payload.key));
            await new Promise(() => undefined);
            return;
          }
          if ((runs.get(payload.key) ?? 0) <= payload.failures) throw new Error('planned failure');
        },
      });
      // A stately job with more work than one slice: it stops when told and is woken to go on.
      const slices: string[] = [];
      const sliced = defineJob({
        name: 'test.sliced',
        payload: z.object({}),
        policy: 'stately',
        expireInSeconds: 6,
        async handler(_ctx, _payload, job) {
          if (slices.length === 0)
            await new Promise((resolve) => job.signal.addEventListener('abort', resolve));
          slices.push(job.id);
        },
      });
      let queue: JobRuntime;
      before(async () => {
        const jobs: AnyJob[] = [...defaultModules().jobs, flaky, sliced];
        queue = createJobRuntime({
          db: h.db,
          log: createLogger('silent'),
          jobs,
          concurrency: 10,
          context: (name) => ({ ...h.rt.systemContext(name), jobs: queue }),
        });
        await queue.install();
      });
      after(() => queue.stop());

      it('retries only the failed attempts, up to the retry limit, and gives up on one that runs out of time', async () => {
        const ctx = { ...h.ctx, jobs: queue };
        const ids = {
          fine: await enqueue(ctx, flaky, { key: 'fine', failures: 0, hang: false }),
          once: await enqueue(ctx, flaky, { key: 'once', failures: 1, hang: false }),
          never: await enqueue(ctx, flaky, { key: 'never', failures: 9, hang: false }),
          stuck: await enqueue(ctx, flaky, { key: 'stuck', failures: 0, hang: true }),
        };
        await queue.startWorkers();
        const status = async (id: string) => queue.status(flaky, id);
        await eventually('every flaky job settles', async () => {
          const states = await Promise.all(Object.values(ids).map(async (id) => (await status(id))?.state));
          return states.every((s) => s === 'completed' || s === 'failed');
        });
        assert.deepEqual(await status(ids.fine), { id: ids.fine, state: 'completed', attempts: 1 });
        assert.deepEqual(await status(ids.once), { id: ids.once, state: 'completed', attempts: 2 });
        assert.deepEqual(await status(ids.never), { id: ids.never, state: 'failed', attempts: 3 });
        assert.equal((await status(ids.stuck))?.state, 'failed');
        assert.deepEqual(Object.fromEntries(runs), { fine: 1, once: 2, never: 3, stuck: 3 });
        assert.ok(aborted.has('stuck'), 'the stuck attempt was told to stop');
      });

      it('a stately job whose slice ends completes and is woken again to go on', async () => {
        const ctx = { ...h.ctx, jobs: queue };
        await queue.wake(ctx, sliced, {});
        await queue.startWorkers();
        await eventually('the job runs a second slice', async () => slices.length >= 2);
        const [first, second] = slices;
        assert.ok(first && second && first !== second, 'two attempts of two jobs');
        assert.deepEqual(await queue.status(sliced, first), {
          id: first,
          state: 'completed',
          attempts: 1,
        });
      });
    });
  });
}

describe('the worker and job commands', () => {
  const env = cleanEnv({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'warn' });

  it('have their own --help', async () => {
    const worker = await runCli(['worker', '--help'], env);
    assert.equal(worker.code, 0);
    assert.match(worker.stdout, /Run the background jobs only/);
    const send = await runCli(['job', 'send', '--help'], env);
    assert.equal(send.code, 0);
    assert.match(send.stdout, /identity\.purge-expired-sessions/);
  });

  it('queue a job by name, and refuse an unknown job or a payload that is not its', async () => {
    const sent = await runCli(['job', 'send', 'identity.purge-expired-sessions'], env);
    assert.equal(sent.code, 0, sent.stderr);
    const printed = JSON.parse(sent.stdout.trim().split('\n').pop() ?? '') as { id: string; name: string };
    assert.match(printed.id, /^[0-9a-f-]{36}$/);
    const unknown = await runCli(['job', 'send', 'identity.purge-everything'], env);
    assert.equal(unknown.code, 1);
    assert.equal(
      unknown.stderr.trim(),
      'job send: there is no job "identity.purge-everything" (provisio job send --help lists them)',
    );
    const wrong = await runCli(['job', 'send', 'identity.purge-expired-sessions', '--data', '[1]'], env);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /--data is not a payload of identity\.purge-expired-sessions/);
  });
});

describe('every job Provisio runs', () => {
  it('runs again within 2 minutes of a kill -9: expiry + maintenance + first retry + poll (ADR 0023)', () => {
    const config = loadConfig({ CATALOG_FILE });
    assert.equal(config.jobExpireSeconds, DEFAULT_EXPIRE_IN_SECONDS);
    for (const job of defaultModules().jobs) {
      // Issue 14: the relays and timers declared 15 minutes, so a killed relay held all mail that long.
      const expiry = Math.min(job.expireInSeconds, config.jobExpireSeconds);
      const worst =
        expiry + 2 * MAINTENANCE_INTERVAL_SECONDS + 2 * job.retry.delaySeconds + POLLING_INTERVAL_SECONDS;
      assert.ok(
        job.expireInSeconds <= DEFAULT_EXPIRE_IN_SECONDS,
        `${job.name} declares ${job.expireInSeconds} s`,
      );
      assert.ok(worst <= 120, `${job.name}: ${worst} s`);
    }
  });
});
