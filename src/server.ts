import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.ts';
import type { Runtime } from './platform/runtime.ts';
import { StartupError } from './startup-failure.ts';

export interface RunningWeb {
  port: number;
  /** Stops taking requests and waits for those in flight. */
  close(): Promise<void>;
}

/** Serves the web app and API; a port in use or a host that is not ours is a clear start-up failure. */
export function serveWeb(rt: Runtime): Promise<RunningWeb> {
  const { port, host } = rt.config;
  const app = createApp(rt);
  const server = createAdaptorServer({ fetch: app.fetch });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new StartupError(
            'PORT',
            `port ${port} on ${host} is already in use: stop what listens there or choose another PORT`,
            { cause: error },
          ),
        );
      } else if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN') {
        reject(
          new StartupError('HOST', `"${host}" is not an address of this machine (${error.code})`, {
            cause: error,
          }),
        );
      } else if (error.code === 'EACCES') {
        reject(
          new StartupError('PORT', `not allowed to listen on port ${port} (choose a port above 1023)`, {
            cause: error,
          }),
        );
      } else {
        reject(error);
      }
    });
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive connections would hold close() open: idle ones go now, busy ones after their answer.
            if ('closeIdleConnections' in server) server.closeIdleConnections();
          }),
      });
    });
  });
}
