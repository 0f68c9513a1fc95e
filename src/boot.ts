import type { Config } from './config.ts';
import { readCatalogFile, syncCatalog } from './modules/catalog/service.ts';
import { assertLifecycleMatchesDatabase } from './modules/orders/lifecycle.ts';
import { type Clock, systemClock } from './platform/clock.ts';
import type { Ctx } from './platform/context.ts';
import { type DatabaseHandle, openDatabase } from './platform/db.ts';
import type { Logger } from './platform/logger.ts';
import { migrateToLatest } from './platform/migrations.ts';

/** A context for work Provisio does on its own behalf (boot, CLI, timers). */
export function systemContext(
  handle: DatabaseHandle,
  log: Logger,
  name: string,
  clock: Clock = systemClock,
): Ctx {
  return {
    db: handle.db,
    clock,
    locale: 'en',
    requestId: `${name}-${Date.now()}`,
    actor: { type: 'system', name },
    log,
  };
}

/**
 * Opens the configured database and makes it ready: migrations applied (under an advisory lock),
 * the lifecycle table checked against the schema, the catalogue file synced.
 */
export async function openReadyDatabase(config: Config, log: Logger): Promise<DatabaseHandle> {
  const handle = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    log,
  });
  try {
    const { applied } = await migrateToLatest(handle.db);
    if (applied.length) log.info({ applied, engine: handle.engine }, 'migrations applied');
    await assertLifecycleMatchesDatabase(handle.db);
    await syncCatalog(systemContext(handle, log, 'boot'), readCatalogFile(config.catalogFile));
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}
