import type { FieldError } from '../../platform/errors.ts';
import type { Translate } from '../../platform/i18n.ts';
import { fieldMessages } from '../../platform/ui/form.tsx';

/**
 * Field messages written for people. The generic "{field} is required." reads badly when the label
 * is a question or an instruction ("Choose who will set up the services is required."), and a select
 * is never "a two-letter country code" to its reader: such a field gets its own message, keyed by
 * field and rule ("role:required") or by a pattern over the field's name ("*Country:country").
 */
export type CustomMessages = Record<string, string>;

function customKey(custom: CustomMessages, f: FieldError): string | undefined {
  const exact = custom[`${f.field}:${f.rule}`];
  if (exact) return exact;
  for (const [pattern, key] of Object.entries(custom)) {
    const [fieldPattern, rule] = pattern.split(':');
    if (rule !== f.rule || !fieldPattern?.includes('*')) continue;
    const [head = '', tail = ''] = fieldPattern.split('*');
    if (f.field.startsWith(head) && f.field.endsWith(tail)) return key;
  }
  return undefined;
}

export function humanMessages(
  t: Translate,
  fields: FieldError[],
  labels: Record<string, string>,
  custom: CustomMessages,
): Record<string, string> {
  const generic = fieldMessages(t, fields, labels);
  for (const f of fields) {
    const key = customKey(custom, f);
    if (key) generic[f.field] = t(key, { ...f.params });
  }
  return generic;
}
