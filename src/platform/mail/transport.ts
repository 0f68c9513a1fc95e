import net from 'node:net';
import { PassThrough, type Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Clock } from '../clock.ts';
import type { Db } from '../db.ts';
import { insertMailboxMessage } from './repository.ts';

/** A message ready to go: rendered, addressed, with its stable Message-ID. */
export interface OutgoingMail {
  messageId: string;
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** BCP 47 tag for the Content-Language header. */
  language: string;
}

/**
 * A delivery that did not happen. `permanent` means the server refused the message for good (SMTP
 * 5xx): retrying will not help. `outage` means the relay did not get to offer this message (no
 * connection, a server that would not greet or answered 421, a connection that dropped or timed out
 * before the envelope was accepted): the server, not the message, is the problem. Anything else (a 4xx
 * about the message, a connection that dropped or timed out while the message itself was going out)
 * may work later, and counts as an attempt for that message.
 */
export class MailDeliveryError extends Error {
  constructor(
    readonly permanent: boolean,
    readonly reason: string,
    /** A short code for logs and the relay's state: `ECONNREFUSED`, `ETIMEDOUT`, `421`, `550` … never an address. */
    readonly code: string = 'EUNKNOWN',
    readonly outage: boolean = false,
  ) {
    super(reason);
    this.name = 'MailDeliveryError';
  }
}

