import type { Child } from 'hono/jsx';
import type { Translate } from '../i18n.ts';

/**
 * The one visual language (ADR 0033): every form field, error summary, step indicator, table, status
 * badge and empty state is drawn by these components, so a page never styles its own. The styles are
 * Pico CSS's plus app.css's layer on it; class names here are the only ones pages rely on.
 */

/** id, aria-invalid and aria-describedby for a field's input: its hint and its message read with it. */
export function fieldAttrs(errors: Record<string, string>, name: string, hint?: boolean) {
  const described = [hint ? `hint-${name}` : '', errors[name] ? `error-${name}` : '']
    .filter(Boolean)
    .join(' ');
  return {
    id: name,
    name,
    ...(errors[name] ? { 'aria-invalid': 'true' } : {}),
    ...(described ? { 'aria-describedby': described } : {}),
  };
}

/**
 * A field: label above, then its hint, then its message, then the input (GOV.UK's order, so a screen
 * reader and a reader's eye meet the message before the input). Give the input `fieldAttrs(…)`.
 */
export function Field(props: {
  name: string;
  label: string;
  hint?: string | undefined;
  errors: Record<string, string>;
  optional?: string | undefined;
  children?: Child;
}) {
  const { name, errors } = props;
  return (
    <div class={errors[name] ? 'field field-invalid' : 'field'}>
      <label for={name}>
        {props.label}
        {props.optional ? <span class="optional"> ({props.optional})</span> : null}
      </label>
      {props.hint ? (
        <p class="hint" id={`hint-${name}`}>
          {props.hint}
        </p>
      ) : null}
      {errors[name] ? (
        <p class="field-error" id={`error-${name}`}>
          {errors[name]}
        </p>
      ) : null}
      {props.children}
    </div>
  );
}

/** A group of radios or checkboxes: a legend for the question, the same hint and message as Field. */
export function FieldGroup(props: {
  name: string;
  legend: string;
  hint?: string | undefined;
  errors: Record<string, string>;
  children?: Child;
}) {
  const { name, errors } = props;
  return (
    <fieldset class={errors[name] ? 'field field-invalid' : 'field'} id={name} tabindex={-1}>
      <legend>{props.legend}</legend>
      {props.hint ? <p class="hint">{props.hint}</p> : null}
      {errors[name] ? (
        <p class="field-error" id={`error-${name}`}>
          {errors[name]}
        </p>
      ) : null}
      {props.children}
    </fieldset>
  );
}

/** At the top of a refused form: what is wrong, each message a link to its field. */
export function ErrorSummary({ t, errors }: { t: Translate; errors: Record<string, string> }) {
  const entries = Object.entries(errors);
  if (!entries.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex={-1}>
      <h2 id="error-summary-title">{t('ui.error_summary_title', { count: entries.length })}</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>
            <a href={`#${field}`}>{message}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export type StepState = 'done' | 'current' | 'todo';

/** The one step indicator: numbered, the current step marked for assistive technology too. */
export function Steps({
  t,
  steps,
}: {
  t: Translate;
  steps: { label: string; state: StepState; href?: string }[];
}) {
  return (
    <nav aria-label={t('ui.steps')} class="steps-nav">
      <ol class="steps">
        {steps.map((s, i) => (
          <li class={`step step-${s.state}`} {...(s.state === 'current' ? { 'aria-current': 'step' } : {})}>
            <span class="step-number" aria-hidden="true">
              {i + 1}
            </span>
            {s.href && s.state === 'done' ? (
              <a href={s.href}>{s.label}</a>
            ) : (
              <span class="step-label">{s.label}</span>
            )}
            {s.state === 'done' ? <span class="visually-hidden"> ({t('ui.step_done')})</span> : null}
          </li>
        ))}
      </ol>
    </nav>
  );
}

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

/** One status badge: its words say the state, its tone only repeats it. */
export function Badge({ tone, children }: { tone: Tone; children?: Child }) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** A wide table: it scrolls inside its own frame on a phone (keyboard-focusable, named). */
export function TableFrame({ label, children }: { label: string; children?: Child }) {
  return (
    // Focusable so a keyboard can scroll it (WCAG 2.1.1); named, so the focus says what it is.
    <section class="table-scroll" aria-label={label} tabindex={0}>
      {children}
    </section>
  );
}

/** What a list says when it has nothing yet, and the one thing to do about it. */
export function EmptyState({ title, body, action }: { title: string; body?: string; action?: Child }) {
  return (
    <div class="empty-state">
      <p class="empty-title">{title}</p>
      {body ? <p class="muted">{body}</p> : null}
      {action ?? null}
    </div>
  );
}

/** A message beside the content: the tone a choice needs (caution where it needs care). */
export function Callout({ tone, title, children }: { tone: Tone; title?: string; children?: Child }) {
  return (
    <div class={`callout callout-${tone}`} role={tone === 'danger' ? 'alert' : 'status'}>
      {title ? <p class="callout-title">{title}</p> : null}
      {children}
    </div>
  );
}

/**
 * The confirmation of a destructive or billing action, as its own page (no script needed): what will
 * happen, the action as the primary button, and a way back.
 */
export function ConfirmPanel(props: {
  title: string;
  consequence: Child;
  action: string;
  hidden: Record<string, string>;
  confirmLabel: string;
  cancelHref: string;
  cancelLabel: string;
  danger?: boolean;
}) {
  return (
    <section class="confirm card" aria-labelledby="confirm-title">
      <h1 id="confirm-title">{props.title}</h1>
      <div class="confirm-consequence">{props.consequence}</div>
      <form method="post" action={props.action} class="button-row">
        {Object.entries(props.hidden).map(([name, value]) => (
          <input type="hidden" name={name} value={value} />
        ))}
        <button type="submit" class={props.danger ? 'danger' : undefined}>
          {props.confirmLabel}
        </button>
        <a class="button secondary" href={props.cancelHref}>
          {props.cancelLabel}
        </a>
      </form>
    </section>
  );
}

/** An identifier (order, subscription or case number): never broken across two lines. */
export function Id({ children }: { children?: Child }) {
  return <span class="id">{children}</span>;
}
