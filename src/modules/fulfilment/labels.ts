import type { Locale } from '../../platform/i18n.ts';
import { type AnswerMessage, messageFor, UNREACHABLE_CODE } from './schema.ts';

/** How fulfilment outcomes read to people, in their language: field names and reasons. */

type T = (key: string, values?: Record<string, string | number>) => string;

const LOCATION_KEYS: Record<string, string> = {
  name: 'name',
  country: 'country',
  addressLine1: 'address_line1',
  addressLine2: 'address_line2',
  city: 'city',
  stateRegion: 'state_region',
  postalCode: 'postal_code',
  timeZone: 'time_zone',
  language: 'language',
};
const SITE_KEYS: Record<string, string> = {
  name: 'site_name',
  timeZone: 'time_zone',
  earlyRelease: 'early_release',
  licenses: 'licences',
};

/** A setup field the vendor named (`sites[0].name`, `location.city`, `subdomain`) as the setup pages label it. */
export function fieldLabel(t: T, path: string): string {
  const site = /^sites\[(\d+)\](?:\.(\w+))?$/.exec(path);
  if (site) {
    const which = t('services.meetings.site', { n: Number(site[1]) + 1 });
    const key = site[2] ? SITE_KEYS[site[2]] : undefined;
    return key ? `${which}: ${t(`services.meetings.${key}`)}` : which;
  }
  if (path === 'sites') return t('services.step.meetings');
  const location = /^location\.(\w+)$/.exec(path);
  const key = location?.[1] ? LOCATION_KEYS[location[1]] : undefined;
  if (key) return `${t('services.summary.location')}: ${t(`services.calling.${key}`)}`;
  if (path === 'location') return t('services.summary.location');
  return t('services.enterprise.subdomain');
}

/**
 * Why provisioning failed, for a reader of `locale`: Provisio's own reasons from the catalogs, the
 * vendor's (or operator's) message in the reader's language when the vendor gave one.
 */
export function failureReason(
  t: T,
  locale: Locale,
  code: string | null,
  message: AnswerMessage | null,
): string {
  if (code === UNREACHABLE_CODE) return t('fulfilment.reason.unreachable');
  return messageFor(message, locale) ?? t('fulfilment.reason.unknown');
}
