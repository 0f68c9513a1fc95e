import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { DomainError } from '../../platform/errors.ts';
import type { Reader } from '../../platform/format.ts';
import { type Locale, type Translate, translator } from '../../platform/i18n.ts';
import { suggestedTimeZone } from '../../platform/time-zones.ts';
import { Layout } from '../../platform/ui/layout.tsx';
import { latestRequestViews } from '../fulfilment/requests.ts';
import { FulfilmentPanel, isFulfilmentStage } from '../fulfilment/views.tsx';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { mayPlaceOrders } from '../identity/policy.ts';
import { type CustomMessages, humanMessages } from '../onboarding/form-messages.ts';
import { provisionSubscription } from './provision.ts';
import {
  Facts,
  isRetry,
  ProvisionConfirm,
  ProvisionStep,
  ReviewStep,
  StepNav,
  SummaryStep,
} from './service-review.tsx';
import { saveCallingLocation, saveEnterpriseSubdomain, saveMeetingSites } from './service-saves.ts';
import {
  CallingStep,
  EnterpriseStep,
  type Errors,
  MeetingsStep,
  pageUrl,
  type Screen,
  type SiteDraft,
  SiteUrl,
  type StepContext,
  siteUrl,
} from './service-views.tsx';
import {
  checkSiteNameAvailability,
  checkSubdomainAvailability,
  MAX_SITES,
  type SetupProgress,
  setupProgress,
} from './services.ts';
import { orderSummaryPdf } from './summary-pdf.ts';

type C = Context<UserEnv>;
const SCREENS = new Set<Screen>([
  'review',
  'meetings',
  'calling',
  'enterprise',
  'provision',
  'confirm',
  'done',
  'summary',
]);
const LABELS: Record<string, string> = {
  sites: 'services.meetings.licences',
  name: 'services.calling.name',
  country: 'services.calling.country',
  addressLine1: 'services.calling.address_line1',
  addressLine2: 'services.calling.address_line2',
  city: 'services.calling.city',
  stateRegion: 'services.calling.state_region',
  postalCode: 'services.calling.postal_code',
  timeZone: 'services.calling.time_zone',
  language: 'services.calling.language',
  subdomain: 'services.enterprise.subdomain',
  ...Object.fromEntries(
    Array.from({ length: MAX_SITES }, (_, i) => [
      [`sites[${i}].name`, 'services.meetings.site_name'],
      [`sites[${i}].timeZone`, 'services.meetings.time_zone'],
      [`sites[${i}].licenses`, 'services.meetings.licences'],
    ]).flat(),
  ),
};

/** Where the generic message reads badly (a select is chosen, not typed): the setup's own words. */
const MESSAGES: CustomMessages = {
  'country:services_country': 'services.errors.country',
  'timeZone:services_time_zone': 'services.errors.time_zone',
  '*.timeZone:services_time_zone': 'services.errors.time_zone',
  'language:services_language': 'services.errors.language',
  'name:required': 'services.errors.location_name',
  'addressLine1:required': 'services.errors.address_line1',
  'city:required': 'services.errors.city',
};

/** A site's field as the form names it: `sites[1].name` is the input `name_1`. */
function formField(field: string): string {
  const m = /^sites\[(\d+)\]\.(name|timeZone|licenses)$/.exec(field);
  if (!m) return field;
  const prefix = { name: 'name', timeZone: 'tz', licenses: 'licences' }[
    m[2] as 'name' | 'timeZone' | 'licenses'
  ];
  return `${prefix}_${m[1]}`;
}

/** Field errors of a refused step, or rethrows anything else (shown by the error page). */
function refusal(c: C, error: unknown): Errors {
  if (error instanceof DomainError && error.fields.length) {
    const messages = humanMessages(translator(c.get('locale')), error.fields, LABELS, MESSAGES);
    return Object.fromEntries(Object.entries(messages).map(([k, v]) => [formField(k), v]));
  }
  throw error;
}

/** Where the customer is: the main location's country once saved, else the order's end customer's. */
function countryOf(p: SetupProgress): string | null {
  return p.location?.country ?? p.setup.order.endCustomerCountry;
}

function stepContext(c: C, p: SetupProgress): StepContext {
  const locale = c.get('locale');
  return { t: translator(locale), locale, p, at: c.get('ctx').clock.now(), country: countryOf(p) };
}

/** Dates as the organization reads them: in its main location's (or first site's) time zone. */
function readerOf(locale: Locale, p: SetupProgress): Reader {
  return { locale, timeZone: p.location?.timeZone ?? p.sites[0]?.timeZone };
}

function page(
  c: C,
  p: SetupProgress,
  screen: Screen,
  body: Child,
  status: 200 | 422 = 200,
  fulfilment: Child = null,
) {
  const locale = c.get('locale');
  const t = translator(locale);
  return c.html(
    <Layout t={t} locale={locale} title={t('services.title')} path={c.req.path} user={c.get('user')}>
      <h1>{`${t('services.title')}: ${p.setup.mapping.customer.name}`}</h1>
      {fulfilment}
      <StepNav t={t} p={p} current={screen} />
      {body}
    </Layout>,
    status,
  );
}

