import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp } from './app.ts';
import type { Runtime } from './platform/runtime.ts';
import { StartupError } from './startup-failure.ts';

export interface RunningWeb {
  port: number;
  /**
   * Stops taking connections and waits for the requests in flight: idle keep-alive connections close
   * at once, a busy one once its answer is sent (that answer says `Connection: close`).
   */
  close(): Promise<void>;
  /** Requests received and not yet answered in full. */
  inFlight(): number;
}

/** Serves the web app and API; a port in use or a host that is not ours is a clear start-up failure. */
export function serveWeb(rt: Runtime): Promise<RunningWeb> {
  const { port, host } = rt.config;
  const app = createApp(rt);
  // Without serverOptions the adaptor makes a plain node:http server.
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  const answering = new Set<ServerResponse>();
  let closing = false;
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    answering.add(res);
    // A request that came on a kept-alive connection after close() began is answered, then its connection closed.
    if (closing && !res.headersSent) res.setHeader('Connection', 'close');
    res.once('close', () => {
      answering.delete(res);
      // Its connection is idle now: closed, so that close() does not wait for the keep-alive timeout.
      if (closing) server.closeIdleConnections();
    });
  });
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
        inFlight: () => answering.size,
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            // An answer not yet begun tells its client not to send another request on this connection.
            for (const res of answering) if (!res.headersSent) res.setHeader('Connection', 'close');
            server.close(() => done());
            // Keep-alive connections would hold close() open: idle ones go now, busy ones after their answer.
            server.closeIdleConnections();
          }),
      });
    });
  });
}
