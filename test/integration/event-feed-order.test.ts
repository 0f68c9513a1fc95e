import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { type EventTenant, event, recordEvents } from '../../src/modules/events/record.ts';
import { connectPostgres, type Db } from '../../src/platform/db.ts';
import { feedPage, feedToEnd, feedUntil } from '../support/events.ts';
import { type Harness, startHarness, type Tenant, testEngines } from '../support/harness.ts';

/**
 * The feed hands events out in commit order (docs/adr/0030): a reader that keeps passing its cursor
 * back never skips an event, whatever order the writing transactions took their sequence numbers
 * and committed in. On PostgreSQL transactions really overlap; on PGlite they are serialised.
 */

function deferred() {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

for (const engine of testEngines()) {
  describe(`the event feed in commit order (${engine})`, () => {
    let h: Harness;
    let partner: Tenant;
    let tenant: EventTenant;

    const answered = (caseId: string) =>
      event(
        'support_case.answered',
        { caseId, caseNumber: 'CASE-1', organizationId: partner.orgId, subscriptionId: null },
        tenant,
      );
    const caseIds = (items: { data: Record<string, unknown> }[]) => items.map((e) => String(e.data.caseId));
    const seqOf = async (caseId: string) =>
      Number(
        (
          await h.db
            .selectFrom('events')
            .select('seq')
            .where(sql<boolean>`data->>'caseId' = ${caseId}`)
            .executeTakeFirstOrThrow()
        ).seq,
      );

    before(async () => {
      h = await startHarness(engine);
      partner = await h.tenant('partner', 'Order Partner');
      tenant = { partnerOrgId: partner.orgId, placedByOrgId: partner.orgId };
    });
    after(() => h.close());

    it('holds back an event committed first until an earlier writer still in flight commits', {
      skip: engine === 'pglite' && 'PGlite runs one transaction at a time',
    }, async () => {
      const start = (await feedToEnd(h, partner)).nextCursor;
      const [first, second] = [randomUUID(), randomUUID()];
      const inserted = deferred();
      const release = deferred();
      const slow = h.db.transaction().execute(async (tx) => {
        await recordEvents({ ...h.ctx, db: tx }, [answered(first)]);
        inserted.resolve();
        await release.promise;
      });
      await inserted.promise;
      await h.db.transaction().execute((tx) => recordEvents({ ...h.ctx, db: tx }, [answered(second)]));
      assert.ok((await seqOf(second)) > 0, 'the later event is committed');

      // The first writer is still open: the feed stops before it, so neither is handed out yet.
      const early = await feedToEnd(h, partner, { after: start });
      assert.deepEqual(caseIds(early.data), []);
      assert.equal(early.nextCursor, start);

      release.resolve();
      await slow;
      const seen = await feedUntil(h, partner, (items) => items.length >= 2, { after: early.nextCursor });
      assert.deepEqual(caseIds(seen), [first, second]);
    });

    it('never skips an event whose transaction took its id first but its sequence number last', {
      skip: engine === 'pglite' && 'PGlite runs one transaction at a time',
    }, async () => {
      const start = (await feedToEnd(h, partner)).nextCursor;
      const [early, late] = [randomUUID(), randomUUID()];
      const idTaken = deferred();
      const lateInserted = deferred();
      const releaseLate = deferred();
      // `early` takes its transaction id now and writes its event only after `late` wrote its own.
      const earlyWriter = h.db.transaction().execute(async (tx) => {
        await sql`select pg_current_xact_id()`.execute(tx);
        idTaken.resolve();
        await lateInserted.promise;
        await recordEvents({ ...h.ctx, db: tx }, [answered(early)]);
      });
      await idTaken.promise;
      const lateWriter = h.db.transaction().execute(async (tx) => {
        await recordEvents({ ...h.ctx, db: tx }, [answered(late)]);
        lateInserted.resolve();
        await releaseLate.promise;
      });
      await earlyWriter;
      // `early` committed with the larger sequence number while `late` (the smaller one) is in flight.
      assert.ok((await seqOf(early)) > 0);

      const first = await feedUntil(h, partner, (items) => items.length >= 1, { after: start });
      assert.deepEqual(caseIds(first), [early]);
      const cursor = (await feedToEnd(h, partner, { after: start })).nextCursor;

      releaseLate.resolve();
      await lateWriter;
      assert.ok((await seqOf(late)) < (await seqOf(early)), 'paging on seq would have skipped it');
      const next = await feedUntil(h, partner, (items) => items.length >= 1, { after: cursor });
      assert.deepEqual(caseIds(next), [late]);
    });

    it('a reader polling while 100 writers commit in any order sees each event exactly once', async () => {
      const start = (await feedToEnd(h, partner)).nextCursor;
      // On PostgreSQL the writers get a pool of their own, so they overlap each other and the reader.
      const pool = h.databaseUrl ? connectPostgres(h.databaseUrl, 16) : undefined;
      const writers: Db = pool?.db ?? h.db;
      const written: string[] = [];
      let writing = true;
      const writes = Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const caseId = randomUUID();
          written.push(caseId);
          await writers.transaction().execute(async (tx) => {
            // Some writers take their id early, and each holds its transaction open for a while.
            if (i % 3 === 0) await sql`select pg_current_xact_id()`.execute(tx);
            await sleep(Math.floor(Math.random() * 15));
            await recordEvents({ ...h.ctx, db: tx }, [answered(caseId)]);
            await sleep(Math.floor(Math.random() * 15));
          });
        }),
      ).finally(() => {
        writing = false;
      });

      const seen: string[] = [];
      let cursor = start;
      while (writing) {
        const page = await feedPage(h, partner, { after: cursor, limit: '7' });
        seen.push(...caseIds(page.data));
        cursor = page.nextCursor;
        if (page.data.length === 0) await sleep(5);
      }
      await writes;
      await pool?.close();
      seen.push(
        ...caseIds(
          await feedUntil(h, partner, (items) => seen.length + items.length >= 100, { after: cursor }),
        ),
      );
      assert.equal(seen.length, 100, 'no event twice');
      assert.deepEqual([...seen].sort(), [...written].sort(), 'every event once');
    });
  });
}
