import type { FieldError } from '../../platform/errors.ts';
import type { MappingInput } from './mapping.ts';
import {
  checkedAddress,
  type NewOrganizationInput,
  newOrganizationProblems,
  type OrganizationChoice,
} from './mapping-input.ts';

/**
 * The wizard keeps every choice in the page (hidden fields), never in the database (W1): leaving
 * saves nothing and the same link starts again. Each POST carries the whole state; the server
 * validates the step being left and renders the next one.
 */

export const STEPS = ['start', 'role', 'setup_by', 'partner', 'admin', 'customer', 'review'] as const;
export type Step = (typeof STEPS)[number];

export const STATE_FIELDS = [
  'role',
  'setupBy',
  'handoffEmail',
  'partnerPick',
  'partnerSearched',
  'partnerName',
  'partnerVertical',
  'partnerCountry',
  'adminEmail',
  'customerPick',
  'customerSearched',
  'customerName',
  'customerVertical',
  'customerCountry',
  'customerSetsUp',
] as const;
export type StateField = (typeof STATE_FIELDS)[number];
export type WizardState = Record<StateField, string>;

/** The form controls each step shows itself (the others travel as hidden fields). */
export const STEP_FIELDS: Record<Step, readonly StateField[]> = {
  start: [],
  role: ['role', 'handoffEmail'],
  setup_by: ['setupBy', 'handoffEmail'],
  partner: ['partnerPick', 'partnerName', 'partnerVertical', 'partnerCountry'],
  admin: ['adminEmail'],
  customer: ['customerPick', 'customerName', 'customerVertical', 'customerCountry'],
  review: ['customerSetsUp'],
};

export function readState(form: Record<string, unknown>): WizardState {
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 300) : '');
  return Object.fromEntries(STATE_FIELDS.map((f) => [f, text(form[f])])) as WizardState;
}

export function isStep(value: unknown): value is Step {
  return typeof value === 'string' && (STEPS as readonly string[]).includes(value);
}

/** The steps this state walks through, in order: "my company" has only the customer side. */
export function path(state: WizardState): Step[] {
  if (state.role === 'my_company') return ['start', 'role', 'customer', 'review'];
  return [...STEPS];
}

export function neighbour(state: WizardState, step: Step, by: 1 | -1): Step {
  const steps = path(state);
  const at = steps.indexOf(step);
  return steps[Math.min(Math.max(at + by, 0), steps.length - 1)] ?? 'start';
}

export type Side = 'partner' | 'customer';

export function newOrganization(state: WizardState, side: Side): NewOrganizationInput {
  return {
    name: state[`${side}Name`],
    businessVertical: state[`${side}Vertical`],
    country: state[`${side}Country`],
  };
}

export function choiceOf(state: WizardState, side: Side): OrganizationChoice {
  const pick = state[`${side}Pick`];
  if (pick === 'create') return { create: newOrganization(state, side) };
  const searched = state[`${side}Searched`];
  return { organizationId: pick, ...(searched ? { searchedDomain: searched } : {}) };
}

/** The problems of a step's own input that need no database (matching is checked by the page). */
export function stepProblems(state: WizardState, step: Step): FieldError[] {
  switch (step) {
    case 'role':
      if (!['customer', 'my_company', 'someone_else'].includes(state.role))
        return [{ field: 'role', rule: 'required' }];
      return state.role === 'someone_else' ? addressProblems('handoffEmail', state.handoffEmail) : [];
    case 'setup_by':
      if (!['self', 'colleague', 'customer'].includes(state.setupBy))
        return [{ field: 'setupBy', rule: 'required' }];
      return state.setupBy === 'colleague' ? addressProblems('handoffEmail', state.handoffEmail) : [];
    case 'partner':
    case 'customer': {
      const pick = state[`${step}Pick`];
      if (!pick) return [{ field: `${step}Pick`, rule: 'required' }];
      if (pick !== 'create') return [];
      const own: Record<string, StateField> = {
        name: `${step}Name`,
        businessVertical: `${step}Vertical`,
        country: `${step}Country`,
      };
      return newOrganizationProblems(step, newOrganization(state, step)).map((f) => ({
        ...f,
        field: own[f.field.slice(step.length + 1)] ?? f.field,
      }));
    }
    case 'admin':
      return addressProblems('adminEmail', state.adminEmail);
    default:
      return [];
  }
}

function addressProblems(field: string, value: string): FieldError[] {
  const checked = checkedAddress(field, value);
  return typeof checked === 'string' ? [] : [checked];
}

/** The mapping the review's Confirm commits. */
export function mappingInput(state: WizardState): MappingInput {
  const forCustomer = state.role !== 'my_company';
  return {
    role: forCustomer ? 'customer' : 'my_company',
    setupBy: state.setupBy === 'customer' ? 'customer' : 'self',
    partner: forCustomer ? choiceOf(state, 'partner') : undefined,
    customerAdminEmail: forCustomer ? state.adminEmail : undefined,
    customer: choiceOf(state, 'customer'),
    customerSetsUpServices: state.customerSetsUp === '1',
  };
}
