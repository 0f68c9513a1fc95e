/**
 * The production build: `npm run build` writes dist/, which `npm start` (bin/provisio.mjs) runs with
 * plain node, with no TypeScript compiled at run time.
 *
 *   dist/main.js              src/main.ts and everything it imports, bundled by esbuild (npm packages
 *                             stay in node_modules, imported as they are)
 *   dist/migrations/*.sql     and the other files src/ reads beside its code (app.css, dialog.js)
 *   dist/pglite-template/     an embedded database, migrated and without data: a first start copies it
 *                             instead of running initdb and the migrations in WebAssembly
 *   dist/build.json           when the build began: bin/provisio.mjs runs src/ when a source is newer
 *
 *   npm run build -- --out <dir>   build elsewhere (a directory directly under the project: the bundle
 *                                  finds node_modules/, locales/ and config/ from its parent)
 *
 * Why a bundle and not tsc's per-file emit: timeline.ts and timeline.tsx would both become timeline.js,
 * and one file loads faster than 140. The template of the previous build is reused when it was made by
 * the installed PGlite version from the same migrations; otherwise it is made here (5 to 15 s on 2 cores).
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { isCurrentTemplate, stampTemplate, TEMPLATE_DIR_NAME } from '../src/platform/pglite-template.ts';
import { createRuntime } from '../src/runtime.ts';

const root = path.resolve(import.meta.dirname, '..');
const sourceDir = path.join(root, 'src');
const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = path.resolve(root, values.out ?? 'dist');
if (path.dirname(out) !== root) throw new Error(`--out must be a directory directly under ${root}`);

// A source changed after this instant (even while this build reads it) makes the build stale.
const startedAt = Date.now();
const started = performance.now();
// Built beside the target, then swapped in: a process starting meanwhile sees the old build or none.
const staging = `${out}.staging-${process.pid}`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging);

await build({
  entryPoints: [path.join(sourceDir, 'main.ts')],
  outfile: path.join(staging, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  tsconfig: path.join(root, 'tsconfig.json'),
  logLevel: 'warning',
  legalComments: 'none',
});

// Files the code reads from disk beside itself (migrations, the stylesheet, the dialog script).
for (const file of readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })) {
  const from = path.join(sourceDir, file);
  if (!/\.(sql|js|css)$/.test(file) || !statSync(from).isFile()) continue;
  mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
  cpSync(from, path.join(staging, file));
}

const template = path.join(staging, TEMPLATE_DIR_NAME);
const previous = [path.join(out, TEMPLATE_DIR_NAME), path.join(root, 'dist', TEMPLATE_DIR_NAME)].find(
  (dir) => existsSync(dir) && isCurrentTemplate(dir),
);
if (previous) {
  cpSync(previous, template, { recursive: true });
} else {
  console.log('build: making the embedded database template (once per PGlite version and set of migrations)');
  // What a start does before it serves, on an empty database: initdb, migrations, the job queue.
  const config = loadConfig({ DATA_DIR: template, DATABASE_URL: '', LOG_LEVEL: 'warn' });
  const runtime = await createRuntime({ config, log: createLogger('warn') });
  await runtime.close();
  stampTemplate(template);
}

writeFileSync(path.join(staging, 'build.json'), `${JSON.stringify({ startedAt }, null, 2)}\n`);

const retired = `${out}.retired-${process.pid}`;
if (existsSync(out)) renameSync(out, retired);
renameSync(staging, out);
rmSync(retired, { recursive: true, force: true });
console.log(
  `build: ${path.relative(root, out)}/ written in ${Math.round(performance.now() - started)} ms` +
    (previous ? ' (database template reused)' : ''),
);
