import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Readiness } from '../../src/platform/readiness.ts';
import { freshDatabase, type Harness, startHarness, testEngines } from '../support/harness.ts';

/** `/readyz` (docs/adr/0039): what a load balancer asks before sending a process work. */
for (const engine of testEngines()) {
  describe(`readiness (${engine})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(engine);
    });
    after(() => h?.close());

    const readyz = async (app = h.app) => {
      const res = await app.request('/readyz');
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() };
    };

    it('is ready once migrated, and stays alive (/healthz) apart from it', async () => {
      assert.deepEqual(await readyz(), { status: 200, retryAfter: null, body: { status: 'ready' } });
      assert.equal((await h.app.request('/healthz')).status, 200);
    });

    it('is not ready while a process that runs jobs has not started its workers, and is once it has', async () => {
      const sibling = await h.sibling();
      try {
        sibling.rt.readiness.expectJobs();
        assert.deepEqual(await readyz(sibling.app), {
          status: 503,
          retryAfter: '5',
          body: { status: 'not_ready', reasons: ['jobs_not_running'] },
        });
        await sibling.rt.jobs.startWorkers();
        assert.equal((await readyz(sibling.app)).status, 200);
        await sibling.rt.jobs.stop();
        assert.deepEqual((await readyz(sibling.app)).body, {
          status: 'not_ready',
          reasons: ['jobs_not_running'],
        });
      } finally {
        await sibling.close();
      }
    });

    it('is not ready, for good, from the start of a shutdown; liveness is unaffected', async () => {
      const sibling = await h.sibling();
      try {
        sibling.rt.readiness.markShuttingDown();
        assert.deepEqual((await readyz(sibling.app)).body, {
          status: 'not_ready',
          reasons: ['shutting_down'],
        });
        assert.equal((await sibling.app.request('/healthz')).status, 200);
      } finally {
        await sibling.close();
      }
    });

    it('is not ready when a migration this code knows is not applied; migrations it does not know change nothing', async () => {
      await sql`insert into schema_migrations (name, timestamp) values ('9999_from_a_newer_release', ${new Date().toISOString()})`.execute(
        h.db,
      );
      assert.deepEqual(await new Readiness(h.rt).check(), { ready: true });
      const removed = await sql<{ name: string }>`delete from schema_migrations
        where name = (select max(name) from schema_migrations where name < '9999') returning name`.execute(
        h.db,
      );
      try {
        assert.deepEqual(await new Readiness(h.rt).check(), {
          ready: false,
          reasons: ['migrations_pending'],
        });
      } finally {
        await sql`insert into schema_migrations (name, timestamp) values (${removed.rows[0]?.name ?? ''}, ${new Date().toISOString()})`.execute(
          h.db,
        );
        await sql`delete from schema_migrations where name = '9999_from_a_newer_release'`.execute(h.db);
      }
    });

    it('is not ready when the database does not answer', async () => {
      const gone = await freshDatabase(engine);
      await gone.close();
      const readiness = new Readiness({
        db: gone.db,
        ping: async () => {
          await sql`select 1`.execute(gone.db);
        },
        jobs: { workersRunning: false },
      });
      assert.deepEqual(await readiness.check(), { ready: false, reasons: ['database_unavailable'] });
    });
  });
}
