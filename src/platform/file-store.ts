import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';

/**
 * Uploaded files live on disk under FILES_DIR, never in the database (ADR 0025): the embedded
 * database has one connection, and 25 MB of bytea through it stalled every request. A file is
 * written to a temporary name, flushed to disk, then renamed into place, so a reader never sees half
 * a file; the database row that names it is written only after the rename.
 */

const KEY = /^[a-z]+\/[0-9a-f]{2}\/[0-9a-f-]{36}$/;

export interface StoredFile {
  /** Where the file is, relative to FILES_DIR: `<area>/<2 hex>/<uuid>`. */
  key: string;
  sizeBytes: number;
  /** Lowercase hex SHA-256 of the bytes as written. */
  sha256: string;
}

function resolveKey(filesDir: string, key: string): string {
  // The key comes from our own rows; checked anyway so that a bad row can never name another path.
  if (!KEY.test(key)) throw new Error(`not a file store key: ${key}`);
  return path.join(filesDir, ...key.split('/'));
}

/** Streams `source` to a new file of `area` and returns its key, size and digest. */
export async function storeFile(
  filesDir: string,
  area: string,
  source: ReadableStream<Uint8Array>,
): Promise<StoredFile> {
  const id = randomUUID();
  const key = `${area}/${id.slice(0, 2)}/${id}`;
  const target = resolveKey(filesDir, key);
  const tmpDir = path.join(filesDir, 'tmp');
  await mkdir(tmpDir, { recursive: true });
  await mkdir(path.dirname(target), { recursive: true });
  const temp = path.join(tmpDir, `${id}.part`);
  const handle = await open(temp, 'wx', 0o600);
  const hash = createHash('sha256');
  let sizeBytes = 0;
  try {
    for await (const chunk of Readable.fromWeb(source as import('node:stream/web').ReadableStream)) {
      const bytes = chunk as Uint8Array;
      hash.update(bytes);
      sizeBytes += bytes.length;
      await handle.write(bytes);
    }
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temp, target);
  await syncDirectory(path.dirname(target));
  return { key, sizeBytes, sha256: hash.digest('hex') };
}

/** The rename is durable only once its directory is flushed (not possible on every platform). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Windows cannot open a directory for sync; the rename itself is still atomic.
  }
}

/** Removes files whose database rows were never written (a refused or failed case). */
export async function removeFiles(filesDir: string, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((key) => rm(resolvePath(filesDir, key), { force: true })));
}

/** A key, or a temporary file's path under `tmp/` (an upload cut short). */
function resolvePath(filesDir: string, keyOrTemp: string): string {
  if (/^tmp\/[0-9a-f-]{36}\.part$/.test(keyOrTemp)) return path.join(filesDir, 'tmp', keyOrTemp.slice(4));
  return resolveKey(filesDir, keyOrTemp);
}

export interface ListedFile {
  /** What removeFiles takes: the key, or `tmp/<uuid>.part`. */
  path: string;
  /** The key a row would name; undefined for a temporary file. */
  key: string | undefined;
  modifiedAt: number;
}

/** Every file of `area` and every temporary file, with when it was last written. */
export async function listStoredFiles(filesDir: string, area: string): Promise<ListedFile[]> {
  const names = async (dir: string) => readdir(dir).catch((): string[] => []);
  const found: ListedFile[] = [];
  const add = async (relative: string, key: string | undefined) => {
    const info = await stat(path.join(filesDir, relative)).catch(() => undefined);
    if (info?.isFile()) found.push({ path: key ?? relative, key, modifiedAt: info.mtimeMs });
  };
  for (const name of await names(path.join(filesDir, 'tmp'))) {
    if (/^[0-9a-f-]{36}\.part$/.test(name)) await add(`tmp/${name}`, undefined);
  }
  for (const prefix of await names(path.join(filesDir, area))) {
    for (const name of await names(path.join(filesDir, area, prefix))) {
      const key = `${area}/${prefix}/${name}`;
      if (KEY.test(key)) await add(key, key);
    }
  }
  return found;
}

/** A file's bytes as a stream; throws ENOENT when it is missing (a bug: rows are written after files). */
export async function openStoredFile(
  filesDir: string,
  key: string,
): Promise<{ stream: ReadableStream<Uint8Array>; sizeBytes: number }> {
  const file = resolveKey(filesDir, key);
  const handle = await open(file, 'r');
  let size: number;
  try {
    ({ size } = await handle.stat());
  } catch (err) {
    // The stream never took the handle over: close it here, or the descriptor leaks.
    await handle.close();
    throw err;
  }
  const stream = createReadStream(file, { fd: handle, autoClose: true });
  return {
    stream: Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>,
    sizeBytes: size,
  };
}
