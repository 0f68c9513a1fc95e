import type { Child } from 'hono/jsx';
import type { Locale, Translate } from '../../platform/i18n.ts';
import { Callout, Field, FieldGroup, fieldAttrs } from '../../platform/ui/components.tsx';
import { STATE_FIELDS, STEP_FIELDS, type Step, type WizardState } from './wizard-state.ts';

export interface StepProps {
  t: Translate;
  locale: Locale;
  state: WizardState;
  errors: Record<string, string>;
}

/** One step's form: the whole state in hidden fields, the step's controls, Back and Next. */
export function StepForm(props: {
  t: Translate;
  token: string;
  step: Step;
  state: WizardState;
  /** Fields this rendering carries itself although the step does not own them. */
  carried?: string[];
  next?: 'next' | 'confirm' | null;
  /** An organization is shown: the seeds' safety stop goes with it. */
  warn?: boolean;
  children?: Child;
}) {
  const { t, step, state } = props;
  const own = new Set<string>([...STEP_FIELDS[step], ...(props.carried ?? [])]);
  return (
    <form method="post" action={`/setup/${props.token}`} class="wizard" novalidate>
      <input type="hidden" name="step" value={step} />
      {/* Enter in a text field submits with the first button: make that one Next, not Back or Search. */}
      {props.next === null ? null : (
        <button type="submit" name="nav" value={props.next ?? 'next'} class="default-submit" tabindex={-1}>
          {t('wizard.next')}
        </button>
      )}
      {STATE_FIELDS.filter((f) => !own.has(f) && state[f] !== '').map((f) => (
        <input type="hidden" name={f} value={state[f]} />
      ))}
      {props.children}
      {props.warn ? (
        <Callout tone="warning">
          <p>{t('wizard.unrecognised')}</p>
        </Callout>
      ) : null}
      <div class="wizard-nav">
        {step !== 'start' ? (
          <button type="submit" name="nav" value="back" class="secondary" formnovalidate>
            {t('wizard.back')}
          </button>
        ) : null}
        {props.next === null ? null : (
          <button type="submit" name="nav" value={props.next ?? 'next'}>
            {props.next === 'confirm' ? t('wizard.confirm') : t('wizard.next')}
          </button>
        )}
      </div>
    </form>
  );
}

export function Radio(props: {
  name: string;
  value: string;
  checked: boolean;
  label: string;
  hint?: string;
  /** htmx attributes, e.g. to show or hide a dependent fieldset. */
  attrs?: Record<string, string>;
}) {
  const id = `${props.name}-${props.value}`;
  return (
    <div class="choice">
      <input
        type="radio"
        id={id}
        name={props.name}
        value={props.value}
        checked={props.checked}
        {...(props.attrs ?? {})}
        {...(props.hint ? { 'aria-describedby': `${id}-hint` } : {})}
      />
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <p class="muted" id={`${id}-hint`}>
          {props.hint}
        </p>
      ) : null}
    </div>
  );
}

export function EmailField(
  props: StepProps & { name: 'handoffEmail' | 'adminEmail'; label: string; hint?: string },
) {
  const { errors, name } = props;
  return (
    <Field name={name} label={props.label} hint={props.hint} errors={errors}>
      <input
        type="email"
        value={props.state[name]}
        autocomplete="email"
        {...fieldAttrs(errors, name, Boolean(props.hint))}
      />
    </Field>
  );
}

type ChoiceField = 'role' | 'setupBy';

/** A W2 question: radio options in a fieldset, then the address the hand-off option needs. */
function Choice(
  props: StepProps & {
    field: ChoiceField;
    options: { value: string; hint?: boolean }[];
    emailLabel: string;
  },
) {
  const { t, state, errors, field } = props;
  const prefix = field === 'role' ? 'wizard.role' : 'wizard.setup_by';
  return (
    <>
      <FieldGroup name={field} legend={t(`${prefix}.legend`)} errors={errors}>
        {props.options.map((o) => (
          <Radio
            name={field}
            value={o.value}
            checked={state[field] === o.value}
            label={t(`${prefix}.${o.value}`)}
            {...(o.hint ? { hint: t(`${prefix}.${o.value}_hint`) } : {})}
          />
        ))}
      </FieldGroup>
      <EmailField {...props} name="handoffEmail" label={props.emailLabel} />
    </>
  );
}

/** W2: who the order is for. */
export function RoleChoice(props: StepProps) {
  return (
    <Choice
      {...props}
      field="role"
      options={[{ value: 'customer' }, { value: 'my_company' }, { value: 'someone_else', hint: true }]}
      emailLabel={props.t('wizard.role.handoff_email')}
    />
  );
}

/** W2: who sets up the services. */
export function SetupByChoice(props: StepProps) {
  return (
    <Choice
      {...props}
      field="setupBy"
      options={[{ value: 'self' }, { value: 'colleague' }, { value: 'customer', hint: true }]}
      emailLabel={props.t('wizard.setup_by.colleague_email')}
    />
  );
}
