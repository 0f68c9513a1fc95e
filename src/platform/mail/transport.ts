import net from 'node:net';
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
 * 5xx): retrying will not help. Anything else (4xx, a connection that failed) may work later.
 */
export class MailDeliveryError extends Error {
  constructor(
    readonly permanent: boolean,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'MailDeliveryError';
  }
}

export interface MailTransport {
  /** 'smtp' sends through SMTP_URL; 'mailbox' keeps the message in the database for /dev/mailbox. */
  readonly kind: 'smtp' | 'mailbox';
  send(mail: OutgoingMail): Promise<void>;
  close(): Promise<void>;
}

const MAX_REASON_LENGTH = 1000;

/** The server's own words (e.g. "550 5.1.1 <x@y>: Recipient address rejected"), never our credentials. */
function deliveryError(error: unknown): MailDeliveryError {
  const e = error as { responseCode?: unknown; response?: unknown; code?: unknown; message?: unknown };
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
  return new MailDeliveryError(
    code !== undefined && code >= 500 && code < 600,
    reason.slice(0, MAX_REASON_LENGTH),
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
  return {
    kind: 'smtp',
    async send(mail) {
      try {
        await transporter.sendMail(mimeOptions(mail));
      } catch (error) {
        throw deliveryError(error);
      }
    },
    async close() {
      transporter.close();
    },
  };
}

/**
 * nodemailer's pooled SMTP transport as Provisio configures it (also the dispatch benchmark's baseline):
 * MAIL_CONNECTIONS connections, reused for up to 1000 messages each, Nagle off. Query parameters in the
 * URL (`?pool=false`, `?maxConnections=2`, `?requireTLS=true` …) override these.
 */
export function pooledSmtp(smtpUrl: string) {
  const url = new URL(smtpUrl);
  if (!url.searchParams.has('pool')) url.searchParams.set('pool', 'true');
  if (!url.searchParams.has('maxConnections'))
    url.searchParams.set('maxConnections', String(MAIL_CONNECTIONS));
  if (!url.searchParams.has('maxMessages')) url.searchParams.set('maxMessages', '1000');
  const transporter = nodemailer.createTransport(url.toString());
  (transporter.transporter as { getSocket?: SMTPPool['getSocket'] }).getSocket = noDelaySocket(url);
  return transporter;
}

const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Opens each SMTP connection with Nagle's algorithm off. SMTP is a chatty exchange of small writes;
 * with Nagle on, every message waits out the server's delayed ACK (~40 ms), which held one
 * connection to ~20 messages a second on loopback, against ~550 without it (bench:dispatch).
 * TLS (smtps, STARTTLS) is still negotiated by nodemailer on top of this socket.
 */
function noDelaySocket(url: URL): SMTPPool['getSocket'] {
  const port = Number(url.port) || (url.protocol === 'smtps:' ? 465 : 587);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return (_options, callback) => {
    const socket = net.connect(port, host);
    socket.setNoDelay(true);
    const timer = setTimeout(
      () =>
        socket.destroy(
          new Error(`no SMTP connection to ${host}:${port} within ${CONNECT_TIMEOUT_MS / 1000} s`),
        ),
      CONNECT_TIMEOUT_MS,
    );
    const onError = (error: Error) => {
      clearTimeout(timer);
      callback(error, undefined);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      callback(null, { connection: socket });
    });
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
    async close() {},
  };
}
