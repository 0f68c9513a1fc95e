import { z } from '@hono/zod-openapi';
import type { Child } from 'hono/jsx';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import type { Translate } from '../../platform/i18n.ts';
import { CURSOR_MAX_LENGTH } from '../../platform/limits.ts';
import { Callout, ErrorSummary, Field, fieldAttrs } from '../../platform/ui/components.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import type { PartnerChoice } from '../identity/partner-choices.ts';

/**
 * The back office's lists are filtered by GET parameters, so a filtered list is a link an operator can
 * keep, share and page through: `partner` (an organization id), `age` (older than 1, 7 or 30 days),
 * a list's own `status`, and `cursor` for the next page, which carries every other filter with it.
 */
export const AGES = ['1', '7', '30'] as const;
export type Age = (typeof AGES)[number];

const DAY_MS = 86_400_000;

/** The instant "older than" an age means, measured from now. */
export function olderThan(now: Date, age: Age | undefined): Date | undefined {
  return age ? new Date(now.getTime() - Number(age) * DAY_MS) : undefined;
}

/** Filters every list shares; each list adds its own `status` (and more) to these. */
export const commonFilters = {
  partner: z.uuid().optional(),
  age: z.enum(AGES).optional(),
  cursor: z.string().max(CURSOR_MAX_LENGTH).optional(),
};

/** The query's non-empty values among `names`: an "any" choice sends an empty value, which is no filter. */
export function filterValues(
  query: Record<string, string>,
  names: readonly string[],
): Record<string, string> {
  return Object.fromEntries(names.flatMap((k) => (query[k] ? [[k, query[k]]] : [])));
}

/** Each refused filter's message, naming the filter as its label does. */
export function filterMessages(
  t: Translate,
  fields: FieldError[],
  labels: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    fields.map((f) => [
      f.field,
      t(`validation.${f.rule}`, { ...f.params, field: t(labels[f.field] ?? 'backoffice.filters') }),
    ]),
  );
}

export interface Filtered<T> {
  /** The filters as the address gave them (non-empty values only). */
  filters: Record<string, string>;
  /** Messages of refused filters; the list is then not read. */
  errors: Record<string, string>;
  result: T | null;
}

/**
 * Reads a list's filters from the query and loads the list with them. A filter the schema refuses, or
 * a cursor the service cannot read (tampered with), is a message, not a list: the page answers 400.
 */
export async function loadFiltered<S extends z.ZodType, T>(
  t: Translate,
  query: Record<string, string>,
  schema: S,
  labels: Record<string, string>,
  load: (data: z.infer<S>) => Promise<T>,
): Promise<Filtered<T>> {
  const filters = filterValues(query, Object.keys(labels));
  const parsed = schema.safeParse(filters);
  let problems: FieldError[];
  if (parsed.success) {
    try {
      return { filters, errors: {}, result: await load(parsed.data) };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      problems = error.fields;
    }
  } else {
    problems = fieldErrorsFromZod(parsed.error.issues, filters);
  }
  return { filters, errors: filterMessages(t, problems, labels), result: null };
}

/** The link to the next page: the same filters, and the cursor. */
export function nextPageHref(base: string, filters: Record<string, string>, cursor: string): string {
  const { cursor: _current, ...kept } = filters;
  return `${base}?${new URLSearchParams({ ...kept, cursor })}`;
}

export function PartnerSelect(p: {
  t: Translate;
  partners: PartnerChoice[];
  value: string | undefined;
  errors: Record<string, string>;
}) {
  return (
    <Field name="partner" label={p.t('backoffice.partner')} errors={p.errors}>
      <select {...fieldAttrs(p.errors, 'partner')}>
        <option value="">{p.t('backoffice.any_partner')}</option>
        {p.partners.map((o) => (
          <option value={o.id} selected={p.value === o.id}>
            {o.name}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function AgeSelect(p: { t: Translate; value: string | undefined; errors: Record<string, string> }) {
  return (
    <Field name="age" label={p.t('backoffice.age')} errors={p.errors}>
      <select {...fieldAttrs(p.errors, 'age')}>
        <option value="">{p.t('backoffice.any_age')}</option>
        {AGES.map((a) => (
          <option value={a} selected={p.value === a}>
            {p.t('backoffice.older_than_days', { count: Number(a) })}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function StatusSelect(p: {
  t: Translate;
  name?: string;
  label: string;
  anyLabel?: string;
  choices: { value: string; label: string }[];
  value: string | undefined;
  errors: Record<string, string>;
}) {
  const name = p.name ?? 'status';
  return (
    <Field name={name} label={p.label} errors={p.errors}>
      <select {...fieldAttrs(p.errors, name)}>
        {p.anyLabel ? <option value="">{p.anyLabel}</option> : null}
        {p.choices.map((s) => (
          <option value={s.value} selected={p.value === s.value}>
            {s.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

/**
 * The filter form above a list (GET, so the filters are the page's address). A refused cursor is not a
 * field of the form: it is told beside it, with the way back to the first page.
 */
export function FilterForm(p: {
  t: Translate;
  action: string;
  errors: Record<string, string>;
  children?: Child;
}) {
  const { cursor, ...fieldErrors } = p.errors;
  return (
    <>
      <ErrorSummary t={p.t} errors={fieldErrors} />
      {cursor ? (
        <Callout tone="danger" title={p.t('backoffice.bad_cursor')}>
          <p>
            <a href={p.action}>{p.t('backoffice.first_page')}</a>
          </p>
        </Callout>
      ) : null}
      <form method="get" action={p.action} class="filters" aria-label={p.t('backoffice.filters')}>
        {p.children}
        <div class="button-row">
          <button type="submit">{p.t('backoffice.apply_filters')}</button>
          <a class="button secondary" href={p.action}>
            {p.t('backoffice.clear_filters')}
          </a>
        </div>
      </form>
    </>
  );
}

export function NextPage({ t, href }: { t: Translate; href: string | null }) {
  return href ? (
    <nav class="pager" aria-label={t('backoffice.paging')}>
      <a href={href} rel="next">
        {t('orders.next_page')}
      </a>
    </nav>
  ) : null;
}