function sitesFrom(c: C, p: SetupProgress): SiteDraft[] {
  if (p.sites.length === 0) {
    const zone = suggestedTimeZone(countryOf(p), c.get('ctx').clock.now()) ?? 'UTC';
    return [{ name: '', timeZone: zone, earlyRelease: false, licenses: String(p.meetingsQuantity) }];
  }
  return p.sites.map((s) => ({
    name: s.name,
    timeZone: s.timeZone,
    earlyRelease: s.earlyRelease,
    licenses: String(s.licenses),
  }));
}

function sitesFromForm(form: Record<string, string | File>): SiteDraft[] {
  const count = Math.min(MAX_SITES, Math.max(1, Number(form.count) || 1));
  const str = (k: string) => {
    const v = form[k];
    return typeof v === 'string' ? v : '';
  };
  return Array.from({ length: count }, (_, i) => ({
    name: str(`name_${i}`),
    timeZone: str(`tz_${i}`),
    earlyRelease: str(`early_${i}`) === 'yes',
    licenses: str(`licences_${i}`),
  }));
}

function meetings(c: C, p: SetupProgress, sites: SiteDraft[], errors: Errors) {
  return (
    <MeetingsStep
      {...stepContext(c, p)}
      sites={sites}
      errors={errors}
      siteDomain={c.get('ctx').config.meetingsSiteDomain}
    />
  );
}

function calling(c: C, p: SetupProgress, values: Record<string, string>, errors: Errors) {
  return <CallingStep {...stepContext(c, p)} values={values} errors={errors} />;
}

/** After a failure or a request for information, pressing Provision again is the Retry or the resubmission. */
function provisionLabel(t: Translate, p: SetupProgress): { buttonLabel?: string } {
  const again = { needs_info: 'fulfilment.resubmit', provisioning_failed: 'fulfilment.retry' } as const;
  const stage = p.setup.stage;
  return stage === 'needs_info' || stage === 'provisioning_failed' ? { buttonLabel: t(again[stage]) } : {};
}

function screenBody(c: C, p: SetupProgress, screen: Screen) {
  const locale = c.get('locale');
  const t = translator(locale);
  const reader = readerOf(locale, p);
  const now = c.get('ctx').clock.now();
  switch (screen) {
    case 'meetings':
      return meetings(c, p, sitesFrom(c, p), {});
    case 'calling': {
      const l = p.location;
      const country = p.setup.order.endCustomerCountry ?? '';
      const values: Record<string, string> = l
        ? { ...Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v ?? ''])) }
        : { country, language: locale, timeZone: suggestedTimeZone(country, now) ?? 'UTC' };
      return calling(c, p, values, {});
    }
    case 'enterprise':
      return <EnterpriseStep t={t} p={p} value={p.subdomain ?? ''} errors={{}} checked={null} />;
    case 'provision':
      return <ProvisionStep t={t} reader={reader} p={p} now={now} {...provisionLabel(t, p)} />;
    case 'confirm':
      return <ProvisionConfirm t={t} reader={reader} p={p} now={now} {...provisionLabel(t, p)} />;
    case 'done':
    case 'summary':
      return <SummaryStep t={t} reader={reader} p={p} closed={screen === 'summary'} />;
    default:
      return <ReviewStep t={t} p={p} />;
  }
}

/** Where Next goes from a step: the first step still missing, else Provision. */
function after(p: SetupProgress): string {
  return pageUrl(p.setup.subscriptionId, p.missing[0] ?? 'provision');
}

