import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { freshDatabase } from '../support/harness.ts';
import { cleanEnv, logEntries, startServer, startWorker, tempDataDir } from '../support/process.ts';
import { parseScrape, sampleValue } from '../support/prometheus.ts';

/** A port nothing listens on now (METRICS_PORT takes no 0). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

describe('METRICS_PORT', () => {
  it('`provisio start` serves /metrics there without a token, and the web port has none', async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    const server = await startServer(
      cleanEnv({ DATA_DIR: dataDir, DEMO_SEED: 'never', METRICS_PORT: String(port), HOST: '127.0.0.1' }),
    );
    try {
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
      assert.equal((await fetch(`${server.url}/login`)).status, 200);
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      const samples = parseScrape(await res.text());
      assert.equal(
        sampleValue(samples, 'provisio_http_requests_total', {
          method: 'GET',
          route: '/login',
          status: '200',
        }),
        1,
      );
      assert.equal(sampleValue(samples, 'provisio_database_gauges_up'), 1);
      assert.ok(
        logEntries(server.logs).some(
          (e) => e.msg === 'metrics, liveness and readiness are served on their own port' && e.port === port,
        ),
      );
    } finally {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Closed with the process: the port is free again.
    await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
  });

  it('`provisio worker` serves it too, with its job queues', {
    skip: !process.env.TEST_DATABASE_URL && 'set TEST_DATABASE_URL to run a worker on a server',
  }, async () => {
    const database = await freshDatabase('postgres');
    const port = await freePort();
    try {
      const worker = await startWorker(
        cleanEnv({ DATABASE_URL: database.url ?? '', METRICS_PORT: String(port), HOST: '127.0.0.1' }),
      );
      try {
        const res = await fetch(`http://127.0.0.1:${port}/metrics`);
        assert.equal(res.status, 200);
        const samples = parseScrape(await res.text());
        assert.notEqual(sampleValue(samples, 'provisio_job_runs_total', { queue: 'mail.relay' }), undefined);
        assert.equal(sampleValue(samples, 'provisio_db_pool_max'), 10);
        // A worker has no web port: its probes are here. Ready once its job workers run.
        assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        assert.equal(ready.status, 200);
        assert.deepEqual(await ready.json(), { status: 'ready' });
      } finally {
        worker.child.kill('SIGTERM');
        assert.equal(await worker.exited, 0);
      }
    } finally {
      await database.close();
    }
  });
});
