import type { Executor } from '../../platform/db.ts';
import type { Fulfilment, Offer } from './schema.ts';

function fulfilmentOf(mode: 'none' | 'manual' | 'http', url: string | null): Fulfilment {
  // The table's check ties the URL to the http mode; an http row without one cannot be read.
  if (mode === 'http' && url) return { mode, url };
  return { mode: mode === 'manual' ? 'manual' : 'none' };
}

export async function upsertOffers(db: Executor, offers: Offer[], at: Date): Promise<void> {
  await db
    .insertInto('offers')
    .values(
      offers.map((o) => ({
        code: o.code,
        name: o.name,
        policy_window_days: o.policyWindowDays,
        fulfilment_mode: o.fulfilment.mode,
        fulfilment_url: o.fulfilment.mode === 'http' ? o.fulfilment.url : null,
        active: true,
        updated_at: at,
      })),
    )
    .onConflict((oc) =>
      oc.column('code').doUpdateSet((eb) => ({
        name: eb.ref('excluded.name'),
        policy_window_days: eb.ref('excluded.policy_window_days'),
        fulfilment_mode: eb.ref('excluded.fulfilment_mode'),
        fulfilment_url: eb.ref('excluded.fulfilment_url'),
        active: true,
        updated_at: at,
      })),
    )
    .execute();
  const codes = offers.map((o) => o.code);
  await db.updateTable('offers').set({ active: false }).where('code', 'not in', codes).execute();
  await db.deleteFrom('offer_services').where('offer_code', 'in', codes).execute();
  await db
    .insertInto('offer_services')
    .values(
      offers.flatMap((o) => o.services.map((service) => ({ offer_code: o.code, service_code: service }))),
    )
    .execute();
}

export async function findOffers(db: Executor): Promise<Offer[]> {
  const rows = await db
    .selectFrom('offers')
    .leftJoin('offer_services', 'offer_services.offer_code', 'offers.code')
    .select([
      'offers.code',
      'offers.name',
      'offers.policy_window_days',
      'offers.active',
      'offers.fulfilment_mode',
      'offers.fulfilment_url',
      'offer_services.service_code',
    ])
    .orderBy('offers.code')
    .orderBy('offer_services.service_code')
    .execute();
  const byCode = new Map<string, Offer>();
  for (const row of rows) {
    let offer = byCode.get(row.code);
    if (!offer) {
      offer = {
        code: row.code,
        name: row.name,
        policyWindowDays: row.policy_window_days,
        active: row.active,
        services: [],
        fulfilment: fulfilmentOf(row.fulfilment_mode, row.fulfilment_url),
      };
      byCode.set(row.code, offer);
    }
    if (row.service_code) offer.services.push(row.service_code);
  }
  return [...byCode.values()];
}
