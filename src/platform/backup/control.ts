import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Db } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { Runtime } from '../runtime.ts';
import { writeArchive } from './archive.ts';
import { snapshotDatabase } from './snapshot.ts';

/**
 * The control channel of a process that owns an embedded database (docs/adr/0041): a Unix domain
 * socket in DATA_DIR, readable and writable by its owner only (0600), so only someone who could
 * read the database files anyway can ask for them. `provisio backup` asks the running server for a
 * consistent archive through it, since no second process may open the data directory.
 *
 * The exchange: one JSON line from the client (`{"command":"backup"}`), one JSON line back
 * (`{"ok":true}` or `{"ok":false,"error":"…"}`), then the gzip-compressed archive until the end.
 * A failure after the first line cuts the stream, which the client notices (the archive ends early).
 */
export const CONTROL_SOCKET_NAME = 'provisio.sock';

/** Linux allows 108 bytes for a socket's path (with its terminating zero), macOS 104. */
const MAX_SOCKET_PATH = 103;
const REQUEST_TIMEOUT_MS = 10_000;

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, CONTROL_SOCKET_NAME);
}

export interface ControlChannel {
  close(): Promise<void>;
}

export interface ControlOptions {
  db: Db;
  dataDir: string;
  /** Uploads to include; undefined when FILES_DIR is not to be backed up. */
  filesDir: string | undefined;
  log: Logger;
}

/** Resolves with how long the database was held still (requests waited meanwhile). */
async function serveBackup(socket: net.Socket, options: ControlOptions): Promise<number> {
  const began = Date.now();
  const snapshot = await snapshotDatabase(options.db, options.dataDir);
  const heldMs = Date.now() - began;
  socket.write(`${JSON.stringify({ ok: true })}\n`);
  const tar = new PassThrough();
  const writing = writeArchive(tar, snapshot, options.filesDir, new Date()).then(
    () => tar.end(),
    (error: unknown) => tar.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  await Promise.all([pipeline(tar, createGzip(), socket), writing]);
  return heldMs;
}

/** Listens on DATA_DIR's control socket; undefined (and a warning) when it cannot. */
export async function openControlChannel(options: ControlOptions): Promise<ControlChannel | undefined> {
  const socketPath = controlSocketPath(options.dataDir);
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    options.log.warn(
      { socket: socketPath },
      'DATA_DIR is too long a path for the control socket: `provisio backup` cannot reach this server (stop it to back up)',
    );
    return undefined;
  }
  // One left by a process that was killed: this process holds DATA_DIR's lock, so it is no one's.
  rmSync(socketPath, { force: true });
  let busy = false;
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined); // a client that goes away mid-backup: nothing to do
    // A client that connects and says nothing must not hold the server's shutdown open.
    socket.setTimeout(REQUEST_TIMEOUT_MS, () => socket.destroy());
    let request = '';
    const onData = (chunk: Buffer) => {
      request += chunk.toString('utf8');
      const newline = request.indexOf('\n');
      if (newline === -1) {
        if (request.length > 1024) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.setTimeout(0);
      void answer(socket, request.slice(0, newline));
    };
    socket.on('data', onData);
  });
  const answer = async (socket: net.Socket, line: string) => {
    const refuse = (error: string) => socket.end(`${JSON.stringify({ ok: false, error })}\n`);
    let command: unknown;
    try {
      command = (JSON.parse(line) as { command?: unknown }).command;
    } catch {
      return refuse('not a JSON request');
    }
    if (command !== 'backup') return refuse(`unknown command ${JSON.stringify(command)}`);
    if (busy) return refuse('another backup is running: try again when it has finished');
    busy = true;
    const began = Date.now();
    try {
      const heldMs = await serveBackup(socket, options);
      options.log.info({ ms: Date.now() - began, databaseHeldMs: heldMs }, 'backup sent');
    } catch (error) {
      if (socket.bytesWritten === 0) {
        options.log.error({ err: error }, 'backup failed');
        refuse(`the server could not take the backup: ${String(error)}`);
      } else {
        // Most often the client went away (stopped, killed); its partial file never gets the backup's name.
        options.log.warn({ err: error }, 'backup cut short');
        socket.destroy();
      }
    } finally {
      busy = false;
    }
  };
  // Created with no permission for group and others, then set again in case the umask was ignored.
  const previousMask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previousMask);
  }
  chmodSync(socketPath, 0o600);
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        rmSync(socketPath, { force: true });
      }),
  };
}

/** The control channel of a process on the embedded database; none on PostgreSQL (pg_dump backs it up). */
export function controlChannelFor(rt: Runtime): Promise<ControlChannel | undefined> {
  if (rt.engine !== 'pglite') return Promise.resolve(undefined);
  return openControlChannel({
    db: rt.db,
    dataDir: rt.config.dataDir,
    filesDir: rt.config.filesDir,
    log: rt.log,
  });
}

/**
 * Asks the server that owns `dataDir` for a backup and streams it into `out`. Resolves false when
 * no server listens (no socket, or one left by a process that is gone); rejects with the server's
 * refusal.
 */
export async function requestBackup(dataDir: string, out: Writable): Promise<boolean> {
  const socket = net.connect(controlSocketPath(dataDir));
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED') return false;
    throw error;
  }
  socket.write(`${JSON.stringify({ command: 'backup' })}\n`);
  const reply = await readReplyLine(socket);
  if (!reply.ok) throw new ServerRefusedError(reply.error ?? 'refused');
  await pipeline(socket, out);
  return true;
}

/** The server's first line; what follows it is put back for the archive's reader. */
function readReplyLine(socket: net.Socket): Promise<{ ok?: boolean; error?: string }> {
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const done = (error?: Error, reply?: { ok?: boolean; error?: string }) => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('error', onError);
      if (error) reject(error);
      else if (reply) resolve(reply);
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const newline = head.indexOf(10);
      if (newline === -1) return;
      socket.pause();
      const rest = head.subarray(newline + 1);
      if (rest.length > 0) socket.unshift(rest);
      try {
        done(undefined, JSON.parse(head.subarray(0, newline).toString('utf8')) as { ok?: boolean });
      } catch {
        done(new ServerRefusedError('the server answered something that is not JSON'));
      }
    };
    const onEnd = () => done(new ServerRefusedError('the server closed the connection without answering'));
    const onError = (error: Error) => done(error);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('error', onError);
  });
}

export class ServerRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerRefusedError';
  }
}
