import { createHash, randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { openPglite } from '../../src/platform/db.ts';
import { migrateToLatest, migrationsFingerprint } from '../../src/platform/migrations.ts';
import { findTemplate, pgliteVersion } from '../../src/platform/pglite-template.ts';

/**
 * A migrated, empty embedded database for every test harness, without initdb in WebAssembly and
 * every migration each time (about 3 s a harness on CI's two cores; a harness from the image opens
 * in under one). The image is a `dumpDataDir` tarball of the build's template (scripts/build.ts),
 * kept in the system's temporary directory under a name made of PGlite's version and the
 * migrations' fingerprint, so a changed migration or PGlite makes a new one and a stale one is never
 * used. Test files run in processes of their own: the first to need the image writes it (to a
 * temporary name, then renamed, so a reader never sees half a file); the others read it.
 */

const IMAGE_DIR = path.join(tmpdir(), 'provisio-test-images');

function imageKey(): string {
  return createHash('sha256')
    .update(`${pgliteVersion()}\0${migrationsFingerprint()}`)
    .digest('hex')
    .slice(0, 16);
}

/** The image as the build's template holds it, or, without a build, made here from migrations. */
async function makeImage(): Promise<Blob> {
  const template = findTemplate();
  if (!template) {
    const handle = await openPglite(undefined);
    try {
      await migrateToLatest(handle.db);
      if (!handle.pglite) throw new Error('an embedded database has its PGlite');
      return await handle.pglite.dumpDataDir('none');
    } finally {
      await handle.close();
    }
  }
  // The template must stay untouched (the build owns it): PGlite opens a copy of it.
  const copy = mkdtempSync(path.join(tmpdir(), 'provisio-template-copy-'));
  try {
    cpSync(template, copy, { recursive: true });
    const pglite = await PGlite.create({ dataDir: copy, extensions: { pg_trgm } });
    try {
      return await pglite.dumpDataDir('none');
    } finally {
      await pglite.close();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

async function loadOrMakeImage(): Promise<Blob> {
  const file = path.join(IMAGE_DIR, `pglite-${imageKey()}.tar`);
  try {
    return new Blob([readFileSync(file)]);
  } catch {
    const image = await makeImage();
    mkdirSync(IMAGE_DIR, { recursive: true });
    const partial = `${file}.${randomBytes(6).toString('hex')}.partial`;
    writeFileSync(partial, new Uint8Array(await image.arrayBuffer()));
    renameSync(partial, file);
    return image;
  }
}

let image: Promise<Blob> | undefined;

/** The migrated empty database's image, made or read once per process. */
export async function pgliteStart(): Promise<{ image: Blob }> {
  image ??= loadOrMakeImage();
  return { image: await image };
}