export function registerServiceSetupPages(app: Hono<UserEnv>): void {
  app.use('/hub/setups/*', requireUser());

  app.get('/hub/setups/:id', async (c) => {
    const p = await setupProgress(c.get('ctx'), c.req.param('id'));
    const stage = p.setup.stage;
    const locale = c.get('locale');
    const t = translator(locale);
    const panel = isFulfilmentStage(stage) ? (
      <FulfilmentPanel
        t={t}
        locale={locale}
        timeZone={c.get('user').timeZone}
        subscriptionId={p.setup.subscriptionId}
        stage={stage}
        request={(await latestRequestViews(c.get('ctx'), [p.setup.subscriptionId])).get(
          p.setup.subscriptionId,
        )}
        mayAct={true}
        mayOpenCase={mayPlaceOrders(c.get('ctx').actor)}
      />
    ) : null;
    // While the vendor works from what it was sent, the setup is shown, not edited.
    if (stage === 'provisioning')
      return page(
        c,
        p,
        'provision',
        <section class="card">
          <Facts t={t} reader={readerOf(locale, p)} p={p} />
        </section>,
        200,
        panel,
      );
    const asked = c.req.query('step') as Screen | undefined;
    let screen: Screen = asked && SCREENS.has(asked) ? asked : 'review';
    // A provisioned setup has only its summary; an open one never shows the summary yet.
    if (p.setup.provisionedAt && screen !== 'done') screen = 'summary';
    else if (!p.setup.provisionedAt && (screen === 'done' || screen === 'summary')) screen = 'review';
    if (screen === 'confirm' && (p.missing.length || isRetry(p))) screen = 'provision';
    if (
      (screen === 'meetings' || screen === 'calling' || screen === 'enterprise') &&
      !p.steps.includes(screen)
    )
      screen = 'review';
    return page(c, p, screen, screenBody(c, p, screen), 200, panel);
  });

  app.get('/hub/setups/:id/site-name-check', async (c) => {
    const t = translator(c.get('locale'));
    const entry = Object.entries(c.req.query()).find(([k]) => k.startsWith('name_'));
    const name = (entry?.[1] ?? '').trim().toLowerCase();
    if (!name) return c.html('');
    const result = await checkSiteNameAvailability(c.get('ctx'), name);
    const availability = t(
      `services.meetings.${result.available ? 'available' : (result.reason ?? 'invalid')}`,
      { name },
    );
    // An invalid name makes no address: only the reason is shown.
    if (!result.available && result.reason === 'invalid') return c.html(<span>{availability}</span>);
    const url = siteUrl(c.get('ctx').config.meetingsSiteDomain, name);
    return c.html(<SiteUrl t={t} url={url} availability={availability} />);
  });

  app.post('/hub/setups/:id/meetings', async (c) => {
    const ctx = c.get('ctx');
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const sites = sitesFromForm(form);
    const action = typeof form.action === 'string' ? form.action : 'next';
    const p = await setupProgress(ctx, id);
    if (action === 'add' || action.startsWith('remove_')) {
      if (action === 'add' && sites.length < MAX_SITES)
        sites.push({ name: '', timeZone: sites[0]?.timeZone ?? '', earlyRelease: false, licenses: '' });
      if (action.startsWith('remove_')) sites.splice(Number(action.slice(7)), 1);
      return page(c, p, 'meetings', meetings(c, p, sites, {}));
    }
    try {
      await saveMeetingSites(
        ctx,
        id,
        sites.map((s) => ({
          name: s.name,
          timeZone: s.timeZone,
          earlyRelease: s.earlyRelease,
          licenses: s.licenses === '' ? undefined : Number(s.licenses),
        })),
      );
    } catch (error) {
      return page(c, p, 'meetings', meetings(c, p, sites, refusal(c, error)), 422);
    }
    return c.redirect(after(await setupProgress(ctx, id)), 303);
  });

  app.post('/hub/setups/:id/calling', async (c) => {
    const ctx = c.get('ctx');
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const values = Object.fromEntries(
      Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    try {
      await saveCallingLocation(ctx, id, values);
    } catch (error) {
      const errors = refusal(c, error);
      const p = await setupProgress(ctx, id);
      return page(c, p, 'calling', calling(c, p, values, errors), 422);
    }
    return c.redirect(after(await setupProgress(ctx, id)), 303);
  });

  app.post('/hub/setups/:id/enterprise', async (c) => {
    const ctx = c.get('ctx');
    const id = c.req.param('id');
    const form = await c.req.parseBody();
    const value = typeof form.subdomain === 'string' ? form.subdomain.trim().toLowerCase() : '';
    const t = translator(c.get('locale'));
    if (form.action === 'check') {
      const p = await setupProgress(ctx, id);
      const result = await checkSubdomainAvailability(ctx, value);
      const checked = t(
        `services.meetings.${result.available ? 'available' : (result.reason ?? 'invalid')}`,
        { name: value },
      );
      return page(
        c,
        p,
        'enterprise',
        <EnterpriseStep t={t} p={p} value={value} errors={{}} checked={checked} />,
      );
    }
    try {
      await saveEnterpriseSubdomain(ctx, id, value);
    } catch (error) {
      const errors = refusal(c, error);
      const p = await setupProgress(ctx, id);
      return page(
        c,
        p,
        'enterprise',
        <EnterpriseStep t={t} p={p} value={value} errors={errors} checked={null} />,
        422,
      );
    }
    return c.redirect(after(await setupProgress(ctx, id)), 303);
  });

  app.post('/hub/setups/:id/provision', async (c) => {
    const id = c.req.param('id');
    // Provision starts billing: only the confirmation page's own press provisions (a Retry or a
    // resubmission repeats a press already confirmed).
    const form = await c.req.parseBody();
    if (form.confirm !== 'yes' && !isRetry(await setupProgress(c.get('ctx'), id)))
      return c.redirect(pageUrl(id, 'confirm'), 303);
    const result = await provisionSubscription(c.get('ctx'), id);
    // A fulfilled offer waits for the vendor: the setup page says so.
    return c.redirect(
      result.stage === 'active' ? pageUrl(id, 'done') : `/hub/setups/${encodeURIComponent(id)}`,
      303,
    );
  });

  app.get('/hub/setups/:id/summary.pdf', async (c) => {
    const id = c.req.param('id');
    const pdf = await orderSummaryPdf(c.get('ctx'), id);
    return c.body(new Uint8Array(pdf), 200, {
      'Content-Type': 'application/pdf',
      'Content-Disposition': `attachment; filename="order-summary-${id}.pdf"`,
    });
  });
}
