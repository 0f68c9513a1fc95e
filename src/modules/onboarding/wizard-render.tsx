import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { Ctx } from '../../platform/context.ts';
import { normalizeEmail } from '../../platform/email.ts';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import type { AppEnv } from '../../platform/http.ts';
import { type Locale, translator } from '../../platform/i18n.ts';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import {
  describeOrganization,
  matchOrganizations,
  searchOrganizationsByDomain,
} from '../identity/matching.ts';
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

export async function renderStep(v: Visit, state: WizardState, step: Step, fields: FieldError[] = []) {
  const t = translator(v.locale);
  const errors = fieldMessages(t, fields, LABELS);
  const props = { t, locale: v.locale, state, errors };
  const steps = path(state);
  let body: Child = null;
  let next: 'next' | 'confirm' | null = 'next';
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
    body = <MatchStep {...props} side={side} email={email} match={match} search={search} />;
  } else {
    const describe = async (s: Side) => {
      const choice = choiceOf(state, s);
      return 'organizationId' in choice ? describeOrganization(v.ctx, choice.organizationId, s) : undefined;
    };
    const [partner, customer] = await Promise.all([describe('partner'), describe('customer')]);
    next = 'confirm';
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
  const refusals = fields.filter((f) => !(f.field in LABELS) || !errors[f.field]);
  return page(
    v,
    t(`wizard.${step}.title`),
    <>
      <p class="muted">{t('wizard.progress', { step: steps.indexOf(step) + 1, total: steps.length })}</p>
      {refusals.length ? (
        <p class="error" role="alert">
          {refusals.map((f) => errors[f.field] ?? t(`validation.${f.rule}`, { field: f.field })).join(' ')}
        </p>
      ) : null}
      <StepForm
        t={t}
        token={v.token}
        step={step}
        state={state}
        next={next}
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
