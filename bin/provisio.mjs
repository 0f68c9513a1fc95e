#!/usr/bin/env node
// Runs the build (dist/main.js, plain JavaScript) when there is one made since the sources last
// changed; otherwise the TypeScript sources, compiled on the fly by tsx. A developer who edits src/
// after `npm run build` thus never runs old code: this falls back to the sources and says so.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sourceDir = path.join(root, 'src');
const built = path.join(root, 'dist', 'main.js');

/** When the build began, or undefined when there is no build. */
function buildStartedAt() {
  try {
    const { startedAt } = JSON.parse(readFileSync(path.join(root, 'dist', 'build.json'), 'utf8'));
    statSync(built);
    return typeof startedAt === 'number' ? startedAt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True when a file or folder under src/ changed since `since`. Folders count: deleting or renaming a
 * file changes its folder. Tests are not part of the build. About 300 entries: a few milliseconds.
 */
function sourcesChangedSince(since) {
  let entries;
  try {
    entries = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' });
  } catch {
    return false; // no sources shipped beside the build: the build is all there is
  }
  if (statSync(sourceDir).mtimeMs > since) return true;
  return entries.some(
    (entry) => !/\.test\.tsx?$/.test(entry) && statSync(path.join(sourceDir, entry)).mtimeMs > since,
  );
}

const startedAt = buildStartedAt();
if (startedAt !== undefined && !sourcesChangedSince(startedAt)) {
  await import(pathToFileURL(built).href);
} else {
  // Said on a terminal only: scripts and tests read stderr for the command's own messages.
  if (startedAt !== undefined && process.stderr.isTTY) {
    process.stderr.write('provisio: src/ changed since `npm run build`: running the sources with tsx\n');
  }
  // Imported only here, so a built start loads no TypeScript compiler.
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: path.join(root, 'tsconfig.json') });
  await import('../src/main.ts');
}
