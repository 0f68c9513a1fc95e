import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { TAR_END, tarHeader, tarPadding, writeAll } from './tar.ts';

/**
 * A backup is one gzip-compressed tar: `database/…` (the embedded database's files, taken while
 * no statement ran, after a checkpoint), `files/…` (FILES_DIR: uploads), and `manifest.json` last,
 * with the versions that made it and every file's size and SHA-256. Restore reads it twice: once to
 * check it all, once to write it out.
 */

export const MANIFEST_NAME = 'manifest.json';
export const BACKUP_FORMAT = 'provisio-backup';
export const BACKUP_FORMAT_VERSION = 1;

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  createdAt: string;
  provisio: string;
  pglite: string;
  /** The embedded PostgreSQL's major version (the data directory's PG_VERSION). */
  postgres: string;
  /** The migrations applied to the database in the backup, in order. */
  migrations: string[];
  /** The fingerprint of the migrations of the Provisio that made it (migrations.ts). */
  migrationsFingerprint: string;
  /** Every regular file in the archive but this manifest. */
  entries: Record<string, { size: number; sha256: string }>;
}

export type ManifestFacts = Omit<BackupManifest, 'format' | 'formatVersion' | 'createdAt' | 'entries'>;

/** One file or directory of the database, read while the database was held still. */
export interface SnapshotEntry {
  name: string;
  type: 'file' | 'directory';
  data?: Buffer;
  mtimeMs: number;
}

export interface DatabaseSnapshot {
  facts: ManifestFacts;
  entries: SnapshotEntry[];
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

/** FILES_DIR's own temporary uploads (`tmp/`) are half-written files: never part of a backup. */
const SKIPPED_FILE_DIRS = new Set(['tmp']);

/** Writes the archive (uncompressed tar) to `out`; the caller gzips and closes it. */
export async function writeArchive(
  out: Writable,
  snapshot: DatabaseSnapshot,
  filesDir: string | undefined,
  now: Date,
): Promise<BackupManifest> {
  const entries: BackupManifest['entries'] = {};
  for (const entry of snapshot.entries) {
    const name = `database/${entry.name}`;
    const data = entry.data ?? Buffer.alloc(0);
    await writeAll(out, tarHeader({ name, type: entry.type, size: data.length, mtimeMs: entry.mtimeMs }));
    if (entry.type === 'file') {
      await writeAll(out, data);
      await writeAll(out, tarPadding(data.length));
      entries[name] = { size: data.length, sha256: sha256(data) };
    }
  }
  if (filesDir) await writeFilesDir(out, filesDir, entries);
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt: now.toISOString(),
    ...snapshot.facts,
    entries,
  };
  const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  await writeAll(
    out,
    tarHeader({ name: MANIFEST_NAME, type: 'file', size: body.length, mtimeMs: now.getTime() }),
  );
  await writeAll(out, body);
  await writeAll(out, tarPadding(body.length));
  await writeAll(out, TAR_END);
  return manifest;
}

/**
 * FILES_DIR after the database: a file is written before the row that names it (file-store.ts), so
 * every file the database names is already there; a newer one no row names yet is harmless (the
 * hourly sweep removes it after restore as it would have).
 */
async function writeFilesDir(
  out: Writable,
  filesDir: string,
  entries: BackupManifest['entries'],
): Promise<void> {
  const walk = async (relative: string): Promise<void> => {
    const names = await readdir(path.join(filesDir, relative)).catch((): string[] => []);
    for (const name of names.sort()) {
      const rel = relative ? `${relative}/${name}` : name;
      if (!relative && SKIPPED_FILE_DIRS.has(name)) continue;
      const info = await stat(path.join(filesDir, rel)).catch(() => undefined);
      if (info?.isDirectory()) {
        await writeAll(
          out,
          tarHeader({ name: `files/${rel}`, type: 'directory', size: 0, mtimeMs: info.mtimeMs }),
        );
        await walk(rel);
      } else if (info?.isFile()) {
        await writeStoredFile(out, filesDir, rel, entries);
      }
    }
  };
  await writeAll(out, tarHeader({ name: 'files', type: 'directory', size: 0, mtimeMs: Date.now() }));
  await walk('');
}

async function writeStoredFile(
  out: Writable,
  filesDir: string,
  rel: string,
  entries: BackupManifest['entries'],
): Promise<void> {
  // Gone since it was listed: only the sweep removes stored files, and only those no row names.
  const handle = await open(path.join(filesDir, rel), 'r').catch(() => undefined);
  if (!handle) return;
  try {
    const info = await handle.stat();
    const name = `files/${rel}`;
    await writeAll(out, tarHeader({ name, type: 'file', size: info.size, mtimeMs: info.mtimeMs }));
    const hash = createHash('sha256');
    const chunk = Buffer.alloc(64 * 1024);
    let left = info.size;
    while (left > 0) {
      const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, left), null);
      if (bytesRead === 0) throw new Error(`${path.join(filesDir, rel)} shrank while it was copied`);
      const piece = Buffer.from(chunk.subarray(0, bytesRead));
      hash.update(piece);
      await writeAll(out, piece);
      left -= bytesRead;
    }
    await writeAll(out, tarPadding(info.size));
    entries[name] = { size: info.size, sha256: hash.digest('hex') };
  } finally {
    await handle.close();
  }
}

/** A backup or restore refused before anything was written: its message is the one line to show. */
export class BackupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefusedError';
  }
}
