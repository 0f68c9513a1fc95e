import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import type { FieldError } from '../../platform/errors.ts';
import type { Translate } from '../../platform/i18n.ts';
import { ORGANIZATION_NAME_MAX_LENGTH } from '../../platform/limits.ts';
import { isCountryCode } from '../../platform/regions.ts';
import { unprintable } from '../../platform/text.ts';

/** What the wizard and the API accept for a mapping, checked before the database is asked. */

/** The business verticals a new organization may name (labels under wizard.vertical.*). */
export const BUSINESS_VERTICALS = [
  'education',
  'finance',
  'government',
  'healthcare',
  'manufacturing',
  'media',
  'professional_services',
  'retail',
  'technology',
  'other',
] as const;
export type BusinessVertical = (typeof BUSINESS_VERTICALS)[number];

/** A stored business vertical as people read it: the wizard's codes translated, older free text as is. */
export function businessVerticalLabel(t: Translate, value: string): string {
  return (BUSINESS_VERTICALS as readonly string[]).includes(value) ? t(`wizard.vertical.${value}`) : value;
}

export interface NewOrganizationInput {
  name: string;
  businessVertical: string;
  country: string;
}

/** An existing organization (from a match or a search by domain), or a new one. */
export type OrganizationChoice =
  | { organizationId: string; searchedDomain?: string | undefined }
  | { create: NewOrganizationInput };

/** The checks that need no database: each problem named by its field. */
export function newOrganizationProblems(prefix: string, input: NewOrganizationInput): FieldError[] {
  const fields: FieldError[] = [];
  const name = input.name.trim();
  const odd = unprintable(name);
  if (!name) fields.push({ field: `${prefix}.name`, rule: 'required' });
  else if (odd) fields.push({ field: `${prefix}.name`, rule: odd });
  else if (name.length > ORGANIZATION_NAME_MAX_LENGTH)
    fields.push({
      field: `${prefix}.name`,
      rule: 'max_length',
      params: { count: ORGANIZATION_NAME_MAX_LENGTH },
    });
  if (!(BUSINESS_VERTICALS as readonly string[]).includes(input.businessVertical))
    fields.push({ field: `${prefix}.businessVertical`, rule: 'required' });
  if (!isCountryCode(input.country)) fields.push({ field: `${prefix}.country`, rule: 'country' });
  return fields;
}

/** The address as stored, or a field error. */
export function checkedAddress(field: string, value: string | undefined): string | FieldError {
  const text = (value ?? '').trim();
  if (!text) return { field, rule: 'required' };
  if (unprintable(text) || !isValidEmailAddress(text)) return { field, rule: 'email' };
  return normalizeEmail(text);
}
