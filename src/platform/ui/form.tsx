import type { FieldError } from '../errors.ts';
import type { Translate } from '../i18n.ts';

/** Field messages of a refused form, each naming the field as its label does. */
export function fieldMessages(
  t: Translate,
  fields: FieldError[],
  labels: Record<string, string>,
): Record<string, string> {
  return Object.fromEntries(
    fields.map((f) => [
      f.field,
      t(`validation.${f.rule}`, { ...f.params, field: labels[f.field] ? t(labels[f.field] ?? '') : f.field }),
    ]),
  );
}

/** Marks an input invalid and ties it to its message (see FieldMessage). */
export function invalid(errors: Record<string, string>, field: string) {
  return errors[field] ? { 'aria-invalid': 'true', 'aria-describedby': `error-${field}` } : {};
}

export function FieldMessage({ errors, field }: { errors: Record<string, string>; field: string }) {
  return errors[field] ? (
    <p class="field-error" id={`error-${field}`}>
      {errors[field]}
    </p>
  ) : null;
}
