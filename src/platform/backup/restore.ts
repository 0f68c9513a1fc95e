import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { migrationNames } from '../migrations.ts';
import { pgliteVersion } from '../pglite-template.ts';
import { type BackupManifest, BackupRefusedError } from './archive.ts';
import { readBackup } from './read-archive.ts';
import { CorruptArchiveError } from './tar.ts';

/**
 * Restores a backup into an empty (or missing) DATA_DIR, and FILES_DIR when it lies outside it.
 * Everything is checked first (checksums, versions, migrations); then written into a directory
 * beside the target, flushed, and renamed onto it: a restore that fails leaves the target as it was.
 * rename(2) replaces only an empty directory, so a target that filled up meanwhile is never lost.
 */

export interface RestoreTarget {
  dataDir: string;
  filesDir: string;
}

export interface RestoreOutcome {
  manifest: BackupManifest;
  /** Migrations the next start applies (the backup was made by an older Provisio). */
  pendingMigrations: string[];
  files: number;
}

async function isEmptyOrMissing(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

const minor = (version: string) => version.split('.').slice(0, 2).join('.');

/**
 * PGlite's files are read by the PGlite of the same minor version (0.5.x; a new minor may bring a new
 * PostgreSQL). Migrations this code does not know mean a newer Provisio made the backup.
 */
export function refuseIncompatible(manifest: BackupManifest): string[] {
  const installed = pgliteVersion();
  if (minor(manifest.pglite) !== minor(installed))
    throw new BackupRefusedError(
      `the backup's embedded database was made by PGlite ${manifest.pglite} (PostgreSQL ${manifest.postgres}), which this Provisio's PGlite ${installed} cannot open: restore it with the Provisio version that made it (${manifest.provisio})`,
    );
  const known = migrationNames();
  const unknown = manifest.migrations.filter((name) => !known.includes(name));
  if (unknown.length > 0)
    throw new BackupRefusedError(
      `the backup was made by a newer Provisio (${manifest.provisio}): its database has migrations this one does not know (${unknown.join(', ')}); upgrade Provisio first`,
    );
  return known.filter((name) => !manifest.migrations.includes(name));
}

/** Where an archive entry goes: `database/x` into the data directory, `files/x` into the files one. */
function destination(name: string, dataTemp: string, filesTemp: string): string {
  if (name === 'database') return dataTemp;
  if (name === 'files') return filesTemp;
  const [top, ...rest] = name.split('/');
  return path.join(top === 'database' ? dataTemp : filesTemp, ...rest);
}

const tempBeside = (dir: string) =>
  path.join(
    path.dirname(dir),
    `.${path.basename(dir)}.restoring-${process.pid}-${randomBytes(4).toString('hex')}`,
  );

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // Not every platform flushes a directory; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}

export async function restoreBackup(file: string, target: RestoreTarget): Promise<RestoreOutcome> {
  const dataDir = path.resolve(target.dataDir);
  const filesDir = path.resolve(target.filesDir);
  const filesInside = filesDir === dataDir || filesDir.startsWith(`${dataDir}${path.sep}`);
  if (!existsSync(file)) throw new BackupRefusedError(`${file}: no such file`);
  if (!(await isEmptyOrMissing(dataDir)))
    throw new BackupRefusedError(
      `DATA_DIR ${dataDir} is not empty: a backup is restored only into an empty or missing directory (nothing was changed)`,
    );
  if (!filesInside && !(await isEmptyOrMissing(filesDir)))
    throw new BackupRefusedError(
      `FILES_DIR ${filesDir} is not empty: a backup is restored only into an empty or missing directory (nothing was changed)`,
    );

  const corrupt = (error: unknown): never => {
    if (error instanceof CorruptArchiveError)
      throw new BackupRefusedError(`${file} is not a usable backup: ${error.message} (nothing was restored)`);
    throw error;
  };
  const manifest = await readBackup(file).catch(corrupt);
  const pendingMigrations = refuseIncompatible(manifest);

  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(path.dirname(filesDir), { recursive: true });
  const dataTemp = tempBeside(dataDir);
  const filesTemp = filesInside
    ? path.join(dataTemp, path.relative(dataDir, filesDir))
    : tempBeside(filesDir);
  const written: string[] = [];
  let files = 0;
  let filesMoved = false;
  try {
    await mkdir(dataTemp, { mode: 0o700 });
    await mkdir(filesTemp, { recursive: true, mode: 0o700 });
    let handle: FileHandle | undefined;
    // Read again, written this time: a file changed between the two reads fails its checksum here.
    await readBackup(file, {
      entry: async (entry) => {
        const where = destination(entry.name, dataTemp, filesTemp);
        if (entry.type === 'directory') {
          await mkdir(where, { recursive: true, mode: 0o700 });
          written.push(where);
          return;
        }
        await mkdir(path.dirname(where), { recursive: true, mode: 0o700 });
        handle = await open(where, 'wx', 0o600);
        if (entry.name.startsWith('files/')) files += 1;
      },
      data: async (chunk) => {
        await handle?.write(chunk);
      },
      end: async () => {
        if (!handle) return;
        await handle.sync();
        await handle.close();
        handle = undefined;
      },
    }).catch(async (error: unknown) => {
      await handle?.close();
      return corrupt(error);
    });
    for (const dir of written) await syncDirectory(dir);
    if (!filesInside) {
      await moveInto(filesTemp, filesDir, 'FILES_DIR');
      filesMoved = true;
    }
    await moveInto(dataTemp, dataDir, 'DATA_DIR');
  } catch (error) {
    // Uploads without their database would be orphans: FILES_DIR goes back to empty.
    if (filesMoved) await rename(filesDir, filesTemp).catch(() => undefined);
    await rm(dataTemp, { recursive: true, force: true });
    if (!filesInside) await rm(filesTemp, { recursive: true, force: true });
    throw error;
  }
  return { manifest, pendingMigrations, files };
}

/** Renames the filled temporary directory onto the target, which may exist only when empty. */
async function moveInto(temp: string, dir: string, setting: string): Promise<void> {
  try {
    await rename(temp, dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST')
      throw new BackupRefusedError(`${setting} ${dir} is no longer empty: nothing was restored into it`);
    // Some platforms do not rename onto an empty directory: remove it (only if still empty) and try again.
    if (code !== 'EPERM' && code !== 'EISDIR') throw error;
    await rmdir(dir);
    await rename(temp, dir);
  }
  await syncDirectory(path.dirname(dir));
}
