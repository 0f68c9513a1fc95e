import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import * as apiKeys from '../../src/modules/identity/api-keys.ts';
import * as identity from '../../src/modules/identity/service.ts';
import { type DatabaseHandle, openPglite } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createRuntime } from '../../src/runtime.ts';
import { CATALOG_FILE, freshDatabase, orderBody } from '../support/harness.ts';
import { cleanEnv, logEntries, type RunningServer, startServer, tempDataDir } from '../support/process.ts';

/**
 * SIGTERM to a serving process (docs/adr/0039): it stops being ready and taking connections at once,
 * answers the requests in flight in full, commits their work once, and exits 0 — or, when a request
 * does not finish within SHUTDOWN_GRACE_SECONDS, exits non-zero with one line saying so. Runs on
 * PostgreSQL when TEST_DATABASE_URL is set, else on a PGlite data directory.
 */
const engine = process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite';

/** An order the process takes on today's date (it runs on the system clock): starting in a month. */
const anOrder = () =>
  orderBody({}, { requestedStartDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10) });

/** A POST whose headers the server has taken (100 Continue) and whose body is still being sent. */
interface SlowPost {
  /** Sends the rest of the body; resolves with the answer. */
  finish(): Promise<{ status: number; connection: string | undefined; body: string }>;
  /** Resolves when the server closes the connection without a complete answer. */
  cut: Promise<void>;
}

function startSlowPost(url: string, path: string, apiKey: string, body: string): Promise<SlowPost> {
  const target = new URL(path, url);
  const half = Math.floor(body.length / 2);
  return new Promise((resolve, reject) => {
    const req = http.request(target, {
      method: 'POST',
      agent: new http.Agent({ keepAlive: true }),
      headers: {
        Authorization: `Bearer ${apiKey}`,
        'Content-Type': 'application/json',
        'Content-Length': String(Buffer.byteLength(body)),
        // The server says "100 Continue" once it has the request's headers: the request is in flight.
        Expect: '100-continue',
      },
    });
    const answer = new Promise<{ status: number; connection: string | undefined; body: string }>(
      (done, fail) => {
        req.on('response', (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
          });
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, connection: res.headers.connection, body: text }),
          );
          res.on('error', fail);
        });
      },
    );
    const cut = new Promise<void>((done) => {
      req.on('error', () => done());
      req.on('close', () => done());
    });
    req.on('error', reject);
    req.once('continue', () => {
      req.write(body.slice(0, half));
      resolve({
        finish: () => {
          req.end(body.slice(half));
          return answer;
        },
        cut,
      });
    });
  });
}

/** Resolves with the exit code once the process has ended. */
function exitOf(server: RunningServer): Promise<number | null> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

/** Resolves once a JSON log line with this message has been written. */
function logged(server: RunningServer, msg: string): Promise<void> {
  return new Promise((done) => {
    const check = () => {
      if (logEntries(server.logs).some((e) => e.msg === msg)) {
        clearInterval(timer);
        done();
      }
    };
    const timer = setInterval(check, 50);
    check();
  });
}

/** A fresh request on a new connection: its status, or 'refused' when the port no longer takes connections. */
async function probe(url: string): Promise<number | 'refused'> {
  try {
    const res = await fetch(`${url}/readyz`, { headers: { Connection: 'close' } });
    return res.status;
  } catch {
    return 'refused';
  }
}

describe(`graceful shutdown of a web process (${engine})`, () => {
  let database: (DatabaseHandle & { url?: string }) | undefined;
  let dataDir: string | undefined;
  let env: NodeJS.ProcessEnv;
  let apiKey: string;

  before(async () => {
    // A tenant with an API key, made before the process starts (a PGlite data directory has one owner).
    dataDir = engine === 'pglite' ? tempDataDir() : undefined;
    database = engine === 'postgres' ? await freshDatabase('postgres') : undefined;
    const handle = database ?? (await openPglite(dataDir));
    const rt = await createRuntime({
      config: loadConfig({ CATALOG_FILE }),
      log: createLogger('silent'),
      database: engine === 'postgres' && database ? { ...handle, close: async () => undefined } : handle,
    });
    try {
      const ctx = rt.systemContext('test');
      const org = await identity.createOrganization(ctx, { kind: 'partner', name: 'Shutdown Partner' });
      apiKey = (await apiKeys.createApiKey(ctx, org.id, 'test')).key;
    } finally {
      await rt.close();
    }
    env = cleanEnv({
      CATALOG_FILE,
      DEMO_SEED: 'never',
      ...(database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: dataDir ?? '' }),
    });
  });
  after(async () => {
    await database?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function ordersWithReference(reference: string): Promise<number> {
    // Read after the process has exited: on PGlite the data directory is free again.
    const handle = database ?? (await openPglite(dataDir));
    try {
      const { rows } = await sql<{
        n: number;
      }>`select count(*)::int as n from orders where reference = ${reference}`.execute(handle.db);
      return rows[0]?.n ?? -1;
    } finally {
      if (!database) await handle.close();
    }
  }

  it('is ready while serving, then on SIGTERM stops taking requests, answers the one in flight in full and exits 0', {
    timeout: 360_000,
  }, async () => {
    const server = await startServer({ ...env, SHUTDOWN_GRACE_SECONDS: '60' }, 240_000);
    try {
      const ready = await fetch(`${server.url}/readyz`);
      assert.equal(ready.status, 200);
      assert.deepEqual(await ready.json(), { status: 'ready' });

      const order = anOrder();
      const post = await startSlowPost(server.url, '/api/v1/orders', apiKey, JSON.stringify(order));
      server.child.kill('SIGTERM');
      await logged(server, 'shutting down');
      // New requests are not taken: refused at the port (or told not ready, had a connection been open).
      const fresh = await probe(server.url);
      assert.ok(fresh === 'refused' || fresh === 503, `a new request after SIGTERM got ${fresh}`);
      assert.equal(server.child.exitCode, null, 'the process waits for the request in flight');

      const answer = await post.finish();
      assert.equal(answer.status, 201, answer.body);
      assert.equal((JSON.parse(answer.body) as { reference: string }).reference, order.reference);
      assert.equal(answer.connection, 'close', 'the client is told not to reuse the connection');
      assert.equal(await exitOf(server), 0);
      assert.equal(await ordersWithReference(order.reference), 1, 'the order is committed exactly once');
      assert.ok(logEntries(server.logs).some((e) => e.msg === 'stopped'));
    } finally {
      await server.stop();
    }
  });

  it('exits non-zero with one line once SHUTDOWN_GRACE_SECONDS pass with a request still in flight', {
    timeout: 360_000,
  }, async () => {
    const server = await startServer({ ...env, SHUTDOWN_GRACE_SECONDS: '1' }, 240_000);
    try {
      const order = anOrder();
      const post = await startSlowPost(server.url, '/api/v1/orders', apiKey, JSON.stringify(order));
      server.child.kill('SIGTERM');
      // The rest of the body never comes.
      const code = await exitOf(server);
      assert.notEqual(code, 0);
      await post.cut;
      const lines = logEntries(server.logs).filter((e) =>
        String(e.msg).startsWith('requests still in flight after SHUTDOWN_GRACE_SECONDS'),
      );
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.inFlight, 1);
      assert.equal(await ordersWithReference(order.reference), 0, 'the unfinished order wrote nothing');
    } finally {
      await server.stop();
    }
  });
});
