import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE_NAME = 'provisio.lock';

/** Another live process owns the embedded database: refused at once, saying who and what to do. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
    readonly lockFile: string,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by Provisio process ${ownerPid}: the embedded database has one owner. ` +
        `Stop that process first, or set DATABASE_URL to a PostgreSQL server to run several processes. ` +
        `If no process ${ownerPid} is running, delete ${lockFile}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockContent {
  pid: number;
  host: string;
  since: string;
}

function readOwner(lockFile: string): LockContent | undefined {
  try {
    const parsed = JSON.parse(readFileSync(lockFile, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? (parsed as LockContent) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user; it still holds the directory.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  readonly lockFile: string;
  release(): void;
}

/**
 * Takes the data directory for this process: a lock file created exclusively, holding our PID. A
 * lock left by a process that is gone (killed, crashed) is taken over; one held by a live process
 * is refused. PGlite is one PostgreSQL session in one process, so a second writer would silently
 * lose writes and can corrupt the files.
 */
export function lockDataDir(dataDir: string): DataDirLock {
  const lockFile = path.join(dataDir, LOCK_FILE_NAME);
  const content: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt += 1) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(content));
      } finally {
        closeSync(fd);
      }
      return ownedLock(lockFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = readOwner(lockFile);
    if (heldHere.has(lockFile)) throw new DataDirLockedError(dataDir, process.pid, lockFile);
    // Our own PID in a lock we do not hold is a leftover of an earlier process that had it (containers
    // reuse PIDs). On another host we cannot tell whether its owner lives, so it stays locked.
    if (owner && owner.pid !== process.pid && (owner.host !== content.host || isAlive(owner.pid))) {
      throw new DataDirLockedError(dataDir, owner.pid, lockFile);
    }
    // Stale (its process is gone) or unreadable (a crash mid-write): remove it and try again.
    try {
      unlinkSync(lockFile);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  throw new Error(`could not take the lock file ${lockFile}`);
}

/** Lock files this process holds: the OS process is the owner, so this is process-wide by nature. */
const heldHere = new Set<string>();

function ownedLock(lockFile: string): DataDirLock {
  let held = true;
  heldHere.add(lockFile);
  const release = () => {
    if (!held) return;
    held = false;
    heldHere.delete(lockFile);
    process.off('exit', release);
    if (readOwner(lockFile)?.pid !== process.pid) return;
    try {
      unlinkSync(lockFile);
    } catch {
      // Already gone: nothing to release.
    }
  };
  // A process that exits without closing the database still leaves the directory free.
  process.on('exit', release);
  return { lockFile, release };
}
