import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  DummyDriver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  sql,
} from 'kysely';
import { statementName } from '../../src/platform/db-errors.ts';
import { prepared, preparedNameOf } from '../../src/platform/prepared-statements.ts';
import { freshDatabase, testEngines } from '../support/harness.ts';

describe('prepared statements', () => {
  it('are marked by name, and a failure still names the statement, not the mark', () => {
    const compiler = new Kysely<Record<string, never>>({
      dialect: {
        createAdapter: () => new PostgresAdapter(),
        createDriver: () => new DummyDriver(),
        createIntrospector: (db) => new PostgresIntrospector(db),
        createQueryCompiler: () => new PostgresQueryCompiler(),
      },
    });
    const compiled = sql`${prepared('book_order_graph')}
      with claim as (insert into idempotency_keys values (1)) select 1`.compile(compiler);
    assert.equal(preparedNameOf(compiled.sql), 'book_order_graph');
    assert.equal(preparedNameOf('select 1'), undefined);
    assert.equal(statementName(compiled.sql), 'with insert idempotency_keys');
    assert.throws(() => prepared('Book order'), /snake case/);
  });

  for (const engine of testEngines()) {
    describe(engine, () => {
      let database: Awaited<ReturnType<typeof freshDatabase>>;
      before(async () => {
        database = await freshDatabase(engine);
      });
      after(() => database.close());

      it('answer each call with its own parameters, prepared once per connection on PostgreSQL', async () => {
        const answers: number[] = [];
        for (const n of [1, 2, 3, 4, 5, 6, 7]) {
          const { rows } = await sql<{ n: number }>`${prepared('test_echo')}select ${n}::int as n`.execute(
            database.db,
          );
          answers.push(rows[0]?.n ?? -1);
        }
        assert.deepEqual(answers, [1, 2, 3, 4, 5, 6, 7]);
        if (engine === 'postgres') {
          // One connection of the pool answers in a transaction: it holds the statement under its name.
          const held = await database.db.transaction().execute(async (tx) => {
            await sql`${prepared('test_echo')}select ${8}::int as n`.execute(tx);
            return sql<{ name: string }>`select name from pg_prepared_statements`.execute(tx);
          });
          assert.ok(held.rows.some((r) => r.name === 'test_echo'));
        }
      });
    });
  }
});
