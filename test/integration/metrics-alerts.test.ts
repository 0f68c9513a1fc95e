import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { relayDueEmails } from '../../src/platform/mail/outbox.ts';
import { type Harness, orderBody, startHarness, testEngines } from '../support/harness.ts';
import { ROOT } from '../support/process.ts';
import { parseScrape, promtool } from '../support/prometheus.ts';

const TOKEN = 'metrics-token-0123456789abcdef0123456789abcdef';
const RULES = path.join(ROOT, 'ops', 'prometheus', 'alerts.yml');

/** Every `provisio_…` name the example rules' expressions use (an `expr:` and the lines indented under it). */
function metricsInRules(): string[] {
  const names = new Set<string>();
  let exprIndent: number | undefined;
  for (const line of readFileSync(RULES, 'utf8').split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (exprIndent !== undefined && line.trim() !== '' && indent <= exprIndent) exprIndent = undefined;
    if (/^\s*expr:/.test(line)) exprIndent = indent;
    if (exprIndent !== undefined)
      for (const name of line.match(/\bprovisio_[a-z0-9_]+/g) ?? []) names.add(name);
  }
  return [...names].sort();
}

describe('the example alert rules', () => {
  it('pass promtool check rules', (t) => {
    const run = promtool(['check', 'rules', RULES]);
    if (typeof run === 'string') return t.skip(run);
    assert.equal(run.status, 0, run.output);
  });
});

for (const engine of testEngines()) {
  describe(`a real scrape (${engine})`, () => {
    let h: Harness;
    let body: string;

    before(async () => {
      h = await startHarness(engine, { METRICS_TOKEN: TOKEN });
      // A little of everything: requests, an order booked, its mail relayed.
      const partner = await h.tenant();
      assert.equal((await h.api(partner, 'POST', '/api/v1/orders', orderBody())).status, 201);
      assert.equal((await h.app.request('/nothing-here')).status, 404);
      await relayDueEmails(h.ctx);
      const res = await h.app.request('/metrics', { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(res.status, 200);
      body = await res.text();
    });
    after(() => h.close());

    it('passes promtool check metrics', (t) => {
      const run = promtool(['check', 'metrics'], body);
      if (typeof run === 'string') return t.skip(run);
      assert.equal(run.status, 0, run.output);
    });

    it('has every metric the example alert rules use, so they cannot drift from the code', () => {
      const names = new Set(parseScrape(body).map((s) => s.name));
      const used = metricsInRules();
      assert.ok(used.length >= 8, `the rules use ${used.join(', ')}`);
      const missing = used.filter((name) => !names.has(name));
      assert.deepEqual(missing, [], `in the rules but not in a scrape: ${missing.join(', ')}`);
    });
  });
}
