import type { AddressInfo, Socket } from 'node:net';
import PostalMime, { type Email } from 'postal-mime';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it: the envelope, the raw MIME, and its parsed form. */
export interface ReceivedMail {
  envelopeTo: string[];
  raw: string;
  parsed: Email;
}

export interface SmtpSink {
  /** smtp://127.0.0.1:<port>, for SMTP_URL. */
  url: string;
  received: ReceivedMail[];
  /** Refuse RCPT TO for these addresses with this SMTP reply (e.g. 550 for a permanent refusal). */
  reject(address: string, code: number, message: string): void;
  /** Takes mail for this address again. */
  accept(address: string): void;
  /** The server goes away: its connections are cut and its port closed (a client gets ECONNREFUSED). */
  down(): Promise<void>;
  /** The server comes back on the same port. */
  up(): Promise<void>;
  /** The next `count` sessions to send MAIL FROM lose their connection there, without a reply. */
  dropNextSessions(count: number): void;
  /**
   * Every message to this address loses its connection once its content starts to arrive (after the
   * server accepted the envelope and DATA), without a reply: a message a proxy kills, every time.
   */
  dropAtData(address: string): void;
  /** How many messages to this address lost their connection at DATA. */
  droppedAtData(address: string): number;
  /** Resolves when at least `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

/** A real SMTP server on a free local port: the relay talks SMTP to it like to any mail server. */
export async function startSmtpSink(
  options: {
    parse?: boolean /** Each message is answered this much later (a slow server). */;
    delayMs?: number;
  } = {},
): Promise<SmtpSink> {
  const parse = options.parse ?? true;
  const delayMs = options.delayMs ?? 0;
  const received: ReceivedMail[] = [];
  const rejections = new Map<string, { code: number; message: string }>();
  const waiters: (() => void)[] = [];
  const sockets = new Map<number, Socket>();
  let drops = 0;
  const dataDrops = new Map<string, number>();
  const create = () => {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      size: 10 * 1024 * 1024,
      onMailFrom(_address, session, callback) {
        if (drops > 0) {
          drops -= 1;
          // Cut at MAIL FROM: no message of this session is half-received, so none can arrive twice.
          sockets.get(session.remotePort)?.destroy();
          return;
        }
        callback();
      },
      onRcptTo(address, _session, callback) {
        const refusal = rejections.get(address.address.toLowerCase());
        if (!refusal) return callback();
        const error = new Error(refusal.message) as Error & { responseCode: number };
        error.responseCode = refusal.code;
        return callback(error);
      },
      onData(stream, session, callback) {
        const poisoned = session.envelope.rcptTo.find((r) => dataDrops.has(r.address.toLowerCase()));
        if (poisoned) {
          const address = poisoned.address.toLowerCase();
          // smtp-server answers 354 after calling onData: cut once the content arrives, not before.
          stream.once('data', () => {
            dataDrops.set(address, (dataDrops.get(address) ?? 0) + 1);
            sockets.get(session.remotePort)?.destroy();
          });
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const done = (parsed: Email) => {
            received.push({ envelopeTo: session.envelope.rcptTo.map((r) => r.address), raw, parsed });
            for (const wake of waiters.splice(0)) wake();
            callback();
          };
          const accept = () => {
            if (parse) PostalMime.parse(raw).then(done, callback);
            else done({} as Email);
          };
          if (delayMs > 0) setTimeout(accept, delayMs);
          else accept();
        });
      },
    });
    // Replies go out at once: without this, Nagle's algorithm and delayed ACKs add ~40 ms per message.
    // A client that dies (kill -9) resets its connections: the server's business, not the test's.
    server.on('error', () => undefined);
    server.server.on('connection', (socket: Socket) => {
      socket.setNoDelay(true);
      const port = socket.remotePort ?? 0;
      sockets.set(port, socket);
      socket.once('close', () => sockets.delete(port));
    });
    return server;
  };
  let server = create();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets.values()) socket.destroy();
      server.close(() => resolve());
    });
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    reject(address, code, message) {
      rejections.set(address.toLowerCase(), { code, message });
    },
    accept(address) {
      rejections.delete(address.toLowerCase());
    },
    down: close,
    async up() {
      server = create();
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    dropNextSessions(count) {
      drops = count;
    },
    dropAtData(address) {
      dataDrops.set(address.toLowerCase(), dataDrops.get(address.toLowerCase()) ?? 0);
    },
    droppedAtData(address) {
      return dataDrops.get(address.toLowerCase()) ?? 0;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} messages at the SMTP sink, got ${received.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return received;
    },
    close,
  };
}
