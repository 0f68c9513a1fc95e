import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, type BackupManifest, MANIFEST_NAME } from './archive.ts';
import { CorruptArchiveError, readTar, type TarEntry } from './tar.ts';

/** What to do with each entry's data besides checking it (restore writes it out; a check does not). */
export interface EntrySink {
  entry(entry: TarEntry): Promise<void>;
  data(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

const noSink: EntrySink = { entry: async () => {}, data: async () => {}, end: async () => {} };

function isManifest(value: unknown): value is BackupManifest {
  if (!value || typeof value !== 'object') return false;
  const m = value as Partial<BackupManifest>;
  return (
    m.format === BACKUP_FORMAT &&
    typeof m.formatVersion === 'number' &&
    typeof m.pglite === 'string' &&
    typeof m.postgres === 'string' &&
    Array.isArray(m.migrations) &&
    m.migrations.every((name) => typeof name === 'string') &&
    typeof m.entries === 'object' &&
    m.entries !== null
  );
}

/** A name the archive may hold: relative, inside `database/` or `files/`, no `..` (never outside the target). */
function isSafeName(name: string): boolean {
  if (name === MANIFEST_NAME || name === 'database' || name === 'files') return true;
  if (!/^(database|files)\//.test(name)) return false;
  return name
    .split('/')
    .every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\\'));
}

/**
 * Reads the whole backup, checks every file against the manifest (size and SHA-256), and returns
 * the manifest. Anything amiss (not gzip, cut short, an unknown, missing or changed file, a manifest
 * that is not last) throws CorruptArchiveError. `sink` sees every entry but the manifest.
 */
export async function readBackup(file: string, sink: EntrySink = noSink): Promise<BackupManifest> {
  const seen = new Map<string, { size: number; sha256: string }>();
  let current: { entry: TarEntry; hash: Hash; size: number } | undefined;
  let manifestText: Buffer[] | undefined;
  let manifest: BackupManifest | undefined;
  const gunzip = createGunzip();
  const input = createReadStream(file).pipe(gunzip);
  // A read error on the file reaches the gunzip stream's reader as its own.
  input.on('error', () => undefined);
  try {
    await readTar(input, {
      entry: async (entry) => {
        if (manifestText) throw new CorruptArchiveError('entries follow the manifest');
        if (!isSafeName(entry.name)) throw new CorruptArchiveError(`an entry named ${entry.name}`);
        if (entry.name === MANIFEST_NAME) {
          manifestText = [];
          return;
        }
        if (seen.has(entry.name)) throw new CorruptArchiveError(`${entry.name} appears twice`);
        current = { entry, hash: createHash('sha256'), size: 0 };
        await sink.entry(entry);
      },
      data: async (chunk) => {
        if (manifestText) {
          manifestText.push(Buffer.from(chunk));
          return;
        }
        if (!current) return;
        current.hash.update(chunk);
        current.size += chunk.length;
        await sink.data(chunk);
      },
      end: async () => {
        if (manifestText) {
          manifest = parseManifest(Buffer.concat(manifestText));
          return;
        }
        if (!current) return;
        if (current.entry.type === 'file')
          seen.set(current.entry.name, { size: current.size, sha256: current.hash.digest('hex') });
        current = undefined;
        await sink.end();
      },
    });
  } catch (error) {
    if (error instanceof CorruptArchiveError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new CorruptArchiveError(`it is not a whole gzip file (${(error as Error).message})`);
    throw error;
  }
  if (!manifest) throw new CorruptArchiveError('it has no manifest');
  for (const [name, expected] of Object.entries(manifest.entries)) {
    const found = seen.get(name);
    if (!found) throw new CorruptArchiveError(`${name} is missing`);
    if (found.size !== expected.size || found.sha256 !== expected.sha256)
      throw new CorruptArchiveError(`${name} does not match its checksum`);
  }
  for (const name of seen.keys())
    if (!(name in manifest.entries)) throw new CorruptArchiveError(`${name} is not in the manifest`);
  return manifest;
}

function parseManifest(bytes: Buffer): BackupManifest {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new CorruptArchiveError('its manifest is not JSON');
  }
  if (!isManifest(value)) throw new CorruptArchiveError('its manifest is not a Provisio backup manifest');
  if (value.formatVersion > BACKUP_FORMAT_VERSION)
    throw new CorruptArchiveError(
      `it was made in backup format ${value.formatVersion} by a newer Provisio (this one reads ${BACKUP_FORMAT_VERSION})`,
    );
  return value;
}
