import { setImmediate as nextTurn } from 'node:timers/promises';
import { CompiledQuery } from 'kysely';
import type { Db, Tx } from './db.ts';

/** How pg-boss runs SQL: the `db` option of its constructor and of `send`. */
export interface BossDb {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}

/** A text that opens its own transaction: pg-boss's `locked()` blocks ("BEGIN; …; COMMIT;") and migrations. */
const OPENS_TRANSACTION = /^\s*begin\b/i;

/**
 * pg-boss's statements on our own database handle, so there is one pool and one way to PostgreSQL:
 * on a server through Kysely's pool, on PGlite through our dialect, whose lock serialises every use
 * of the single session, so a pg-boss statement never lands inside an open Kysely transaction.
 *
 * Each statement holds one connection for its run. Parameterless text goes through the simple
 * protocol (on PGlite, `exec`), so pg-boss's multi-statement blocks run whole; their result is that
 * of the last statement (PGlite) or no rows (pg). pg-boss 10 reads rows only from single statements:
 * its multi-statement texts are all `BEGIN; …; COMMIT;` blocks whose results it ignores (with its own
 * pg pool they come back as an array that has no `rows` at all).
 *
 * When such a block fails, PostgreSQL leaves the session in an aborted transaction ("current
 * transaction is aborted" for every later statement) — and pg-boss fails one on purpose when two
 * processes race to migrate it. The block is rolled back here, before the connection is handed on.
 *
 * `drain()` waits for every statement under way, including the ones pg-boss issues without awaiting
 * them (it completes or fails a finished batch in the background), so the database can then close.
 */
export function bossDatabase(db: Db): BossDb & { drain(): Promise<void> } {
  const inFlight = new Set<Promise<unknown>>();
  return {
    executeSql(text, values = []) {
      const run = db.connection().execute(async (conn) => {
        try {
          const result = await conn.executeQuery(CompiledQuery.raw(text, values));
          return { rows: result.rows };
        } catch (error) {
          if (OPENS_TRANSACTION.test(text)) {
            await conn.executeQuery(CompiledQuery.raw('rollback', [])).catch(() => undefined);
          }
          throw error;
        }
      });
      const forget = () => inFlight.delete(run);
      inFlight.add(run);
      run.then(forget, forget);
      return run;
    },
    async drain() {
      do {
        // pg-boss issues its follow-up statements in continuations of the ones that just ended.
        await nextTurn();
        await Promise.allSettled([...inFlight]);
      } while (inFlight.size > 0);
    },
  };
}

/** pg-boss's statements inside the caller's open transaction: they commit or roll back with it. */
export function transactionDatabase(tx: Tx): BossDb {
  return {
    async executeSql(text, values = []) {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values));
      return { rows: result.rows };
    },
  };
}
