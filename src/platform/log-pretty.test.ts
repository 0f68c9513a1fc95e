import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { prettyLine } from './log-pretty.ts';
import { createLogger, resolveLogFormat } from './logger.ts';

const ESC = String.fromCharCode(27);

function captured(format: 'pretty' | 'json') {
  const lines: string[] = [];
  const log = createLogger('info', { write: (line: string) => lines.push(line) }, format);
  return { log, lines };
}

describe('log formats', () => {
  it('is readable on a terminal and JSON elsewhere, unless LOG_FORMAT says which', () => {
    assert.equal(resolveLogFormat(undefined, { isTTY: true }), 'pretty');
    assert.equal(resolveLogFormat(undefined, { isTTY: false }), 'json');
    assert.equal(resolveLogFormat(undefined, {}), 'json');
    assert.equal(resolveLogFormat('json', { isTTY: true }), 'json');
    assert.equal(resolveLogFormat('pretty', { isTTY: false }), 'pretty');
  });

  it('writes time, level, message and key=value fields on one line; lists of records below it', () => {
    const { log, lines } = captured('pretty');
    log.info({ port: 3000, engine: 'pglite', note: 'two words', jobs: ['a', 'b'] }, 'Provisio is listening');
    log.warn(
      {
        logins: [
          { role: 'operator', email: 'nora@x.example' },
          { role: 'partner_admin', email: 'g@x.example' },
        ],
      },
      'logins',
    );
    assert.match(
      lines[0] ?? '',
      /^\d\d:\d\d:\d\d INFO {2}Provisio is listening port=3000 engine=pglite note="two words" jobs=a,b\n$/,
    );
    assert.equal(
      (lines[1] ?? '').replace(/^\d\d:\d\d:\d\d /, ''),
      'WARN  logins\n    logins:\n      operator       nora@x.example\n      partner_admin  g@x.example\n',
    );
  });

  it('keeps redacting secrets, and shortens long values and lists', () => {
    for (const format of ['pretty', 'json'] as const) {
      const { log, lines } = captured(format);
      log.info({ password: 'hunter2hunter2', apiKey: 'pvk_secret', user: { token: 't0ken' } }, 'signed in');
      assert.ok(!/hunter2|pvk_secret|t0ken/.test(lines.join('')), format);
      assert.match(lines.join(''), /\[redacted\]/, format);
    }
    const { log, lines } = captured('pretty');
    log.info({ path: `/${'x'.repeat(300)}`, ids: Array.from({ length: 40 }, (_, i) => `job-${i}`) }, 'long');
    assert.ok((lines[0] ?? '').length < 200);
    assert.match(lines[0] ?? '', /ids=job-0,job-1,.*,…\(\+\d+\)/);
  });

  it('shows an error by its message with a few lines of its stack, and passes other text through', () => {
    const { log, lines } = captured('pretty');
    log.error({ err: new Error('boom') }, 'unhandled error');
    assert.match(lines[0] ?? '', /ERROR unhandled error err=boom\n {4}\s+at /);
    assert.equal(prettyLine('not json', { colour: false }), 'not json\n');
    assert.match(
      prettyLine('{"level":50,"msg":"x"}', { colour: true }),
      new RegExp(`${ESC}\\[31mERROR${ESC}\\[0m x`),
    );
  });

  it("writes control characters from a stranger's URL as escapes, so they cannot drive the terminal or forge a line", () => {
    const { log, lines } = captured('pretty');
    log.info({ path: `/x${ESC}[2J\n12:00:00 INFO  forged`, method: 'GET' }, `request ${ESC}]0;title\u0007`);
    const out = lines.join('');
    assert.equal(out.split('\n').filter(Boolean).length, 1, 'one line');
    assert.ok(
      !out.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '').includes(ESC),
      'no raw ESC besides colours',
    );
    assert.ok(!out.includes('\u0007'));
    assert.match(out, /\\u001b\[2J/);
  });
});
