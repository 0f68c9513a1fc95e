import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config.ts';
import { readCatalogFile } from '../../src/modules/catalog/service.ts';
import { LINE_STATUSES } from '../../src/modules/orders/lifecycle.ts';
import { connectPostgres, type Db } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { migrateToLatest } from '../../src/platform/migrations.ts';
import { createRuntime } from '../../src/runtime.ts';
import { CATALOG_FILE, freshDatabase, testEngines } from '../support/harness.ts';

async function schemaFingerprint(db: Db): Promise<string> {
  const { rows } = await sql<{ fingerprint: string }>`
    select string_agg(table_name || '.' || column_name || ':' || data_type, ',' order by table_name, column_name) as fingerprint
    from information_schema.columns where table_schema = 'public'`.execute(db);
  return rows[0]?.fingerprint ?? '';
}

for (const engine of testEngines()) {
  describe(`migrations (${engine})`, () => {
    it('apply once; applying again is a no-op', async () => {
      const handle = await freshDatabase(engine, { empty: true });
      try {
        const first = await migrateToLatest(handle.db);
        assert.ok(first.applied.includes('0001_foundation'));
        const before = await schemaFingerprint(handle.db);
        const second = await migrateToLatest(handle.db);
        assert.deepEqual(second.applied, []);
        assert.equal(await schemaFingerprint(handle.db), before);
        const rows = await handle.db.selectFrom('line_statuses').select('code').execute();
        assert.deepEqual(
          rows.map((r) => r.code).sort(),
          [...LINE_STATUSES].sort(),
          'seed rows of a migration are not inserted twice',
        );
      } finally {
        await handle.close();
      }
    });
  });
}

if (testEngines().includes('postgres')) {
  describe('migrations (postgres, several processes at once)', () => {
    it('do not race: every starter migrates and syncs the catalogue, each migration applied exactly once', async () => {
      const handle = await freshDatabase('postgres', { empty: true });
      const starters = Array.from({ length: 4 }, () => connectPostgres(handle.url ?? '', 2));
      try {
        const outcomes = await Promise.all(
          starters.map(async (s) => {
            const outcome = await migrateToLatest(s.db);
            // Building a runtime migrates (a no-op by now) and syncs the catalogue, as every process does at start.
            await createRuntime({
              config: loadConfig({ CATALOG_FILE }),
              log: createLogger('silent'),
              database: { ...s, close: async () => undefined },
            });
            return outcome;
          }),
        );
        const applied = outcomes.flatMap((o) => o.applied);
        assert.deepEqual(
          applied.filter((name) => name === '0001_foundation'),
          ['0001_foundation'],
        );
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from schema_migrations`.execute(
          handle.db,
        );
        assert.equal(rows[0]?.n, outcomes.find((o) => o.applied.length)?.applied.length);
        const offers = await handle.db.selectFrom('offers').select('code').execute();
        assert.equal(offers.length, readCatalogFile(CATALOG_FILE).offers.length);
      } finally {
        await Promise.all(starters.map((s) => s.close()));
        await handle.close();
      }
    });
  });
}
