import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import { type RawBuilder, sql } from 'kysely';
import type pg from 'pg';

/**
 * Server-side prepared statements for the few statements every API request runs (docs/adr/0020).
 *
 * `pg` sends each parameterised statement unnamed, so PostgreSQL parses and plans it again on every
 * call: for the order booking statement that was about 0.6 ms of the server's CPU per order, for
 * the API key lookup about 0.2 ms, more than executing either. A statement that begins with
 * `prepared('name')` is instead prepared once per connection under that name and then only bound
 * and executed. Only a statement whose text never changes may be marked (the name stands for one
 * text; `pg` refuses a second text under the same name), so only fixed hot statements are, never
 * built ones whose text varies with their input. On PGlite the mark is an ordinary comment.
 */

const MARK = '/* prepared ';
const NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** Put first in a `sql` template: the statement is prepared once per connection under `name`. */
export function prepared(name: string): RawBuilder<unknown> {
  if (!NAME.test(name)) throw new Error(`prepared statement name "${name}" must be lower-case snake case`);
  return sql.raw(`${MARK}${name} */ `);
}

/** The name a statement was marked with, if any. */
export function preparedNameOf(text: string): string | undefined {
  if (!text.startsWith(MARK)) return undefined;
  const end = text.indexOf(' */', MARK.length);
  return end === -1 ? undefined : text.slice(MARK.length, end);
}

/** Kysely's view of the pool, sending marked statements as named (prepared) ones. */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    // The client as Kysely types it (what PostgresDialect would use without this wrapper).
    const plain: PostgresPoolClient = client;
    function query<R>(text: string, values: readonly unknown[]): Promise<PostgresQueryResult<R>>;
    function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
    function query<R>(
      text: string | PostgresCursor<R>,
      values: readonly unknown[] = [],
    ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
      if (typeof text !== 'string') return plain.query(text);
      const name = preparedNameOf(text);
      if (name === undefined) return plain.query<R>(text, values);
      return client.query<R & pg.QueryResultRow>({ name, text, values: [...values] }) as Promise<
        PostgresQueryResult<R>
      >;
    }
    return { query, release: () => client.release() };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = wrap(client);
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
