import { readFileSync } from 'node:fs';
import { cacheKey } from '../../platform/cache.ts';
import type { Ctx } from '../../platform/context.ts';
import { inTransaction } from '../../platform/context.ts';
import { lockForTransaction } from '../../platform/db.ts';
import { findOffers, upsertOffers } from './repository.ts';
import { type CatalogFile, catalogFileSchema, type Offer } from './schema.ts';

/** Reads and validates the catalogue file; a bad file stops the boot with the file and the entry named. */
export function readCatalogFile(file: string): CatalogFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code ? `cannot be read (${code})` : 'is not valid JSON';
    throw new Error(`CATALOG_FILE ${file}: ${why}`);
  }
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
  ctx.caches.invalidate(CATALOG);
}

interface CatalogSnapshot {
  offers: Map<string, Offer>;
  names: Map<string, string>;
}

/**
 * Offers change only when a process syncs its catalogue file at boot, yet every order line needs
 * them: each runtime keeps them and reloads them at most a minute after they were read.
 */
const CATALOG = cacheKey<CatalogSnapshot>('catalog.offers', 60_000);

function catalog(ctx: Ctx): Promise<CatalogSnapshot> {
  return ctx.caches.memo(CATALOG, async () => {
    const offers = await findOffers(ctx.db);
    return {
      offers: new Map(offers.map((o) => [o.code, o])),
      names: new Map(offers.map((o) => [o.code, o.name])),
    };
  });
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

/** An offer by code, retired ones included (an existing line keeps its offer's terms). */
export async function offerByCode(ctx: Ctx, code: string): Promise<Offer | undefined> {
  return (await catalog(ctx)).offers.get(code);
}

/** Display names of every offer ever in the catalogue, retired ones included. */
export async function offerNames(ctx: Ctx): Promise<ReadonlyMap<string, string>> {
  return (await catalog(ctx)).names;
}

/** The offers that can be ordered now, by code: what `GET /offers` shows integrators. */
export async function listActiveOffers(ctx: Ctx): Promise<Offer[]> {
  const { offers } = await catalog(ctx);
  return [...offers.values()].filter((o) => o.active).sort((a, b) => a.code.localeCompare(b.code));
}
