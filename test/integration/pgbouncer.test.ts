import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Hono } from 'hono';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import type { AppEnv } from '../../src/platform/http.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Runtime } from '../../src/platform/runtime.ts';
import { createRuntime } from '../../src/runtime.ts';
import { CATALOG_FILE, orderBody, PUBLIC_URL } from '../support/harness.ts';
import { type BouncedDatabase, bouncedDatabase, poolerUnavailable } from '../support/pooler.ts';
import { type SmtpSink, startSmtpSink } from '../support/smtp-sink.ts';

/**
 * Provisio through PgBouncer in transaction mode (docs/adr/0039), the pooler Debian 12 ships (1.18,
 * which cannot keep named prepared statements): with DATABASE_PREPARED_STATEMENTS=false everything
 * works, and with them on the same traffic fails — so this test fails if the setting stops working.
 * Runs when TEST_PGBOUNCER_URL is set (`npm run test:pgbouncer` starts one), else it is skipped.
 */
const unavailable = poolerUnavailable();

/** Each test's runtime processes run on the system clock: an order starting today is due now. */
const today = () => new Date().toISOString().slice(0, 10);
const inAMonth = () => new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

interface Process {
  rt: Runtime;
  app: Hono<AppEnv>;
  close(): Promise<void>;
}

async function startProcess(database: BouncedDatabase, settings: Record<string, string>): Promise<Process> {
  const filesDir = mkdtempSync(path.join(tmpdir(), 'provisio-files-'));
  const config = loadConfig({
    PUBLIC_URL,
    CATALOG_FILE,
    FILES_DIR: filesDir,
    DATABASE_URL: database.url,
    ...settings,
  });
  const rt = await createRuntime({ config, log: createLogger('silent') });
  return {
    rt,
    app: createApp(rt),
    close: async () => {
      await rt.close();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
}

async function apiKeyFor(rt: Runtime, name: string): Promise<string> {
  const ctx = rt.systemContext('test');
  const org = await identity.createOrganization(ctx, { kind: 'partner', name });
  return (await apiKeys.createApiKey(ctx, org.id, 'test')).key;
}

function book(app: Hono<AppEnv>, apiKey: string, body: unknown): Promise<Response> {
  return Promise.resolve(
    app.request('/api/v1/orders', {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    }),
  );
}

describe('through PgBouncer 1.18 in transaction mode', { skip: unavailable }, () => {
  let database: BouncedDatabase;
  let sink: SmtpSink;
  before(async () => {
    database = await bouncedDatabase();
    sink = await startSmtpSink();
  });
  after(async () => {
    await sink?.close();
    await database?.drop();
  });

  describe('with DATABASE_PREPARED_STATEMENTS=false', () => {
    const processes: Process[] = [];
    let main: Process;
    let apiKey: string;
    before(async () => {
      // Two processes booting at once on an empty database: migrations and the job queue's install
      // are serialised by transaction-level locks, which hold through a transaction-mode pooler.
      const settings = { DATABASE_PREPARED_STATEMENTS: 'false', SMTP_URL: sink.url };
      processes.push(
        ...(await Promise.all([startProcess(database, settings), startProcess(database, settings)])),
      );
      main = processes[0] as Process;
      apiKey = await apiKeyFor(main.rt, 'Pooled Partner');
    });
    after(async () => {
      for (const running of processes) await running.close();
    });

    it('is alive and ready: the health connection starts through the pooler', async () => {
      assert.equal((await main.app.request('/healthz')).status, 200);
      const ready = await main.app.request('/readyz');
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });
    });

    it('books 50 orders at once over the API, on both processes, each once, and lists them within the statement timeout', async () => {
      const bodies = Array.from({ length: 50 }, () => orderBody({}, { requestedStartDate: inAMonth() }));
      const answers = await Promise.all(
        bodies.map((body, i) => book((processes[i % 2] as Process).app, apiKey, body)),
      );
      assert.deepEqual(
        answers.map((res) => res.status),
        bodies.map(() => 201),
      );
      const listed = new Set<string>();
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `?limit=50&cursor=${encodeURIComponent(cursor)}` : '?limit=50';
        const res = await main.app.request(`/api/v1/orders${query}`, {
          headers: { Authorization: `Bearer ${apiKey}` },
        });
        assert.equal(res.status, 200, await res.clone().text());
        const page = (await res.json()) as { items: { reference: string }[]; nextCursor: string | null };
        for (const item of page.items) listed.add(item.reference);
        cursor = page.nextCursor;
      } while (cursor);
      for (const body of bodies) assert.ok(listed.has(body.reference), `${body.reference} is listed`);
    });

    it('runs jobs: an order starting today is dispatched and its provisioning email relayed through the outbox', {
      timeout: 120_000,
    }, async () => {
      await main.rt.jobs.startWorkers();
      assert.equal((await main.app.request('/readyz')).status, 200);
      const contact = `it-${Date.now()}@pooled.example`;
      const res = await book(
        main.app,
        apiKey,
        orderBody({}, { requestedStartDate: today(), provisioningContactEmail: contact }),
      );
      assert.equal(res.status, 201, await res.clone().text());
      // The woken dispatch job queues the email; the relay job (pg-boss, on this process) sends it.
      const deadline = Date.now() + 90_000;
      while (!sink.received.some((m) => m.envelopeTo.includes(contact))) {
        if (Date.now() > deadline) throw new Error(`no provisioning email reached ${contact}`);
        await new Promise((done) => setTimeout(done, 200));
      }
      const mail = sink.received.find((m) => m.envelopeTo.includes(contact));
      assert.match(mail?.parsed.text ?? '', /\/setup\//);
    });
  });

  describe('with named prepared statements (the default)', () => {
    let proc: Process;
    let apiKey: string;
    before(async () => {
      proc = await startProcess(database, { DATABASE_PREPARED_STATEMENTS: 'true' });
      apiKey = await apiKeyFor(proc.rt, 'Unpooled Partner');
    });
    after(() => proc?.close());

    it('fails the same bookings: PgBouncer 1.18 sends a statement prepared on one server connection to another', async () => {
      // Every API request's key lookup and every booking are named statements: concurrent requests
      // through the pooler land on server connections that do not hold them (or already do).
      const failures: number[] = [];
      for (let round = 0; round < 5 && failures.length === 0; round += 1) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, () =>
            book(proc.app, apiKey, orderBody({}, { requestedStartDate: inAMonth() })),
          ),
        );
        failures.push(...answers.map((res) => res.status).filter((status) => status !== 201));
      }
      assert.ok(failures.length > 0, 'named prepared statements through PgBouncer 1.18 fail');
      assert.ok(
        failures.every((status) => status >= 500),
        `failures are server errors: ${failures.join(', ')}`,
      );
    });
  });
});
