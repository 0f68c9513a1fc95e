import { SUPPORT_FILE_NAME_MAX_LENGTH } from '../../platform/limits.ts';

/**
 * A file as the caller sent it: its name, the type it claimed, and its content, read as a stream when
 * it is stored (never copied whole into the database).
 */
export interface Upload {
  name: string;
  declaredType: string;
  content: Blob;
}

export type ImageType = 'image/png' | 'image/jpeg';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, signature: number[]) =>
  bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);

/** What the bytes are, by their signature: the declared type is the caller's word, not a fact. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'image/jpeg';
  return undefined;
}

/**
 * A file name safe to store and show: no folders (some browsers send "C:\\…\\shot.png"), no control
 * characters, within the column's length.
 */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const printable = base.replace(/[\p{Cc}\p{Cs}\u2028\u2029]/gu, '_').trim();
  return [...(printable || 'screenshot')].slice(0, SUPPORT_FILE_NAME_MAX_LENGTH).join('');
}

/** The first bytes of a file: enough for its signature. */
export async function headOf(content: Blob): Promise<Uint8Array> {
  return new Uint8Array(await content.slice(0, PNG_SIGNATURE.length).arrayBuffer());
}

/** The files of a form, without the empty part a browser sends when no file was chosen. */
export function uploadsFromFiles(files: readonly File[]): Upload[] {
  return files
    .filter((f) => !(f.size === 0 && f.name === ''))
    .map((f) => ({ name: f.name, declaredType: f.type, content: f }));
}
