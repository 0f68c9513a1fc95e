import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'kysely';
import type { BackupManifest } from '../../src/platform/backup/archive.ts';
import { TAR_END, tarHeader, tarPadding } from '../../src/platform/backup/tar.ts';
import { openPglite } from '../../src/platform/db.ts';
import {
  BIN,
  cleanEnv,
  logEntries,
  ROOT,
  type RunningServer,
  runCli,
  startServer,
  tempDataDir,
} from '../support/process.ts';

/**
 * `provisio backup` and `provisio restore` as an operator runs them (docs/adr/0041): a backup taken
 * from the running server while orders are being booked is a committed point (every order has all
 * its lines), restores into an empty directory and serves the same order and screenshot again.
 */

const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const LINES_PER_ORDER = 3;
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function orderBody(reference: string) {
  return {
    reference,
    endCustomer: { name: 'Backup Test Ltd' },
    lines: Array.from({ length: LINES_PER_ORDER }, (_, i) => ({
      offer: 'A-WX',
      quantity: 10 + i,
      requestedStartDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      provisioningContactEmail: `it${i}@backup-test.example`,
    })),
  };
}

async function bookOrder(url: string, apiKey: string, reference: string): Promise<Response> {
  return fetch(`${url}/api/v1/orders`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${apiKey}`,
      'Content-Type': 'application/json',
      'Idempotency-Key': reference,
    },
    body: JSON.stringify(orderBody(reference)),
  });
}

/** Every stored file under a directory, by content digest. */
function digestsUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .map((file) => sha256(readFileSync(file)));
}

/** The same backup with its manifest (the last entry) changed: what an older or newer Provisio would write. */
function withManifest(backup: Buffer, change: (manifest: BackupManifest) => void): Buffer {
  const tar = gunzipSync(backup);
  let offset = 0;
  for (;;) {
    const name = tar
      .subarray(offset, offset + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    const size = Number.parseInt(tar.subarray(offset + 124, offset + 136).toString('ascii'), 8);
    if (name === 'manifest.json') {
      const manifest = JSON.parse(tar.subarray(offset + 512, offset + 512 + size).toString('utf8'));
      change(manifest);
      const body = Buffer.from(JSON.stringify(manifest));
      const header = tarHeader({ name, type: 'file', size: body.length, mtimeMs: Date.now() });
      return gzipSync(
        Buffer.concat([tar.subarray(0, offset), header, body, tarPadding(body.length), TAR_END]),
      );
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

/** Refused input: exit 1, exactly one line on stderr, nothing on stdout. */
function assertOneLineRefusal(
  result: { code: number; stdout: string; stderr: string },
  pattern: RegExp,
): void {
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stdout, '');
  assert.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  assert.match(result.stderr, pattern);
}

describe('backup and restore of the embedded database (pglite)', () => {
  const root = tempDataDir();
  const dataDir = path.join(root, 'data');
  const restoredDir = path.join(root, 'restored');
  const backups = path.join(root, 'backups');
  const env = cleanEnv({ DATA_DIR: dataDir });
  const restoredEnv = cleanEnv({ DATA_DIR: restoredDir });
  let server: RunningServer | undefined;
  let apiKey = '';
  let firstOrderId = '';
  let caseId = '';
  let committedBeforeBackup = 0;
  let attemptedByBackupEnd = 0;

  before(() => mkdirSync(backups));
  after(() => server?.stop());

  it('backs up the running server while orders are booked, to one checked file', {
    timeout: 300_000,
  }, async () => {
    server = await startServer(env, 180_000);
    const demo = logEntries(server.logs).find((e) => String(e.msg).startsWith('demo data loaded')) as
      | { demoApiKey: { key: string } }
      | undefined;
    assert.ok(demo, 'the first start loads the demo and its API key');
    apiKey = demo.demoApiKey.key;

    const first = await bookOrder(server.url, apiKey, 'BK-first');
    assert.equal(first.status, 201, await first.clone().text());
    firstOrderId = ((await first.json()) as { id: string }).id;

    const form = new FormData();
    form.append('requestType', 'other');
    form.append('description', 'A screenshot that must survive a restore');
    form.append('screenshots[]', new File([TINY_PNG], 'shot.png', { type: 'image/png' }));
    const opened = await fetch(`${server.url}/api/v1/support/cases`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}` },
      body: form,
    });
    assert.equal(opened.status, 201, await opened.clone().text());
    caseId = ((await opened.json()) as { id: string }).id;

    // Two writers book orders, each one statement of several lines, for as long as the backup runs.
    let writing = true;
    let committed = 0;
    let attempted = 0;
    const writer = async (name: string) => {
      for (let i = 0; writing; i += 1) {
        attempted += 1;
        const res = await bookOrder(server?.url ?? '', apiKey, `BK-${name}-${i}`);
        assert.equal(res.status, 201, await res.clone().text());
        committed += 1;
      }
    };
    const writers = [writer('a'), writer('b')];
    while (committed < 3) await sleep(50);
    committedBeforeBackup = committed + 1; // and BK-first
    const target = path.join(backups, 'running.tar.gz');
    const result = await runCli(['backup', target], env);
    attemptedByBackupEnd = attempted + 1;
    writing = false;
    await Promise.all(writers);

    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { file: string; via: string; files: number; bytes: number };
    assert.equal(summary.file, target);
    assert.equal(summary.via, 'server');
    assert.equal(summary.files, 1, 'the screenshot is in the backup');
    assert.equal(statSync(target).size, summary.bytes);
    assert.deepEqual(
      readdirSync(backups).filter((name) => name.includes('partial')),
      [],
      'no temporary file is left',
    );
  });

  it('refuses to restore into a DATA_DIR that is not empty, in one line naming it, and changes nothing', async () => {
    const before = readdirSync(dataDir).sort();
    const result = await runCli(['restore', path.join(backups, 'running.tar.gz')], env);
    assertOneLineRefusal(result, new RegExp(`^restore: DATA_DIR ${dataDir} is not empty`));
    assert.deepEqual(readdirSync(dataDir).sort(), before);
  });

  it('a backup killed with SIGKILL leaves no file under the name asked for; the server carries on', {
    timeout: 120_000,
  }, async () => {
    const target = path.join(backups, 'killed.tar.gz');
    const child = spawn(process.execPath, [BIN, 'backup', target], { cwd: ROOT, env });
    const closed = new Promise((done) => child.once('close', done));
    // Killed once the archive is arriving (its temporary file has bytes), or, if it is that fast, after.
    const arriving = () =>
      readdirSync(backups).some(
        (n) =>
          n.startsWith('.killed') &&
          (statSync(path.join(backups, n), { throwIfNoEntry: false })?.size ?? 0) > 0,
      );
    while (child.exitCode === null && !arriving()) await sleep(10);
    child.kill('SIGKILL');
    await closed;
    assert.equal(existsSync(target), false, 'no backup under the target name');
    const again = await runCli(['backup', path.join(backups, 'after-kill.tar.gz')], env);
    assert.equal(again.code, 0, again.stderr);
  });

  it('refuses a backup onto an existing file, and leaves it as it was', async () => {
    const target = path.join(backups, 'running.tar.gz');
    const before = sha256(readFileSync(target));
    const result = await runCli(['backup', target], env);
    assertOneLineRefusal(result, /^backup: .*running\.tar\.gz already exists/);
    assert.equal(sha256(readFileSync(target)), before);
  });

  it('refuses a truncated, a corrupted and a missing file in one line each, writing nothing', async () => {
    const whole = readFileSync(path.join(backups, 'running.tar.gz'));
    const truncated = path.join(backups, 'truncated.tar.gz');
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length / 2)));
    const corrupted = path.join(backups, 'corrupted.tar.gz');
    const damaged = Buffer.from(whole);
    for (let i = 0; i < 64; i += 1) {
      const at = Math.floor(damaged.length / 3) + i;
      damaged[at] = (damaged[at] ?? 0) ^ 0xff;
    }
    writeFileSync(corrupted, damaged);
    const target = path.join(root, 'never');
    const targetEnv = cleanEnv({ DATA_DIR: target });
    for (const [file, pattern] of [
      [truncated, /^restore: .*truncated\.tar\.gz is not a usable backup: .*nothing was restored/],
      [corrupted, /^restore: .*corrupted\.tar\.gz is not a usable backup: .*nothing was restored/],
      [path.join(backups, 'missing.tar.gz'), /^restore: .*missing\.tar\.gz: no such file/],
    ] as const) {
      assertOneLineRefusal(await runCli(['restore', file], targetEnv), pattern);
      assert.equal(existsSync(target), false, `${file}: DATA_DIR was not created`);
      assert.deepEqual(
        readdirSync(root).filter((name) => name.includes('restoring')),
        [],
        'no temporary directory is left',
      );
    }
  });

  it('refuses a backup of another PGlite minor version, or with migrations it does not know, naming why', async () => {
    const whole = readFileSync(path.join(backups, 'running.tar.gz'));
    const otherPglite = path.join(backups, 'other-pglite.tar.gz');
    writeFileSync(
      otherPglite,
      withManifest(whole, (m) => {
        m.pglite = '0.4.2';
      }),
    );
    const newer = path.join(backups, 'newer.tar.gz');
    writeFileSync(
      newer,
      withManifest(whole, (m) => {
        m.migrations.push('9999_from_the_future');
      }),
    );
    const target = path.join(root, 'never');
    const targetEnv = cleanEnv({ DATA_DIR: target });
    assertOneLineRefusal(
      await runCli(['restore', otherPglite], targetEnv),
      /^restore: the backup's embedded database was made by PGlite 0\.4\.2 .*cannot open/,
    );
    assertOneLineRefusal(
      await runCli(['restore', newer], targetEnv),
      /^restore: the backup was made by a newer Provisio .*9999_from_the_future.*upgrade Provisio first/,
    );
    assert.equal(existsSync(target), false);
  });

  it('restores into an empty directory a committed point: every order whole, the screenshot back', {
    timeout: 300_000,
  }, async () => {
    await server?.stop();
    server = undefined;
    mkdirSync(restoredDir); // empty: restore accepts it, as it accepts a missing one
    const result = await runCli(['restore', path.join(backups, 'running.tar.gz')], restoredEnv);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((JSON.parse(result.stdout) as { pendingMigrations: string[] }).pendingMigrations, []);

    const handle = await openPglite(restoredDir);
    try {
      const counts = await sql<{ orders: number; partial: number }>`
        select count(*)::int as orders,
               count(*) filter (where (select count(*) from order_lines l where l.order_id = o.id) <> ${LINES_PER_ORDER})::int as partial
        from orders o where o.reference like 'BK-%'`.execute(handle.db);
      const row = counts.rows[0];
      assert.equal(row?.partial, 0, 'no order is missing lines');
      assert.ok((row?.orders ?? 0) >= committedBeforeBackup, `${row?.orders} ≥ ${committedBeforeBackup}`);
      assert.ok((row?.orders ?? 0) <= attemptedByBackupEnd, `${row?.orders} ≤ ${attemptedByBackupEnd}`);
    } finally {
      await handle.close();
    }
    assert.ok(digestsUnder(path.join(restoredDir, 'files')).includes(sha256(TINY_PNG)), 'the screenshot');

    server = await startServer(restoredEnv, 180_000);
    const order = await fetch(`${server.url}/api/v1/orders/${firstOrderId}`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    assert.equal(order.status, 200);
    const body = (await order.json()) as { reference: string; lines: unknown[] };
    assert.equal(body.reference, 'BK-first');
    assert.equal(body.lines.length, LINES_PER_ORDER);
    const supportCase = await fetch(`${server.url}/api/v1/support/cases/${caseId}`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    assert.equal(supportCase.status, 200);
    const attachments = ((await supportCase.json()) as { attachments: { sizeBytes: number }[] }).attachments;
    assert.deepEqual(
      attachments.map((a) => a.sizeBytes),
      [TINY_PNG.length],
    );
    await server.stop();
    server = undefined;
  });

  it('with no server running, backs up by opening DATA_DIR itself', { timeout: 120_000 }, async () => {
    const target = path.join(backups, 'offline.tar.gz');
    const result = await runCli(['backup', target], restoredEnv);
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { via: string }).via, 'data directory');
    const again = path.join(root, `again-${randomBytes(3).toString('hex')}`);
    const restored = await runCli(['restore', target], cleanEnv({ DATA_DIR: again }));
    assert.equal(restored.code, 0, restored.stderr);
  });
});

/** On PostgreSQL, pg_dump and pg_restore do this job (README, Backups): the commands say so. */
describe('backup and restore with DATABASE_URL set (postgres)', () => {
  it('both refuse in one line pointing to pg_dump and the README, and write nothing', async () => {
    const root = tempDataDir();
    const env = cleanEnv({
      DATA_DIR: path.join(root, 'data'),
      DATABASE_URL: process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    });
    const target = path.join(root, 'b.tar.gz');
    assertOneLineRefusal(
      await runCli(['backup', target], env),
      /^backup: DATABASE_URL is set: .*pg_dump -Fc.*README/,
    );
    assertOneLineRefusal(
      await runCli(['restore', target], env),
      /^restore: DATABASE_URL is set: .*pg_restore/,
    );
    assert.deepEqual(readdirSync(root), []);
  });
});
