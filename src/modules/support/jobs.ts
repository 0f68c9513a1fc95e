import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import { listStoredFiles, removeFiles } from '../../platform/file-store.ts';
import { defineJob } from '../../platform/jobs.ts';
import { referencedStorageKeys } from './repository.ts';

/**
 * Files are written before their rows (ADR 0025): a process killed between the two leaves a file no
 * row names, never served. A file that old and still unnamed will never be named: it is removed, as
 * is a half-written temporary file of an upload cut short.
 */
const ORPHAN_AGE_MS = 24 * 3_600_000;
const BATCH = 500;

export async function sweepOrphanFiles(ctx: Ctx, signal?: AbortSignal): Promise<{ removed: number }> {
  const before = ctx.clock.now().getTime() - ORPHAN_AGE_MS;
  const old = (await listStoredFiles(ctx.config.filesDir, 'support')).filter((f) => f.modifiedAt < before);
  let removed = 0;
  for (let i = 0; i < old.length && !signal?.aborted; i += BATCH) {
    const batch = old.slice(i, i + BATCH);
    const named = await referencedStorageKeys(
      ctx.db,
      batch.flatMap((f) => (f.key ? [f.key] : [])),
    );
    const orphans = batch.filter((f) => !f.key || !named.has(f.key));
    await removeFiles(
      ctx.config.filesDir,
      orphans.map((f) => f.path),
    );
    removed += orphans.length;
  }
  return { removed };
}

export const sweepOrphanFilesJob = defineJob({
  name: 'support.sweep-orphan-files',
  payload: z.object({}),
  policy: 'stately',
  schedule: { cron: '17 * * * *', payload: {} },
  async handler(ctx, _payload, job) {
    const { removed } = await sweepOrphanFiles(ctx, job.signal);
    if (removed) ctx.log.info({ removed }, 'unreferenced support files removed');
  },
});
