import type { FieldError } from '../errors.ts';
import { dayInputExample, formatDayInput, parseDayInput, type Reader } from '../format.ts';
import type { Translate } from '../i18n.ts';
import { Field, fieldAttrs } from './components.tsx';

/**
 * A date field that speaks the page's language. `<input type="date">` follows the browser's locale,
 * not the page's (an Italian page showed mm/dd/yyyy), and cannot show a hint; this is a text field
 * that takes the day as the reader writes it ("31/12/2026" in Italian, "12/31/2026" in English,
 * "31.12.2026" in Russian) or ISO 8601, with an example date as its hint.
 */
export function DayInput(props: {
  t: Translate;
  reader: Reader;
  name: string;
  label: string;
  /** What the reader typed, or the `YYYY-MM-DD` a link carried. */
  value: string | undefined;
  errors: Record<string, string>;
}) {
  const { t, reader, name } = props;
  return (
    <Field
      name={name}
      label={props.label}
      hint={t('ui.day_input_hint', { example: dayInputExample(reader) })}
      errors={props.errors}
    >
      <input
        {...fieldAttrs(props.errors, name, true)}
        type="text"
        inputmode="numeric"
        autocomplete="off"
        size={12}
        maxlength={32}
        value={dayInputValue(reader, props.value)}
      />
    </Field>
  );
}

/** What the field shows: a day it could read in the reader's own way, anything else as it was typed. */
export function dayInputValue(reader: Reader, value: string | undefined): string {
  if (!value) return '';
  const day = parseDayInput(reader, value);
  return day ? formatDayInput(reader, day) : value;
}

/**
 * Reads the named date fields of a form or query: each as `YYYY-MM-DD`, or a `day_input` problem
 * naming the field (its message shows an example date in the reader's language). Empty fields are
 * left out.
 */
export function readDayInputs(
  reader: Reader,
  values: Record<string, string | undefined>,
  names: readonly string[],
): { days: Record<string, string>; problems: FieldError[] } {
  const days: Record<string, string> = {};
  const problems: FieldError[] = [];
  for (const name of names) {
    const value = values[name];
    if (!value) continue;
    const day = parseDayInput(reader, value);
    if (day) days[name] = day;
    else problems.push({ field: name, rule: 'day_input', params: { example: dayInputExample(reader) } });
  }
  return { days, problems };
}

/** "31/12/2026 14:30": a day and a time as the reader types them, for the hint and the refusal. */
export function dateTimeInputExample(reader: Reader): string {
  return `${dayInputExample(reader)} 14:30`;
}

/**
 * A day and a time on the reader's clock (their organization's zone, named in the hint), for the same
 * reasons as DayInput: `datetime-local` follows the browser's language and says nothing of the zone.
 */
export function DateTimeInput(props: {
  t: Translate;
  reader: Reader;
  name: string;
  label: string;
  value: string | undefined;
  errors: Record<string, string>;
  required?: boolean;
}) {
  const { t, reader, name } = props;
  const hint = t('ui.datetime_input_hint', {
    example: dateTimeInputExample(reader),
    zone: reader.timeZone ?? 'UTC',
  });
  return (
    <Field name={name} label={props.label} hint={hint} errors={props.errors}>
      <input
        {...fieldAttrs(props.errors, name, true)}
        type="text"
        autocomplete="off"
        size={18}
        maxlength={40}
        required={props.required}
        value={props.value ?? ''}
      />
    </Field>
  );
}
