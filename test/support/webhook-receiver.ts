import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/**
 * A real HTTP receiver on 127.0.0.1 (port 0) that keeps every request it gets, verified with the
 * `standardwebhooks` package when given the endpoint's secrets, as a vendor's integration would.
 */

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  /** What `new Webhook(secret).verify` returned, when a secret was given and one verified. */
  verified: unknown;
  /** Which of the secrets verified it (their index), or -1. */
  verifiedBy: number[];
}

export type Responder = (
  request: IncomingMessage,
  response: ServerResponse,
  body: string,
) => void | Promise<void>;

export const answer =
  (status: number, text = '', headers: Record<string, string> = {}): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain', ...headers });
    res.end(text);
  };

export interface Receiver {
  url: string;
  port: number;
  received: ReceivedWebhook[];
  /** Requests being answered right now, by webhook-id: never above 1 for one id if no attempt doubles. */
  inFlight: Map<string, number>;
  maxInFlightPerId: number;
  /** The most requests it was answering at once. */
  maxConcurrent: number;
  secrets: string[];
  respond(responder: Responder): void;
  ids(): string[];
  /** Forgets what it received and the highs it saw (between tests). */
  reset(): void;
  close(): Promise<void>;
}

export async function startReceiver(options: { secrets?: string[]; path?: string } = {}): Promise<Receiver> {
  let responder: Responder = answer(204);
  const received: ReceivedWebhook[] = [];
  const inFlight = new Map<string, number>();
  const receiver: Receiver = {
    url: '',
    port: 0,
    received,
    inFlight,
    maxInFlightPerId: 0,
    maxConcurrent: 0,
    secrets: options.secrets ?? [],
    respond(next) {
      responder = next;
    },
    ids: () => received.map((r) => r.id),
    reset() {
      received.length = 0;
      receiver.maxInFlightPerId = 0;
      receiver.maxConcurrent = 0;
    },
    close: async () => undefined,
  };
  const sockets = new Set<import('node:net').Socket>();
  let concurrent = 0;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string) => String(req.headers[name] ?? '');
    const id = header('webhook-id');
    const verifiedBy: number[] = [];
    let verified: unknown;
    receiver.secrets.forEach((secret, i) => {
      try {
        verified = new Webhook(secret).verify(body, {
          'webhook-id': id,
          'webhook-timestamp': header('webhook-timestamp'),
          'webhook-signature': header('webhook-signature'),
        });
        verifiedBy.push(i);
      } catch {
        // Not signed by this one.
      }
    });
    received.push({
      id,
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      body,
      verified,
      verifiedBy,
    });
    inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
    receiver.maxInFlightPerId = Math.max(receiver.maxInFlightPerId, inFlight.get(id) ?? 0);
    concurrent += 1;
    receiver.maxConcurrent = Math.max(receiver.maxConcurrent, concurrent);
    const done = () => {
      inFlight.set(id, (inFlight.get(id) ?? 1) - 1);
      concurrent -= 1;
    };
    res.once('close', done);
    try {
      await responder(req, res, body);
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  receiver.port = port;
  receiver.url = `http://127.0.0.1:${port}${options.path ?? '/hooks'}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return receiver;
}
