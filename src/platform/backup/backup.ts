import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { link, open, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { openPglite } from '../db.ts';
import { holdsNoDatabase } from '../pglite-template.ts';
import { type BackupManifest, BackupRefusedError, writeArchive } from './archive.ts';
import { requestBackup, ServerRefusedError } from './control.ts';
import { readBackup } from './read-archive.ts';
import { snapshotDatabase } from './snapshot.ts';
import { CorruptArchiveError } from './tar.ts';

export interface BackupSource {
  dataDir: string;
  filesDir: string;
}

export interface BackupOutcome {
  /** The backup's absolute path. */
  file: string;
  manifest: BackupManifest;
  bytes: number;
  /** Who read the database: the running server, or this process (no server was running). */
  via: 'server' | 'data directory';
}

/**
 * Writes a backup of the embedded database and FILES_DIR to `target`. It is written under a
 * temporary name beside it, flushed, read back and checked in full, and only then linked to its
 * name (link(2), which never replaces a file): a backup cut short, by a crash or `kill -9`, never
 * carries the target's name, and an existing file is never overwritten.
 */
export async function backupTo(target: string, source: BackupSource): Promise<BackupOutcome> {
  const file = path.resolve(target);
  const dir = path.dirname(file);
  if (existsSync(file))
    throw new BackupRefusedError(`${file} already exists: a backup never replaces a file; choose a new name`);
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new BackupRefusedError(`${dir} is not a directory: create it first`);
  const temp = path.join(
    dir,
    `.${path.basename(file)}.partial-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  let via: BackupOutcome['via'] = 'server';
  try {
    const out = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    const served = await requestBackup(source.dataDir, out).catch((error: unknown) => {
      if (error instanceof ServerRefusedError)
        throw new BackupRefusedError(`the running server refused the backup: ${error.message}`);
      throw error;
    });
    if (!served) {
      via = 'data directory';
      await backupDataDir(source, out);
    }
    await syncFile(temp);
    const manifest = await readBackup(temp).catch((error: unknown) => {
      if (error instanceof CorruptArchiveError)
        throw new BackupRefusedError(
          `the backup came out incomplete (${error.message}): nothing was written`,
        );
      throw error;
    });
    await link(temp, file).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST')
        throw new BackupRefusedError(`${file} appeared while the backup was written: it was left as it is`);
      throw error;
    });
    await syncDirectory(dir);
    return { file, manifest, bytes: (await stat(file)).size, via };
  } finally {
    await rm(temp, { force: true });
  }
}

/** No server runs: this process takes DATA_DIR (its lock refuses a second owner) and reads it. */
async function backupDataDir(source: BackupSource, out: Writable): Promise<void> {
  if (holdsNoDatabase(source.dataDir))
    throw new BackupRefusedError(
      `DATA_DIR ${source.dataDir} holds no embedded database: there is nothing to back up`,
    );
  const handle = await openPglite(source.dataDir);
  try {
    const snapshot = await snapshotDatabase(handle.db, source.dataDir);
    // Still holding DATA_DIR while FILES_DIR is read, so no server starts and adds uploads meanwhile.
    const tar = new PassThrough();
    const writing = writeArchive(tar, snapshot, source.filesDir, new Date()).then(
      () => tar.end(),
      (error: unknown) => tar.destroy(error instanceof Error ? error : new Error(String(error))),
    );
    await Promise.all([pipeline(tar, createGzip(), out), writing]);
  } finally {
    await handle.close();
  }
}

async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Not every platform flushes a directory.
  } finally {
    await handle.close();
  }
}