export interface MailTransport {
  /** 'smtp' sends through SMTP_URL; 'mailbox' keeps the message in the database for /dev/mailbox. */
  readonly kind: 'smtp' | 'mailbox';
  send(mail: OutgoingMail): Promise<void>;
  /** Resolves when the server answers (a connection and a greeting); rejects with a MailDeliveryError otherwise. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

const MAX_REASON_LENGTH = 1000;
/** Commands whose failure says the server is unavailable, not that it refused a message. */
const SESSION_COMMANDS = new Set([
  'CONN',
  'EHLO',
  'HELO',
  'LHLO',
  'STARTTLS',
  'AUTH',
  'AUTH PLAIN',
  'AUTH LOGIN',
]);

/**
 * The server's own words (e.g. "550 5.1.1 <x@y>: Recipient address rejected"), never our credentials.
 * `contentStarted`: the server had accepted the envelope and DATA, and the message itself was going
 * out. nodemailer labels a socket that drops or times out then `CONN`, like one that never connected,
 * so only the caller can tell them apart (see `smtpTransport`).
 */
export function deliveryError(error: unknown, contentStarted = false): MailDeliveryError {
  const e = error as {
    responseCode?: unknown;
    response?: unknown;
    code?: unknown;
    message?: unknown;
    command?: unknown;
  };
  const code = typeof e.responseCode === 'number' ? e.responseCode : undefined;
  const reason =
    typeof e.response === 'string' && e.response
      ? e.response
      : [
          typeof e.code === 'string' ? e.code : '',
          typeof e.message === 'string' ? e.message : 'unknown error',
        ]
          .filter(Boolean)
          .join(': ');
  const command = typeof e.command === 'string' ? e.command.toUpperCase() : '';
  // No reply at all, or a refusal of the session itself (e.g. "421 too busy" as the greeting). A
  // connection lost while this message was going out may be this message's doing (too big for a proxy,
  // malformed): an attempt for it, so that it gives up in the end instead of stalling the relay for good.
  const afterEnvelope = contentStarted || command === 'DATA';
  const outage = code === 421 || (!afterEnvelope && (code === undefined || SESSION_COMMANDS.has(command)));
  // nodemailer labels a socket's failure ESOCKET; the system's own code (ECONNREFUSED …) stays in the message.
  const systemCode = typeof e.message === 'string' ? /\b(E[A-Z]{4,})\b/.exec(e.message)?.[1] : undefined;
  const shortCode =
    code !== undefined
      ? String(code)
      : e.code === 'ESOCKET' && systemCode
        ? systemCode
        : typeof e.code === 'string' && e.code
          ? e.code
          : 'EUNKNOWN';
  return new MailDeliveryError(
    !outage && code !== undefined && code >= 500 && code < 600,
    reason.slice(0, MAX_REASON_LENGTH),
    shortCode.slice(0, 32),
    outage,
  );
}

function mimeOptions(mail: OutgoingMail) {
  return {
    messageId: mail.messageId,
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: { 'Content-Language': mail.language, 'Auto-Submitted': 'auto-generated' },
  };
}

/** SMTP connections a process keeps open (nodemailer's pool); the dispatch benchmark's baseline uses as many. */
export const MAIL_CONNECTIONS = 5;

/** Pooled SMTP: connections are reused across messages (`?pool=false` in the URL turns it off). */
export function smtpTransport(smtpUrl: string): MailTransport {
  const transporter = pooledSmtp(smtpUrl);
  /** Message-IDs whose content began to go out: the server had accepted their envelope and DATA. */
  const contentStarted = new Set<string>();
  transporter.use('stream', (message, callback) => {
    const id = message.data.messageId;
    if (id) message.message.processFunc((content) => onceFlowing(content, () => contentStarted.add(id)));
    callback();
  });
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        await transporter.sendMail(mimeOptions(mail));
      } catch (error) {
        throw deliveryError(error, contentStarted.has(mail.messageId));
      } finally {
        contentStarted.delete(mail.messageId);
      }
    },
    async probe() {
      try {
        await transporter.verify();
      } catch (error) {
        const failure = deliveryError(error);
        // A server that greets but refuses us is still down for mail.
        throw new MailDeliveryError(false, failure.reason, failure.code, true);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * The message's content as nodemailer's SMTP connection reads it, calling `started` when the
 * connection begins to read: it pipes the content only once the server has answered DATA with 354
 * (before that the content waits in its buffers; a refused envelope is drained into a sink, but then
 * the error carries the server's reply code, which decides). No `newline` option is set, so nothing
 * else pipes this stream earlier.
 */
function onceFlowing(content: Readable, started: () => void): Readable {
  const out = new PassThrough();
  content.on('error', (error) => out.destroy(error));
  out.once('resume', started);
  return content.pipe(out);
}

/**
 * How long an SMTP exchange may stall before its message counts as not sent (and is retried): a
 * connection not made, a greeting not received, a reply not received. nodemailer's own defaults (2
 * minutes, 30 s, 10 minutes) would hold a relay's batch far beyond its job's time (ADR 0023).
 */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * nodemailer's pooled SMTP transport as Provisio configures it (also the dispatch benchmark's baseline):
 * MAIL_CONNECTIONS connections, reused for up to 1000 messages each, Nagle off, SMTP_TIMEOUTS, and no
 * silent resending of a message whose connection closed mid-exchange (the outbox retries it, once per
 * attempt, with the same Message-ID).
 * Query parameters in the URL (`?pool=false`, `?maxConnections=2`, `?greetingTimeout=5000` …) override these.
 */
export function pooledSmtp(smtpUrl: string) {
  const url = new URL(smtpUrl);
  const defaults: Record<string, string> = {
    pool: 'true',
    maxConnections: String(MAIL_CONNECTIONS),
    maxMessages: '1000',
    maxRequeues: '0',
    connectionTimeout: String(SMTP_TIMEOUTS.connectionTimeout),
    greetingTimeout: String(SMTP_TIMEOUTS.greetingTimeout),
    socketTimeout: String(SMTP_TIMEOUTS.socketTimeout),
  };
  for (const [key, value] of Object.entries(defaults))
    if (!url.searchParams.has(key)) url.searchParams.set(key, value);
  const transporter = nodemailer.createTransport(url.toString());
  // smtps: nodemailer opens its own TLS socket (Nagle on): TLS is not started on a socket still connecting.
  if (url.protocol !== 'smtps:')
    (transporter.transporter as { getSocket?: SMTPPool['getSocket'] }).getSocket = noDelaySocket(url);
  return transporter;
}

/**
 * Opens each SMTP connection with Nagle's algorithm off and hands it to nodemailer at once, still
 * connecting. SMTP is a chatty exchange of small writes; with Nagle on, every message waits out the
 * server's delayed ACK (~40 ms), which held one connection to ~20 messages a second on loopback,
 * against ~550 without it (bench:dispatch). Handed over before the connect completes, the socket's
 * failure (refused, reset) reaches nodemailer's own handlers, which drop the connection from the pool;
 * the greeting timeout bounds a connect that hangs. The previous version waited for the connect and
 * passed a failure back through this callback, a path on which nodemailer's pool keeps the connection's
 * slot taken for good (issue 14: one refused connection wedged all mail until a restart). nodemailer's
 * pool uses only `connection` from this callback (an unconnected `socket` is ignored).
 */
function noDelaySocket(url: URL): SMTPPool['getSocket'] {
  const port = Number(url.port) || 587;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return (_options, callback) => {
    const connection = net.connect(port, host);
    connection.setNoDelay(true);
    callback(null, { connection });
  };
}

/** Development and demo: the full MIME message is stored in `dev_mailbox` and shown at /dev/mailbox. */
export function mailboxTransport(db: Db, clock: Clock): MailTransport {
  return {
    kind: 'mailbox',
    async send(mail) {
      const mime = await new MailComposer(mimeOptions(mail)).compile().build();
      await insertMailboxMessage(db, {
        message_id: mail.messageId,
        to_address: mail.to,
        subject: mail.subject,
        mime: mime.toString('utf8'),
        received_at: clock.now(),
      });
    },
    async probe() {},
    async close() {},
  };
}
