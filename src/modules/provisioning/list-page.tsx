import type { Context } from 'hono';
import type { z } from 'zod';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import type { Translate } from '../../platform/i18n.ts';
import { ErrorSummary } from '../../platform/ui/components.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import type { UserEnv } from '../identity/middleware.ts';

/**
 * Runs a list page's query: the filters from the URL, validated by the API's own schema, then the
 * service. A refused filter (a tampered cursor too) comes back as a message naming it, for a 422.
 */
export async function runListQuery<Q, R>(
  c: Context<UserEnv>,
  t: Translate,
  schema: z.ZodType<Q>,
  keys: readonly string[],
  labels: Record<string, string>,
  list: (query: Q) => Promise<R>,
): Promise<{ filters: Record<string, string>; result: R | null; errors: Record<string, string> }> {
  const query = c.req.query();
  const filters = Object.fromEntries(keys.flatMap((k) => (query[k] ? [[k, query[k]]] : []))) as Record<
    string,
    string
  >;
  let problems: FieldError[];
  const parsed = schema.safeParse(filters);
  if (parsed.success) {
    try {
      return { filters, result: await list(parsed.data), errors: {} };
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      problems = error.fields;
    }
  } else {
    problems = fieldErrorsFromZod(parsed.error.issues, filters);
  }
  const errors = Object.fromEntries(
    problems.map((f) => [
      f.field,
      t(`validation.${f.rule}`, { ...f.params, field: t(labels[f.field] ?? f.field) }),
    ]),
  );
  return { filters, result: null, errors };
}

/** A refused filter: the summary that links to each field (the fields show their own message too). */
export function FilterErrors({ t, errors }: { t: Translate; errors: Record<string, string> }) {
  return <ErrorSummary t={t} errors={errors} />;
}

export function Pager(props: {
  t: Translate;
  base: string;
  filters: Record<string, string>;
  nextCursor: string | null;
}) {
  const { cursor, ...rest } = props.filters;
  return (
    <nav class="pager" aria-label={props.t('orders.paging')}>
      {cursor ? (
        <a href={`${props.base}?${new URLSearchParams(rest)}`}>{props.t('orders.first_page')}</a>
      ) : null}
      {props.nextCursor ? (
        <a href={`${props.base}?${new URLSearchParams({ ...rest, cursor: props.nextCursor })}`} rel="next">
          {props.t('orders.next_page')}
        </a>
      ) : null}
    </nav>
  );
}
