import type { Context, Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { displayEmail, normalizeEmail } from '../../platform/email.ts';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import { type AppEnv, LANG_COOKIE } from '../../platform/http.ts';
import { isLocale, type Locale, translator } from '../../platform/i18n.ts';
import { admitOrganizationSearch, matchOrganizations } from '../identity/matching.ts';
import { openSetupLink } from '../provisioning/links.ts';
import { changeProvisioningContact } from '../provisioning/service.ts';
import { joinRequestOf, withdrawJoinRequest } from './consent.ts';
import { completeMapping } from './mapping.ts';
import { findSetupRow } from './repository.ts';
import { donePage } from './wizard-done.tsx';
import { emailFor, page, renderStep, searchFor, sideOf, type Visit } from './wizard-render.tsx';
import { SubscriptionFacts } from './wizard-review.tsx';
import {
  isStep,
  mappingInput,
  neighbour,
  readState,
  type Step,
  stepProblems,
  type WizardState,
} from './wizard-state.ts';
import { ConsentNotice, waitingPage } from './wizard-waiting.tsx';

/** Checks a step against the database (matching, W5) once its own input is well-formed. */
async function matchProblems(v: Visit, state: WizardState, step: Step): Promise<FieldError[]> {
  const side = sideOf(step) ?? (step === 'admin' ? 'customer' : null);
  if (!side) return [];
  const email = emailFor(v, state, side);
  if (step === 'admin' && email === v.contact)
    return [{ field: 'adminEmail', rule: 'wizard_admin_is_contact' }];
  const match = await matchOrganizations(v.ctx, v.subscriptionId, { email, side });
  if (match.outcome === 'taken')
    return [
      {
        field: step === 'admin' ? 'adminEmail' : `${side}Pick`,
        rule: 'wizard_email_in_other_organization',
        params: { organization: match.organizationName },
      },
    ];
  if (step === 'admin') return [];
  const pick = state[`${side}Pick`];
  if (pick === 'create')
    return match.outcome === 'exact'
      ? [{ field: `${side}Pick`, rule: 'wizard_organization_not_offered' }]
      : [];
  const domain = state[`${side}Searched`];
  const offered = [
    ...(match.outcome === 'exact'
      ? [match.organization]
      : match.outcome === 'domain'
        ? match.candidates
        : []),
    ...(domain ? (await searchFor(v, domain, side)).results : []),
  ];
  return offered.some((o) => o.id === pick)
    ? []
    : [{ field: `${side}Pick`, rule: 'wizard_organization_not_offered' }];
}

/** W2: someone else completes the order: a contact change of this line; this link ends. */
async function handOff(v: Visit, state: WizardState, step: Step) {
  const t = translator(v.locale);
  try {
    await changeProvisioningContact(v.ctx, v.orderId, v.lineId, {
      email: state.handoffEmail,
      applyToAllLines: false,
    });
  } catch (error) {
    if (error instanceof DomainError && error.fields.length) return renderStep(v, state, step, error.fields);
    throw error;
  }
  const to = displayEmail(normalizeEmail(state.handoffEmail));
  return page(
    v,
    t('wizard.handed_off.title'),
    <p class="notice">{t('wizard.handed_off.detail', { email: to })}</p>,
  );
}

async function confirm(v: Visit, state: WizardState) {
  const t = translator(v.locale);
  try {
    const result = await completeMapping(v.ctx, v.subscriptionId, mappingInput(state));
    if (result.next !== 'awaiting_approval') return donePage(v, state, result);
    const request = await joinRequestOf(v.ctx, v.subscriptionId);
    if (request) return waitingPage(v, request);
    return page(v, t('consent.waiting.title'), <p>{t('consent.status.awaiting_approval')}</p>);
  } catch (error) {
    if (!(error instanceof DomainError) || error.status >= 500) throw error;
    if (error.fields.length) return renderStep(v, state, 'review', error.fields);
    // A limit (organizations created per hour) keeps its 429 and says when to try again, as the API does.
    const retryAfter = error.params.retryAfterSeconds;
    if (typeof retryAfter === 'number') v.c.header('Retry-After', String(retryAfter));
    return page(
      v,
      t(`errors.${error.code}.title`),
      <p>{t(`errors.${error.code}.detail`, error.params)}</p>,
      error.status === 429 ? 429 : 409,
    );
  }
}

async function visit(c: Context<AppEnv>, form: Record<string, unknown> | null) {
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Cache-Control', 'no-store');
  const base = c.get('ctx');
  const token = c.req.param('token') ?? '';
  // A GET (or HEAD) may be a mail scanner: only a posted step is a person using the link.
  const link = await openSetupLink(base, token, { used: form !== null });
  const chosen = [c.req.query('lang'), getCookie(c, LANG_COOKIE)].find(isLocale);
  // W1: the wizard opens in the email's language unless the visitor chose one.
  const locale: Locale = chosen ?? (link.state === 'live' ? link.orderLocale : c.get('locale'));
  const t = translator(locale);
  const bare = {
    c,
    ctx: base,
    locale,
    token,
    subscriptionId: '',
    orderId: '',
    lineId: '',
    contact: '',
    facts: null,
  };
  if (link.state === 'unknown')
    return page(
      bare,
      t('provisioning.setup.invalid_title'),
      <p>{t('provisioning.setup.invalid_detail')}</p>,
      404,
    );
  if (link.state === 'ended')
    return page(
      bare,
      t(`provisioning.setup.ended.${link.reason}.title`),
      <>
        <p>
          {link.reason === 'mapped'
            ? t('wizard.ended_mapped')
            : t(`provisioning.setup.ended.${link.reason}.detail`, { adminHubUrl: base.config.adminHubUrl })}
        </p>
        {link.reason === 'mapped' ? (
          <p class="button-row">
            <a class="button" href={base.config.adminHubUrl}>
              {t('wizard.done.sign_in_button')}
            </a>
          </p>
        ) : null}
      </>,
      410,
    );
  const { line } = link;
  const contact = normalizeEmail(line.provisioningContactEmail);
  const summary = (
    <SubscriptionFacts t={t} locale={locale} orderReference={link.orderReference} line={line} />
  );
  const order = await findSetupRow(base.db, line.subscriptionId);
  const v: Visit = {
    ...bare,
    ctx: {
      ...base,
      locale,
      actor: {
        type: 'setup_link',
        linkId: link.linkId,
        lineId: line.id,
        subscriptionId: line.subscriptionId,
        email: contact,
      },
    },
    subscriptionId: line.subscriptionId,
    summary,
    orderId: link.orderId,
    lineId: line.id,
    contact,
    ...(order ? { endCustomer: { name: order.end_customer_name, country: order.end_customer_country } } : {}),
    facts: (
      <>
        {summary}
        <p>{t('wizard.start.intro')}</p>
      </>
    ),
  };
  // While an organization's admins decide, the link shows the wait (and the way out) only.
  let request = await joinRequestOf(v.ctx, v.subscriptionId);
  // A request made for an earlier contact is not this visitor's to wait on or withdraw.
  if (request && request.contactEmail !== contact) request = undefined;
  if (request?.status === 'pending' && form?.nav === 'withdraw') {
    await withdrawJoinRequest(v.ctx, v.subscriptionId);
    request = await joinRequestOf(v.ctx, v.subscriptionId);
  } else if (request?.status === 'pending') return waitingPage(v, request);
  v.facts = (
    <>
      <ConsentNotice v={v} request={request} />
      {v.facts}
    </>
  );
  if (!form || form.nav === 'withdraw') return renderStep(v, readState({}), 'start');
  const state = readState(form);
  const step: Step = isStep(form.step) ? form.step : 'start';
  const side = sideOf(step);
  if (form.nav === 'back') return renderStep(v, state, neighbour(state, step, -1));
  // A radio picked (htmx): the same step again, so the create fieldset shows or hides; nothing checked.
  if (form.nav === 'pick') return renderStep(v, state, step);
  if (form.nav === 'search' && side) {
    const domain = typeof form.searchDomain === 'string' ? form.searchDomain.trim().slice(0, 253) : '';
    if (domain) await admitOrganizationSearch(v.ctx);
    return renderStep(v, { ...state, [`${side}Searched`]: domain }, step);
  }
  const problems = stepProblems(state, step);
  if (problems.length) return renderStep(v, state, step, problems);
  if (
    (step === 'role' && state.role === 'someone_else') ||
    (step === 'setup_by' && state.setupBy === 'colleague')
  )
    return handOff(v, state, step);
  const unmatched = await matchProblems(v, state, step);
  if (unmatched.length) return renderStep(v, state, step, unmatched);
  if (step === 'review') return confirm(v, state);
  return renderStep(v, state, neighbour(state, step, 1));
}

/**
 * `/setup/<token>`: the wizard the provisioning email's *Set up now* button opens (W1–W8). No
 * sign-in: the token is the key, checked on every request. The token never reaches a log (the
 * request log masks the path) or another site (no referrer), and no cache keeps the page.
 */
export function registerWizardPages(app: Hono<AppEnv>): void {
  app.get('/setup/:token', (c) => visit(c, null));
  app.post('/setup/:token', async (c) => visit(c, await c.req.parseBody()));
}
