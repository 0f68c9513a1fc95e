import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import {
  generateDbTypes,
  readCommittedDbTypes,
  valuesOfSetCheck,
  withFreshSchema,
} from '../../scripts/db-types.ts';
import { migrateToLatest } from '../../src/platform/migrations.ts';
import { freshDatabase, testEngines } from '../support/harness.ts';

/** The first line where the two texts differ, for a failure message that says where to look. */
function firstDifference(expected: string, actual: string): string {
  const want = expected.split('\n');
  const got = actual.split('\n');
  const line = want.findIndex((text, i) => text !== got[i]);
  const at = line === -1 ? want.length : line;
  return `line ${at + 1}: generated ${JSON.stringify(want[at] ?? '')}, committed ${JSON.stringify(got[at] ?? '')}`;
}

for (const engine of testEngines()) {
  describe(`src/db-types.ts (${engine})`, () => {
    it('is what kysely-codegen generates from the migrated schema', async () => {
      const serverUrl = engine === 'postgres' ? process.env.TEST_DATABASE_URL : undefined;
      const generated = await withFreshSchema(serverUrl, generateDbTypes);
      const committed = readCommittedDbTypes();
      assert.ok(
        generated === committed,
        `src/db-types.ts is out of date: run npm run db:types (${firstDifference(generated, committed)})`,
      );
    });

    it('types values as the drivers return them: bigint as a number, date as a string, timestamptz as a Date', async () => {
      const handle = await freshDatabase(engine);
      try {
        await migrateToLatest(handle.db);
        const audit = await handle.db
          .insertInto('audit_events')
          .values({
            occurred_at: new Date('2026-11-21T09:00:00Z'),
            actor_type: 'system',
            entity_type: 'test',
            entity_id: 'x',
            action: 'checked',
            payload: JSON.stringify({ n: 1 }),
          })
          .returning(['id', 'occurred_at', 'payload'])
          .executeTakeFirstOrThrow();
        assert.equal(typeof audit.id, 'number');
        assert.ok(audit.occurred_at instanceof Date);
        assert.deepEqual(audit.payload, { n: 1 });
        const { rows } = await sql<{ day: string; n: number }>`
          select date '2026-11-21' as day, count(*) as n from audit_events`.execute(handle.db);
        assert.deepEqual(rows, [{ day: '2026-11-21', n: 1 }]);
      } finally {
        await handle.close();
      }
    });
  });
}

describe('db:types set checks', () => {
  it("reads `check (col in ('a', 'b'))` back as the values it allows", () => {
    assert.deepEqual(
      valuesOfSetCheck('kind', "CHECK ((kind = ANY (ARRAY['partner'::text, 'distributor'::text])))"),
      ['partner', 'distributor'],
    );
    assert.deepEqual(valuesOfSetCheck('name', "CHECK ((name = ANY (ARRAY['it''s, ok'::text, 'b'::text])))"), [
      "it's, ok",
      'b',
    ]);
  });

  it('ignores every other check', () => {
    assert.equal(valuesOfSetCheck('country', "CHECK ((country ~ '^[A-Z]{2}$'::text))"), null);
    assert.equal(valuesOfSetCheck('kind', "CHECK ((other = ANY (ARRAY['a'::text])))"), null);
    assert.equal(valuesOfSetCheck('n', 'CHECK ((n = ANY (ARRAY[1, 2])))'), null);
    assert.equal(
      valuesOfSetCheck('kind', "CHECK (((kind = ANY (ARRAY['a'::text])) AND (length(kind) < 9)))"),
      null,
    );
  });
});
