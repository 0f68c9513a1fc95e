import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Ctx } from '../../platform/context.ts';
import { normalizeEmail } from '../../platform/email.ts';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import type { AppEnv } from '../../platform/http.ts';
import { type Locale, translator } from '../../platform/i18n.ts';
import { ErrorSummary, Steps } from '../../platform/ui/components.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import {
  describeOrganization,
  matchOrganizations,
  searchOrganizationsByDomain,
} from '../identity/matching.ts';
import { type CustomMessages, humanMessages } from './form-messages.ts';
import { MatchStep } from './wizard-match.tsx';
import { Review } from './wizard-review.tsx';
import { choiceOf, path, type Side, type Step, type WizardState } from './wizard-state.ts';
import { EmailField, RoleChoice, SetupByChoice, StepForm } from './wizard-views.tsx';

/** Field names as their labels read, for the messages that name them. */
export const LABELS: Record<string, string> = {
  role: 'wizard.role.legend',
  setupBy: 'wizard.setup_by.legend',
  handoffEmail: 'wizard.role.handoff_email',
  adminEmail: 'wizard.admin.label',
  customerAdminEmail: 'wizard.admin.label',
  partnerPick: 'wizard.match.pick',
  customerPick: 'wizard.match.pick',
  partner: 'wizard.review.partner',
  customer: 'wizard.review.customer',
  partnerName: 'wizard.create.name',
  customerName: 'wizard.create.name',
  partnerVertical: 'wizard.create.vertical',
  customerVertical: 'wizard.create.vertical',
  partnerCountry: 'wizard.create.country',
  customerCountry: 'wizard.create.country',
};

/** Where the generic "{field} is required." would read badly: the wizard's own words. */
const MESSAGES: CustomMessages = {
  'role:required': 'wizard.errors.role',
  'setupBy:required': 'wizard.errors.setup_by',
  '*Pick:required': 'wizard.errors.pick',
  '*Name:required': 'wizard.errors.company_name',
  '*Vertical:required': 'wizard.errors.vertical',
  '*Country:country': 'wizard.errors.country',
  'adminEmail:required': 'wizard.errors.admin_email',
  'adminEmail:email': 'wizard.errors.admin_email_format',
  'handoffEmail:required': 'wizard.errors.handoff_email',
  'handoffEmail:email': 'wizard.errors.handoff_email_format',
};

export interface Visit {
  c: Context<AppEnv>;
  ctx: Ctx;
  locale: Locale;
  token: string;
  subscriptionId: string;
  orderId: string;
  lineId: string;
  contact: string;
  facts: Child;
  /** The subscription's facts alone, without the wizard's introduction (the waiting page). */
  summary?: Child;
  /** The order's end customer, to prefill a new customer organization. */
  endCustomer?: { name: string; country: string | null };
}

/** The page, in the visit's language; the language switch comes back to the same link. */
export function page(v: Visit, title: string, body: Child, status: 200 | 404 | 410 | 409 | 422 | 429 = 200) {
  const t = translator(v.locale);
  return v.c.html(
    <Layout t={t} locale={v.locale} title={title} path={v.c.req.path}>
      <h1>{title}</h1>
      {body}
    </Layout>,
    status,
  );
}

export function sideOf(step: Step): Side | null {
  return step === 'partner' || step === 'customer' ? step : null;
}

/** The email whose match a side shows: the contact's for the partner, the admin's for the customer. */
export function emailFor(v: Visit, state: WizardState, side: Side): string {
  return side === 'partner' || state.role === 'my_company' ? v.contact : normalizeEmail(state.adminEmail);
}

/** The customer's create form starts from the order's end customer, until the contact types. */
function prefilled(v: Visit, state: WizardState, step: Step): WizardState {
  if (step !== 'customer' || !v.endCustomer) return state;
  if (state.customerName || state.customerVertical || state.customerCountry) return state;
  return { ...state, customerName: v.endCustomer.name, customerCountry: v.endCustomer.country ?? '' };
}

export async function renderStep(v: Visit, given: WizardState, step: Step, fields: FieldError[] = []) {
  const t = translator(v.locale);
  const state = prefilled(v, given, step);
  const errors = humanMessages(t, fields, LABELS, MESSAGES);
  const props = { t, locale: v.locale, state, errors };
  const steps = path(state);
  let body: Child = null;
  let next: 'next' | 'confirm' | null = 'next';
  // The "do not continue" warning belongs where an organization is shown, not on every step.
  let showsOrganization = false;
  const side = sideOf(step);
  if (step === 'start') body = v.facts;
  else if (step === 'role') body = <RoleChoice {...props} />;
  else if (step === 'setup_by') body = <SetupByChoice {...props} />;
  else if (step === 'admin')
    body = (
      <>
        <EmailField {...props} name="adminEmail" label={t('wizard.admin.label')} />
        <p class="muted">{t('wizard.admin.one_org')}</p>
      </>
    );
  else if (side) {
    const email = emailFor(v, state, side);
    const match = await matchOrganizations(v.ctx, v.subscriptionId, { email, side });
    const domain = state[`${side}Searched`];
    const search = domain ? await searchFor(v, domain, side) : null;
    if (search?.refusal)
      errors.searchDomain = t(`validation.${search.refusal}`, { field: t('wizard.match.search_label') });
    if (match.outcome === 'taken') next = null;
    showsOrganization =
      match.outcome === 'exact' || match.outcome === 'domain' || Boolean(search?.results.length);
    const whose = side === 'customer' && state.role !== 'my_company' ? 'admin' : 'own';
    body = (
      <MatchStep
        {...props}
        token={v.token}
        side={side}
        email={email}
        whose={whose}
        match={match}
        search={search}
      />
    );
  } else {
    const describe = async (s: Side) => {
      const choice = choiceOf(state, s);
      return 'organizationId' in choice ? describeOrganization(v.ctx, choice.organizationId, s) : undefined;
    };
    const [partner, customer] = await Promise.all([describe('partner'), describe('customer')]);
    next = 'confirm';
    showsOrganization = Boolean(partner || customer);
    body = (
      <Review
        t={t}
        locale={v.locale}
        state={state}
        contact={v.contact}
        partner={partner}
        customer={customer}
      />
    );
  }
  const at = steps.indexOf(step);
  return page(
    v,
    t(`wizard.${step}.title`),
    <>
      <Steps
        t={t}
        steps={steps.map((s, i) => ({
          label: t(`wizard.steps.${s}`),
          state: i < at ? 'done' : i === at ? 'current' : 'todo',
        }))}
      />
      <p class="muted">{t('wizard.progress', { step: at + 1, total: steps.length })}</p>
      <ErrorSummary t={t} errors={errors} />
      <StepForm
        t={t}
        token={v.token}
        step={step}
        state={state}
        next={next}
        warn={showsOrganization}
        carried={side ? [`${side}Searched`] : []}
      >
        {side ? <input type="hidden" name={`${side}Searched`} value={state[`${side}Searched`]} /> : null}
        {body}
      </StepForm>
    </>,
    fields.length ? 422 : 200,
  );
}

/** The global search by domain; a domain that cannot be searched (free mail, a suffix) says why. */
export async function searchFor(v: Visit, domain: string, side: Side) {
  try {
    return { domain, results: await searchOrganizationsByDomain(v.ctx, v.subscriptionId, { domain, side }) };
  } catch (error) {
    const rule = error instanceof DomainError ? error.fields[0]?.rule : undefined;
    if (!rule) throw error;
    return { domain, results: [], refusal: rule };
  }
}
