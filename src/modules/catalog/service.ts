import { readFileSync } from 'node:fs';
import type { Ctx } from '../../platform/context.ts';
import { inTransaction } from '../../platform/context.ts';
import { lockForTransaction } from '../../platform/db.ts';
import { findOffers, upsertOffers } from './repository.ts';
import { type CatalogFile, catalogFileSchema, type Offer } from './schema.ts';

/** Reads and validates the catalogue file; a bad file stops the boot with the file and the entry named. */
export function readCatalogFile(file: string): CatalogFile {
  const raw: unknown = JSON.parse(readFileSync(file, 'utf8'));
  const parsed = catalogFileSchema.safeParse(raw);
  if (!parsed.success) {
    const where = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`CATALOG_FILE ${file} is invalid: ${where}`);
  }
  return parsed.data;
}

/** Makes the database's catalogue match the file: new and changed offers saved, missing ones retired. */
export async function syncCatalog(ctx: Ctx, catalog: CatalogFile): Promise<void> {
  await inTransaction(ctx, async (tx) => {
    // Processes booting together take turns, so their deletes and inserts never cross.
    await lockForTransaction(tx.db, 'provisio.catalog-sync');
    await upsertOffers(
      tx.db,
      catalog.offers.map((o) => ({ ...o, active: true })),
      tx.clock.now(),
    );
  });
  cached = undefined;
}

/**
 * Offers change only when a process syncs its catalogue file at boot, yet every order line needs
 * them: each process keeps them in memory and reloads them at most a minute after they were read.
 */
const CATALOG_CACHE_MS = 60_000;
let cached: { loadedAt: number; offers: Map<string, Offer>; names: Map<string, string> } | undefined;

async function catalog(ctx: Ctx): Promise<NonNullable<typeof cached>> {
  const now = performance.now();
  if (!cached || now - cached.loadedAt > CATALOG_CACHE_MS) {
    const offers = await findOffers(ctx.db);
    cached = {
      loadedAt: now,
      offers: new Map(offers.map((o) => [o.code, o])),
      names: new Map(offers.map((o) => [o.code, o.name])),
    };
  }
  return cached;
}

/** The offers that can be ordered now, among `codes`. */
export async function offersByCode(ctx: Ctx, codes: string[]): Promise<Map<string, Offer>> {
  const { offers } = await catalog(ctx);
  return new Map(
    codes.flatMap((code) => {
      const offer = offers.get(code);
      return offer?.active ? [[code, offer]] : [];
    }),
  );
}

/** Display names of every offer ever in the catalogue, retired ones included. */
export async function offerNames(ctx: Ctx): Promise<ReadonlyMap<string, string>> {
  return (await catalog(ctx)).names;
}
