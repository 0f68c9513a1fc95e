import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KYIV_CLOUD, NORTHWIND } from '../../src/demo/data.ts';
import type { DatabaseHandle } from '../../src/platform/db.ts';
import { freshDatabase, testEngines } from '../support/harness.ts';
import { cleanEnv, ROOT, runCli, tempDataDir } from '../support/process.ts';

/**
 * The command line's output contract (docs/adr/0037): lists are tables unless --json, refused input
 * is one line on stderr with exit code 1, never a database error or a stack trace.
 */

const MISSING_ORG = '00000000-0000-4000-8000-000000000999';

function assertOneLine(result: { code: number; stdout: string; stderr: string }, pattern: RegExp) {
  assert.equal(result.code, 1, result.stdout);
  const lines = result.stderr.trim().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /invalid input syntax|\n\s+at |SQLSTATE|Usage:/);
  assert.equal(result.stdout, '', 'nothing on stdout');
}

describe('provisio --version', () => {
  it("prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['--version', '-V']) {
      const result = await runCli([flag], cleanEnv({}));
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.trim(), version);
    }
  });
});

for (const engine of testEngines()) {
  describe(`the provisio command's lists and refusals (${engine})`, () => {
    let env: NodeJS.ProcessEnv;
    let database: (DatabaseHandle & { url?: string }) | undefined;
    const cli = (...args: string[]) => runCli(args, env);

    before(async () => {
      if (engine === 'postgres') {
        database = await freshDatabase('postgres');
        env = cleanEnv({ DATABASE_URL: database.url ?? '', DATA_DIR: tempDataDir(), LOG_LEVEL: 'warn' });
      } else {
        env = cleanEnv({ DATA_DIR: tempDataDir(), LOG_LEVEL: 'warn' });
      }
      const seeded = await cli('seed', '--demo');
      assert.equal(seeded.code, 0, seeded.stderr);
    });
    after(() => database?.close());

    it('org list: an aligned table with a header, or a JSON array with --json', async () => {
      const table = await cli('org', 'list');
      assert.equal(table.code, 0, table.stderr);
      const [header = '', ...rows] = table.stdout.trimEnd().split('\n');
      assert.match(header, /^ID\s+KIND\s+NAME\s+COUNTRY\s+USERS\s+DOMAINS$/);
      const northwind = rows.find((r) => r.startsWith(NORTHWIND));
      assert.match(
        northwind ?? '',
        /\s{2}partner\s+Northwind Networks S\.r\.l\.\s+IT\s+2\s+northwind\.example$/,
      );
      // Columns line up: every row's second column starts where the header's does.
      assert.ok(rows.every((r) => r.indexOf(' ', 36) >= 36 && r[header.indexOf('KIND')] !== ' '));

      const json = await cli('org', 'list', '--json', '--kind', 'partner');
      assert.equal(json.code, 0, json.stderr);
      const orgs = JSON.parse(json.stdout) as {
        id: string;
        kind: string;
        domains: string[];
        users: number;
      }[];
      assert.ok(orgs.length >= 3 && orgs.every((o) => o.kind === 'partner'));
      assert.deepEqual(orgs.find((o) => o.id === NORTHWIND)?.domains, ['northwind.example']);
      // A command that prints a record prints JSON anyway, and takes --json too, so scripts may always pass it.
      const created = await cli('org', 'create', '--kind', 'customer', '--name', 'Json Co', '--json');
      assert.equal(created.code, 0, created.stderr);
      assert.equal((JSON.parse(created.stdout) as { name: string }).name, 'Json Co');
    });

    it("user list --org: that organization's users, as a table or JSON", async () => {
      const table = await cli('user', 'list', '--org', NORTHWIND);
      assert.equal(table.code, 0, table.stderr);
      const lines = table.stdout.trimEnd().split('\n');
      assert.match(lines[0] ?? '', /^EMAIL\s+ROLE\s+ORGANIZATION\s+LAST ACTIVE\s+ID$/);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(/\s{2,}/).slice(0, 2)),
        [
          ['giulia.rossi@northwind.example', 'partner_admin'],
          ['marco.bianchi@northwind.example', 'partner_user'],
        ],
      );
      const json = await cli('user', 'list', '--role', 'partner_admin', '--json');
      const users = JSON.parse(json.stdout) as { email: string; role: string; orgId: string }[];
      assert.ok(users.length >= 4 && users.every((u) => u.role === 'partner_admin'));
      assert.ok(users.some((u) => u.orgId === KYIV_CLOUD));
      const keys = await cli('apikey', 'list', '--org', NORTHWIND);
      assert.match(
        keys.stdout,
        /^ID\s+NAME\s+PREFIX\s+STATUS\s+CREATED\s+LAST USED\n.*\bdemo\s+pvk_\w{6}…\s+active/,
      );
      assert.doesNotMatch(keys.stdout, /pvk_[\w-]{43}/, 'no secret');
    });

    it('refuses a malformed id, a missing organization, an unknown job or a bad limit in one line', async () => {
      assertOneLine(
        await cli('user', 'list', '--org', 'northwind'),
        /^--org: "northwind" is not an organization id/,
      );
      assertOneLine(await cli('apikey', 'list', '--org', '42'), /^--org: "42" is not an organization id/);
      assertOneLine(
        await cli('apikey', 'revoke', 'pvk_abc'),
        /^apikey revoke: "pvk_abc" is not an API key id/,
      );
      assertOneLine(
        await cli('user', 'create', '--org', 'x', '--email', 'a@b.example', '--role', 'partner_user'),
        /is not an organization id/,
      );
      for (const args of [
        ['user', 'list', '--org', MISSING_ORG],
        ['apikey', 'create', '--org', MISSING_ORG],
        ['user', 'create', '--org', MISSING_ORG, '--email', 'a@b.example', '--role', 'partner_user'],
      ]) {
        assertOneLine(await cli(...args), new RegExp(`^--org: there is no organization ${MISSING_ORG}`));
      }
      assertOneLine(await cli('job', 'send', 'no.such-job'), /^job send: there is no job "no\.such-job"/);
      assertOneLine(await cli('org', 'list', '--limit', 'all'), /^--limit: "all" is not a whole number/);
      assertOneLine(
        await cli('org', 'list', '--kind', 'reseller'),
        /^error: option '--kind <kind>' argument 'reseller' is invalid/,
      );
    });
  });
}
