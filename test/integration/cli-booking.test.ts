import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { systemClock } from '../../src/platform/clock.ts';
import { type DatabaseHandle, openPglite } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Runtime } from '../../src/platform/runtime.ts';
import { createRuntime } from '../../src/runtime.ts';
import { CATALOG_FILE, type Engine, freshDatabase, testEngines } from '../support/harness.ts';
import { cleanEnv, runCli, tempDataDir } from '../support/process.ts';

const lastJson = <T>(text: string): T => JSON.parse(text.trim().split('\n').pop() ?? '') as T;

/** Polls until `check` holds; the bound is a deadline for a test that would otherwise hang, not a measurement. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await sleep(200);
  }
}

/**
 * Booking queues the start-date dispatch in the order's own transaction, whoever books: here the
 * `provisio order create` command, a process that runs no worker. The job it queued is there when the
 * command has exited, before any worker or schedule ran, and a worker started afterwards sends the email.
 */
for (const engine of testEngines()) {
  describe(`an order booked with the provisio command for today (${engine})`, () => {
    let env: NodeJS.ProcessEnv;
    let database: (DatabaseHandle & { url?: string }) | undefined;
    let dataDir: string | undefined;
    let partnerEmail: string;

    const cli = async (args: string[]) => {
      const run = await runCli(args, env);
      assert.equal(run.code, 0, `${args.join(' ')}: ${run.stderr}`);
      return run.stdout;
    };

    before(async () => {
      if (engine === 'postgres') {
        database = await freshDatabase('postgres' satisfies Engine);
        env = cleanEnv({ DATABASE_URL: database.url ?? '', DATA_DIR: tempDataDir(), LOG_LEVEL: 'warn' });
      } else {
        dataDir = tempDataDir();
        env = cleanEnv({ DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
      }
      const org = lastJson<{ id: string }>(
        await cli([
          'org',
          'create',
          '--kind',
          'partner',
          '--name',
          'Command Line Partner',
          '--domain',
          'clp.example',
        ]),
      );
      partnerEmail = 'buyer@clp.example';
      await cli(['user', 'create', '--org', org.id, '--email', partnerEmail, '--role', 'partner_user']);
    });
    after(async () => {
      await database?.close();
    });

    it('queues the dispatch with the order, and a worker sends the email without waiting for the schedule', async () => {
      const today = new Date().toISOString().slice(0, 10);
      const body = {
        reference: 'CLI-TODAY-1',
        endCustomer: { name: 'Terminal Ltd', country: 'IT' },
        lines: [
          {
            offer: 'A-WX',
            quantity: 5,
            requestedStartDate: today,
            provisioningContactEmail: 'it@terminal.example',
          },
        ],
      };
      const order = lastJson<{ id: string; lines: { status: string }[] }>(
        await cli(['order', 'create', '--as', partnerEmail, '--data', JSON.stringify(body)]),
      );
      assert.equal(order.lines[0]?.status, 'scheduled');

      const handle = database ?? (await openPglite(dataDir));
      let rt: Runtime | undefined;
      try {
        // Nothing has run a worker or a schedule on this database: the one job is the booking's.
        const { rows: queued } = await sql<{ id: string }>`
          select id from pgboss.job where name = 'provisioning.dispatch-due' and state = 'created'`.execute(
          handle.db,
        );
        assert.equal(queued.length, 1, 'the booking queued the dispatch');
        const jobId = queued[0]?.id ?? '';

        const config = loadConfig({
          CATALOG_FILE,
          PUBLIC_URL: 'http://provisio.test',
          WORKER_CONCURRENCY: '2',
        });
        rt = await createRuntime({
          config,
          log: createLogger('silent'),
          clock: systemClock,
          database: engine === 'postgres' ? { ...handle, close: async () => undefined } : handle,
        });
        await rt.jobs.startWorkers();
        const db = handle.db;
        await eventually('the booking’s dispatch job completes', async () => {
          const { rows } = await sql<{
            state: string;
          }>`select state from pgboss.job where id = ${jobId}`.execute(db);
          return rows[0]?.state === 'completed';
        });
        await eventually('the provisioning email is delivered', async () => {
          const mail = await db
            .selectFrom('dev_mailbox')
            .select('subject')
            .where('to_address', '=', 'it@terminal.example')
            .execute();
          return mail.length === 1;
        });
        const line = await db
          .selectFrom('order_lines')
          .innerJoin('subscriptions', 'subscriptions.line_id', 'order_lines.id')
          .select(['order_lines.status', 'subscriptions.stage'])
          .where('order_lines.order_id', '=', order.id)
          .executeTakeFirstOrThrow();
        assert.deepEqual(line, { status: 'awaiting_provisioning_details', stage: 'awaiting_details' });
      } finally {
        if (rt) await rt.close();
        else if (!database) await handle.close();
      }
    });

    it('refuses an unknown placer or a body the API would refuse, naming the field, and books nothing', async () => {
      const unknown = await runCli(
        ['order', 'create', '--as', 'nobody@clp.example', '--data', JSON.stringify({ reference: 'X' })],
        env,
      );
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /endCustomer/);
      const body = {
        reference: 'CLI-NOBODY',
        endCustomer: { name: 'Nobody Ltd' },
        lines: [
          {
            offer: 'A-WX',
            quantity: 1,
            requestedStartDate: new Date().toISOString().slice(0, 10),
            provisioningContactEmail: 'it@nobody.example',
          },
        ],
      };
      const noUser = await runCli(
        ['order', 'create', '--as', 'nobody@clp.example', '--data', JSON.stringify(body)],
        env,
      );
      assert.equal(noUser.code, 1);
      assert.match(noUser.stderr, /as does not name an existing user/);
      const both = await runCli(['order', 'create', '--as', partnerEmail], env);
      assert.equal(both.code, 1);
      assert.match(both.stderr, /either --data or --file/);
      const handle = database ?? (await openPglite(dataDir));
      try {
        const booked = await handle.db.selectFrom('orders').select('reference').execute();
        assert.deepEqual(
          booked.map((o) => o.reference),
          ['CLI-TODAY-1'],
        );
      } finally {
        if (!database) await handle.close();
      }
    });
  });
}
