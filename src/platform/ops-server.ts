import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { StartupError } from '../startup-failure.ts';
import { metricsEndpoint } from './metrics/http.ts';
import { readinessHandler } from './readiness.ts';
import type { Runtime } from './runtime.ts';

/**
 * The operators' port (METRICS_PORT): `GET /metrics` without a token, for a Prometheus on a private
 * network, and the probes a worker (which has no web port) needs: `/healthz` (the process answers) and
 * `/readyz` (as on the web port). Nothing of the web app is served here.
 */
export function createOpsApp(rt: Runtime): Hono {
  const app = new Hono();
  app.get('/metrics', metricsEndpoint(rt.metrics));
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', readinessHandler(rt.readiness));
  app.notFound((c) => c.text('Not Found\n', 404));
  app.onError((err, c) => {
    rt.log.warn({ err }, 'ops server: request failed');
    return c.text('Internal Server Error\n', 500);
  });
  return app;
}

export interface RunningOps {
  port: number;
  close(): Promise<void>;
}

/** Listens on METRICS_PORT (on HOST) when it is set; `start` and `worker` both run it. */
export function serveOps(rt: Runtime, port: number): Promise<RunningOps> {
  const server = createAdaptorServer({ fetch: createOpsApp(rt).fetch });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE')
        reject(
          new StartupError(
            'METRICS_PORT',
            `port ${port} on ${rt.config.host} is already in use: stop what listens there or choose another METRICS_PORT`,
            { cause: error },
          ),
        );
      else reject(error);
    });
    server.listen(port, rt.config.host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
  });
}
