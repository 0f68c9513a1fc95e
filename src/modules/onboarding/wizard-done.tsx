import { displayEmail, normalizeEmail } from '../../platform/email.ts';
import { translator } from '../../platform/i18n.ts';
import { Callout } from '../../platform/ui/components.tsx';
import type { MappingResult } from './mapping.ts';
import { findSetupRow } from './repository.ts';
import { page, type Visit } from './wizard-render.tsx';
import type { WizardState } from './wizard-state.ts';

type Done = Exclude<MappingResult, { next: 'awaiting_approval' }>;

/**
 * After Confirm (the Point of No Return): what just happened, in the contact's words ("Subscription
 * SUB-… is now set up for Acme"), what happens next as the flow really goes, and the one action
 * that continues it (set a password, or sign in), instead of a bare sign-in page.
 */
export async function donePage(v: Visit, state: WizardState, result: Done) {
  const t = translator(v.locale);
  const row = await findSetupRow(v.ctx.db, v.subscriptionId);
  const customer = row?.customer_org_name ?? '';
  const forCustomer = state.role !== 'my_company';
  const admin = forCustomer ? displayEmail(normalizeEmail(state.adminEmail)) : displayEmail(v.contact);
  const contact = displayEmail(v.contact);
  // A name ending in a period ("Globex S.r.l.") ends the sentence too: never "S.r.l..".
  const lead = t('wizard.done.lead', { subscription: v.subscriptionId, customer }).replace(/\.\.$/, '.');
  const adminAlsoAsked = forCustomer && state.setupBy !== 'customer' && state.customerSetsUp === '1';
  const action =
    result.next === 'set_password' ? (
      <a class="button" href={result.url}>
        {t('wizard.done.set_password_button')}
      </a>
    ) : result.next === 'sign_in' ? (
      <a class="button" href={result.url}>
        {t('wizard.done.sign_in_button')}
      </a>
    ) : null;
  return page(
    v,
    t('wizard.done.title'),
    <>
      <Callout tone="success">
        <p>
          <strong>{lead}</strong>
        </p>
      </Callout>
      <section aria-labelledby="done-next">
        <h2 id="done-next">{t('wizard.done.next_title')}</h2>
        <ol class="next-steps">
          <li>
            {t(`wizard.done.next_${result.next}`, {
              email: result.next === 'customer_invited' ? admin : contact,
            })}
          </li>
          {adminAlsoAsked ? <li>{t('wizard.done.admin_also_asked', { email: admin })}</li> : null}
          {result.next === 'set_password' || result.next === 'sign_in' ? (
            <li>{t('wizard.done.then_provision')}</li>
          ) : null}
        </ol>
        {action ? <p class="button-row">{action}</p> : null}
        {result.next === 'set_password' ? <p class="muted">{t('wizard.done.link_once')}</p> : null}
      </section>
    </>,
  );
}
