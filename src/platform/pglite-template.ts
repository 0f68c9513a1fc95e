import { copyFileSync, cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODE_DIR, PROJECT_DIR } from '../paths.ts';
import { migrationsFingerprint } from './migrations.ts';

/**
 * An embedded database made once by the build (scripts/build.ts): initialised, migrated and with the
 * job queue installed, but with no data. A first start on an empty DATA_DIR copies its files (a
 * fraction of a second) instead of running initdb in WebAssembly and every migration (together 5 to
 * 15 s on a 2-core machine). Its files belong to one PGlite (one PostgreSQL) version and one set of
 * migrations: a template stamped otherwise is ignored, and the database is made as before.
 */
export const TEMPLATE_DIR_NAME = 'pglite-template';
const STAMP_FILE = 'provisio-template.json';

/** The installed PGlite's version (its package.json is not exported, so it is found beside its entry). */
export function pgliteVersion(): string {
  const entry = fileURLToPath(import.meta.resolve('@electric-sql/pglite'));
  const manifest = path.join(path.dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

/** What a template must have been made with to be used now. */
function currentStamp(): string {
  return JSON.stringify({ pglite: pgliteVersion(), migrations: migrationsFingerprint() });
}

function isCurrent(dir: string, stamp: string): boolean {
  try {
    return readFileSync(path.join(dir, STAMP_FILE), 'utf8').trim() === stamp;
  } catch {
    return false;
  }
}

/** True when the template fits the installed PGlite and these migrations (the build then reuses it). */
export function isCurrentTemplate(dir: string): boolean {
  return isCurrent(dir, currentStamp());
}

/** A template that fits: beside the built code, or in dist/ when run from src/ (with the same migrations). */
export function findTemplate(): string | undefined {
  const stamp = currentStamp();
  const candidates = [
    path.join(CODE_DIR, TEMPLATE_DIR_NAME),
    path.join(PROJECT_DIR, 'dist', TEMPLATE_DIR_NAME),
  ];
  return candidates.find((dir) => isCurrent(dir, stamp));
}

/** Marks a data directory that has just been migrated (and closed) as a template. */
export function stampTemplate(dir: string): void {
  writeFileSync(path.join(dir, STAMP_FILE), `${currentStamp()}\n`);
}

/**
 * Fills a data directory that holds no database yet from the template. PG_VERSION is copied last: a
 * copy cut short leaves a directory without it, which the next start fills again.
 */
export function copyTemplate(template: string, dataDir: string): void {
  cpSync(template, dataDir, {
    recursive: true,
    force: true,
    filter: (source) => {
      const name = path.basename(source);
      return name !== STAMP_FILE && !(name === 'PG_VERSION' && path.dirname(source) === template);
    },
  });
  copyFileSync(path.join(template, 'PG_VERSION'), path.join(dataDir, 'PG_VERSION'));
}

/** True when the directory holds no PostgreSQL database yet. */
export function holdsNoDatabase(dataDir: string): boolean {
  return !existsSync(path.join(dataDir, 'PG_VERSION'));
}
