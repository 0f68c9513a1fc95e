import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import type { Ctx } from '../../src/platform/context.ts';
import type { DatabaseHandle } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { queueEmails } from '../../src/platform/mail/outbox.ts';
import type { Runtime } from '../../src/platform/runtime.ts';
import { createRuntime } from '../../src/runtime.ts';
import { CATALOG_FILE, freshDatabase } from '../support/harness.ts';
import { cleanEnv, logEntries, startWorker } from '../support/process.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

/** Polls until `check` holds; the bound is a deadline for a test that would otherwise hang, not a measurement. */
async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(100);
  }
}

const COUNT = 400;
/**
 * A small expiry keeps the test short; the default (60 s) is what the README's 2-minute promise is
 * for: `RELAY_CRASH_EXPIRE_SECONDS=60` measures it (the time is printed, never asserted).
 */
const EXPIRE_SECONDS = Number(process.env.RELAY_CRASH_EXPIRE_SECONDS ?? 5);

/**
 * `kill -9` of a worker in the middle of a relay run (issue 14): the relay job is stately, so nothing
 * else relays until the killed attempt expires; the expiry is JOB_EXPIRE_SECONDS for every job
 * (it was 15 minutes for the relays and timers).
 */
describe('a mail relay killed mid-run on PostgreSQL', {
  skip: !process.env.TEST_DATABASE_URL && 'set TEST_DATABASE_URL to run worker processes on a server',
}, () => {
  let database: DatabaseHandle & { url?: string };
  let rt: Runtime;
  let ctx: Ctx;
  let sink: SmtpSink;

  before(async () => {
    database = await freshDatabase('postgres');
    rt = await createRuntime({
      config: loadConfig({ CATALOG_FILE, DATABASE_URL: database.url }),
      log: createLogger('silent'),
      database: { ...database, close: async () => undefined },
    });
    ctx = rt.systemContext('test');
    // A slow server, so that the relay is verifiably mid-run when its worker is killed.
    sink = await startSmtpSink({ parse: false, delayMs: 20 });
  });
  after(async () => {
    await rt.close();
    await database.close();
    await sink.close();
  });

  const pending = async () =>
    Number(
      (
        await database.db
          .selectFrom('outbox_emails')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .where('status', '=', 'pending')
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('another worker sends all queued mail once the killed attempt expires', {
    timeout: 240_000,
  }, async (t) => {
    const env = cleanEnv({
      DATABASE_URL: database.url ?? '',
      SMTP_URL: sink.url,
      MAIL_FROM: 'provisioning@workers.example',
      JOB_EXPIRE_SECONDS: String(EXPIRE_SECONDS),
    });
    const first = await startWorker(env);
    // Queued once the worker has installed the queues with the configured expiry.
    const ids = await queueEmails(
      ctx,
      Array.from({ length: COUNT }, (_, i) => ({
        kind: 'test.crash',
        to: `contact${i}@acme.example`,
        locale: 'en' as const,
        subject: `Provisioning ${i}`,
        html: '<p>Set up</p>',
        text: 'Set up',
      })),
    );
    try {
      await eventually('the first worker is mid-relay', () => sink.received.length >= 20, 60_000);
      first.child.kill('SIGKILL');
      await first.exited;
    } finally {
      first.child.kill('SIGKILL');
    }
    const killedAt = Date.now();
    assert.ok((await pending()) > 0, 'the kill left mail behind');
    // The killed attempt holds the stately relay until it expires: after the configured time, not 15 minutes.
    const { rows } = await sql<{ seconds: number }>`
      select extract(epoch from expire_in)::int as seconds from pgboss.job
      where name = 'mail.relay' and state = 'active'`.execute(database.db);
    assert.deepEqual(
      rows.map((r) => r.seconds),
      [EXPIRE_SECONDS],
    );

    const second = await startWorker(env);
    try {
      await eventually(
        'the second worker sends all queued mail',
        async () => (await pending()) === 0,
        180_000,
      );
      t.diagnostic(
        `all mail out ${Math.round((Date.now() - killedAt) / 1000)} s after the kill (JOB_EXPIRE_SECONDS=${EXPIRE_SECONDS})`,
      );
      const delivered = new Set<string>();
      for (const { raw } of sink.received) {
        const id = /^Message-ID:\s*<([^@>]+)@/im.exec(raw)?.[1];
        if (id) delivered.add(id);
      }
      assert.deepEqual(
        ids.filter((id) => !delivered.has(id)),
        [],
        'every queued message reached the server',
      );
      // The last message is marked sent before the relay's run ends and says so: wait for that line.
      await eventually(
        'the second worker ran the relay',
        () => logEntries(second.logs).some((e) => e.job === 'mail.relay' && e.msg === 'job done'),
        60_000,
      );
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    }
  });
});
