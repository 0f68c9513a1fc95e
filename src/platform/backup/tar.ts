import type { Readable, Writable } from 'node:stream';

/**
 * The few parts of POSIX tar (ustar) a backup needs: regular files and directories, names up to
 * 255 bytes, written and read as streams. Written here rather than taken from a package because it
 * is small, and a backup is read back by this code alone (`tar -tzf` can still list one).
 */

const BLOCK = 512;
const REGULAR = '0';
const DIRECTORY = '5';

export interface TarEntry {
  /** Relative path with `/` separators; a directory's has no trailing slash. */
  name: string;
  type: 'file' | 'directory';
  size: number;
  mtimeMs: number;
}

export class CorruptArchiveError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'CorruptArchiveError';
  }
}

function octal(value: number, width: number): string {
  return `${Math.floor(value)
    .toString(8)
    .padStart(width - 1, '0')}\0`;
}

/** ustar keeps a long name as prefix + '/' + name, split at a slash. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`a path is too long for the backup archive: ${name}`);
}

export function tarHeader(entry: TarEntry): Buffer {
  const header = Buffer.alloc(BLOCK, 0);
  const { prefix, base } = splitName(entry.type === 'directory' ? `${entry.name}/` : entry.name);
  header.write(base, 0, 100, 'utf8');
  header.write(octal(entry.type === 'directory' ? 0o700 : 0o600, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(entry.type === 'file' ? entry.size : 0, 12), 124, 'ascii');
  header.write(octal(entry.mtimeMs / 1000, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write(entry.type === 'directory' ? DIRECTORY : REGULAR, 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  header.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return header;
}

/** Zero bytes that pad a file's data to whole blocks. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK, 0);
}

/** Two empty blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2, 0);

/** Writes to a stream, waiting when it asks to (a slow disk or socket holds the writer back). */
export async function writeAll(out: Writable, chunk: Buffer): Promise<void> {
  if (out.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = () => {
      out.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      out.off('drain', onDrain);
      reject(error);
    };
    out.once('drain', onDrain);
    out.once('error', onError);
  });
}

function readString(block: Buffer, start: number, length: number): string {
  const field = block.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function readOctal(block: Buffer, start: number, length: number, what: string): number {
  const text = readString(block, start, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new CorruptArchiveError(`a ${what} field is not a number`);
  return Number.parseInt(text, 8);
}

function parseHeader(block: Buffer): TarEntry {
  let sum = 0;
  for (let i = 0; i < BLOCK; i += 1) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  if (readOctal(block, 148, 8, 'checksum') !== sum) throw new CorruptArchiveError('a header is damaged');
  if (readString(block, 257, 6) !== 'ustar') throw new CorruptArchiveError('not a ustar archive');
  const prefix = readString(block, 345, 155);
  const base = readString(block, 0, 100);
  const name = (prefix ? `${prefix}/${base}` : base).replace(/\/$/, '');
  const flag = String.fromCharCode(block[156] ?? 0);
  const type = flag === DIRECTORY ? 'directory' : flag === REGULAR || flag === '\0' ? 'file' : undefined;
  if (!type) throw new CorruptArchiveError(`entry ${name} is neither a file nor a directory`);
  const size = readOctal(block, 124, 12, 'size');
  return { name, type, size: type === 'file' ? size : 0, mtimeMs: readOctal(block, 136, 12, 'time') * 1000 };
}

export interface TarVisitor {
  /** Called at each entry's header; its data follows through `data`, then `end`. */
  entry(entry: TarEntry): Promise<void>;
  data(chunk: Buffer): Promise<void>;
  end(): Promise<void>;
}

/**
 * Reads a tar stream entry by entry. An archive that stops before its two closing blocks is
 * refused: a backup cut short must never pass for a whole one.
 */
export async function readTar(input: Readable, visitor: TarVisitor): Promise<void> {
  let pending: Buffer = Buffer.alloc(0);
  let remaining = 0; // data bytes of the current entry still to come
  let padding = 0; // then its padding
  let inEntry = false;
  let ended = false;
  for await (const piece of input) {
    pending = pending.length ? Buffer.concat([pending, piece as Buffer]) : (piece as Buffer);
    while (pending.length > 0 && !ended) {
      if (remaining > 0) {
        const take = Math.min(remaining, pending.length);
        await visitor.data(pending.subarray(0, take));
        pending = pending.subarray(take);
        remaining -= take;
        continue;
      }
      if (inEntry) {
        inEntry = false;
        await visitor.end();
      }
      if (padding > 0) {
        const skip = Math.min(padding, pending.length);
        pending = pending.subarray(skip);
        padding -= skip;
        continue;
      }
      if (pending.length < BLOCK) break;
      const block = pending.subarray(0, BLOCK);
      if (block.every((byte) => byte === 0)) {
        if (pending.length < BLOCK * 2) break;
        if (!pending.subarray(BLOCK, BLOCK * 2).every((byte) => byte === 0))
          throw new CorruptArchiveError('an empty block inside the archive');
        ended = true;
        break;
      }
      const entry = parseHeader(block);
      pending = pending.subarray(BLOCK);
      await visitor.entry(entry);
      inEntry = true;
      remaining = entry.size;
      padding = (BLOCK - (entry.size % BLOCK)) % BLOCK;
    }
  }
  if (inEntry && remaining === 0) await visitor.end();
  if (!ended) throw new CorruptArchiveError('the archive ends early');
}
