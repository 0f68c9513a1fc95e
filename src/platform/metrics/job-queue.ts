import { sql } from 'kysely';
import type { Executor } from '../db.ts';
import { JOB_SCHEMA } from '../job-runtime.ts';
import type { DatabaseGauge } from './database-gauges.ts';

/**
 * Jobs that could start now and no worker has taken, per queue, read from pg-boss's table (the
 * platform's, no module's). Unlike the wait histogram, which only hears of jobs a worker took, this
 * also shows a queue no worker runs at all. Both use pg-boss's partial index on (name, start_after).
 */
async function dueJobs(db: Executor): Promise<{ queue: string; count: number; oldestSeconds: number }[]> {
  const { rows } = await sql<{ queue: string; count: number; oldest_seconds: number }>`
    select name as queue, count(*)::int as count,
      extract(epoch from now() - min(start_after))::float8 as oldest_seconds
    from ${sql.table(`${JOB_SCHEMA}.job`)}
    where state < 'active' and start_after <= now()
    group by name`.execute(db);
  return rows.map((r) => ({
    queue: r.queue,
    count: Number(r.count),
    oldestSeconds: Number(r.oldest_seconds),
  }));
}

/** The two job queue gauges; `queues` are the runtime's, each shown (at zero when nothing waits). */
export function jobQueueGauges(queues: readonly string[]): DatabaseGauge[] {
  const byQueue = async (db: Executor, pick: (row: { count: number; oldestSeconds: number }) => number) => {
    const rows = new Map((await dueJobs(db)).map((row) => [row.queue, row]));
    return queues.map((queue) => {
      const row = rows.get(queue);
      return { labels: { queue }, value: row ? Math.max(0, pick(row)) : 0 };
    });
  };
  return [
    {
      name: 'job_queue_due',
      help: 'Jobs that could start now and wait for a worker, by queue.',
      labelNames: ['queue'],
      read: (db) => byQueue(db, (row) => row.count),
    },
    {
      name: 'job_queue_oldest_due_age_seconds',
      help: 'How long the oldest job that could start has waited for a worker, by queue (0 when none waits).',
      labelNames: ['queue'],
      read: (db) => byQueue(db, (row) => row.oldestSeconds),
    },
  ];
}
