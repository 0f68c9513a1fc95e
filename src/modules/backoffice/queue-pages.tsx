import { z } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { DomainError } from '../../platform/errors.ts';
import { formatDateTime, readerOf } from '../../platform/format.ts';
import { translator } from '../../platform/i18n.ts';
import { SUPPORT_TEXT_MAX_LENGTH } from '../../platform/limits.ts';
import {
  ConfirmPanel,
  EmptyState,
  ErrorSummary,
  Field,
  fieldAttrs,
  TableFrame,
} from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import type { UserEnv } from '../identity/middleware.ts';
import { partnerChoices } from '../identity/partner-choices.ts';
import { organizationNames } from '../identity/service.ts';
import { CaseDetails, CaseStatusBadge } from '../support/pages.tsx';
import { CASE_STATUSES, type CaseView, caseMessageFormSchema } from '../support/schema.ts';
import { answerCase, closeCase, getCase, listQueue, type QueuedCase } from '../support/service.ts';
import {
  AgeSelect,
  commonFilters,
  FilterForm,
  loadFiltered,
  NextPage,
  nextPageHref,
  olderThan,
  PartnerSelect,
  StatusSelect,
} from './filters.tsx';
import { BackofficeLayout, type Chrome, chrome } from './layout.tsx';

const BASE = '/backoffice/support';
const PAGE_SIZE = 25;

const LABELS: Record<string, string> = {
  partner: 'backoffice.partner',
  status: 'support.status_label',
  age: 'backoffice.case_age',
  cursor: 'orders.paging',
};

const querySchema = z.object({
  ...commonFilters,
  status: z.enum(['waiting', ...CASE_STATUSES]).default('waiting'),
});

function QueuePage(
  p: Chrome & {
    filters: Record<string, string>;
    errors: Record<string, string>;
    partners: { id: string; name: string }[];
    cases: QueuedCase[];
    nextCursor: string | null;
  },
) {
  const { t, locale, filters, errors } = p;
  return (
    <BackofficeLayout {...p} title={t('backoffice.queue')}>
      <FilterForm t={t} action={BASE} errors={errors}>
        <PartnerSelect t={t} partners={p.partners} value={filters.partner} errors={errors} />
        <StatusSelect
          t={t}
          label={t('support.status_label')}
          choices={[
            { value: 'waiting', label: t('backoffice.waiting_cases') },
            ...CASE_STATUSES.map((s) => ({ value: s, label: t(`support.status.${s}`) })),
          ]}
          value={filters.status ?? 'waiting'}
          errors={errors}
        />
        <AgeSelect t={t} value={filters.age} errors={errors} />
      </FilterForm>
      {p.cases.length === 0 ? (
        <EmptyState title={t('backoffice.queue_empty')} body={t('backoffice.filters_none_body')} />
      ) : (
        <TableFrame label={t('backoffice.queue')}>
          <table id="queue">
            <thead>
              <tr>
                <th scope="col">{t('support.case_number')}</th>
                <th scope="col">{t('backoffice.partner')}</th>
                <th scope="col">{t('support.request_type')}</th>
                <th scope="col">{t('support.opened')}</th>
                <th scope="col">{t('support.status_label')}</th>
              </tr>
            </thead>
            <tbody>
              {p.cases.map((c) => (
                <tr>
                  <td class="nowrap">
                    <a href={`${BASE}/${c.id}`}>{c.caseNumber}</a>
                  </td>
                  <td>{c.organizationName}</td>
                  <td>{t(`support.type.${c.requestType}`)}</td>
                  <td>{formatDateTime(readerOf(locale, p.user), c.createdAt)}</td>
                  <td>
                    <CaseStatusBadge t={t} status={c.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
      <NextPage t={t} href={p.nextCursor ? nextPageHref(BASE, filters, p.nextCursor) : null} />
    </BackofficeLayout>
  );
}

function OperatorCasePage(
  p: Chrome & { c: CaseView; orgName: string; errors: Record<string, string>; body?: string },
) {
  const { t, locale, c, errors } = p;
  return (
    <BackofficeLayout {...p} title={t('support.case_heading', { number: c.caseNumber })}>
      <p>
        <a href={BASE}>← {t('backoffice.queue')}</a>
      </p>
      <p>{t('backoffice.case_from', { org: p.orgName })}</p>
      <CaseDetails t={t} reader={readerOf(locale, p.user)} c={c} />
      {c.status === 'closed' ? null : (
        <>
          <ErrorSummary t={t} errors={errors} />
          <form method="post" action={`${BASE}/${c.id}/answer`} class="card stack">
            <Field
              name="body"
              label={t('backoffice.answer')}
              hint={t('backoffice.answer_hint')}
              errors={errors}
            >
              <textarea rows={6} maxlength={SUPPORT_TEXT_MAX_LENGTH} {...fieldAttrs(errors, 'body', true)}>
                {p.body ?? ''}
              </textarea>
            </Field>
            <div class="button-row">
              <button type="submit">{t('backoffice.send_answer')}</button>
              <a class="button secondary" href={`${BASE}/${c.id}/close`}>
                {t('backoffice.close_case')}
              </a>
            </div>
          </form>
        </>
      )}
    </BackofficeLayout>
  );
}

function CloseConfirmPage(p: Chrome & { c: CaseView; orgName: string }) {
  const { t, c } = p;
  return (
    <Layout
      t={t}
      locale={p.locale}
      title={t('backoffice.close_confirm_title', { number: c.caseNumber })}
      path={p.path}
      user={p.user}
    >
      <ConfirmPanel
        title={t('backoffice.close_confirm_title', { number: c.caseNumber })}
        consequence={<p>{t('backoffice.close_confirm_body', { org: p.orgName })}</p>}
        action={`${BASE}/${c.id}/close`}
        hidden={{ confirm: 'yes' }}
        confirmLabel={t('backoffice.close_case')}
        cancelHref={`${BASE}/${c.id}`}
        cancelLabel={t('backoffice.keep_open')}
        danger
      />
    </Layout>
  );
}

async function loadCase(c: Context<UserEnv>): Promise<{ found: CaseView; orgName: string }> {
  const ctx = c.get('ctx');
  const found = await getCase(ctx, c.req.param('caseId') ?? '');
  const names = await organizationNames(ctx, [found.organizationId]);
  return { found, orgName: names.get(found.organizationId) ?? '' };
}

export function registerQueuePages(app: Hono<UserEnv>): void {
  app.get(BASE, async (c) => {
    const ctx = c.get('ctx');
    const t = translator(c.get('locale'));
    const page = await loadFiltered(t, c.req.query(), querySchema, LABELS, (f) =>
      listQueue(ctx, {
        status: f.status,
        organizationId: f.partner,
        createdBefore: olderThan(ctx.clock.now(), f.age),
        cursor: f.cursor,
        limit: PAGE_SIZE,
      }),
    );
    if (!page.result) c.status(400);
    return c.html(
      <QueuePage
        {...chrome(c)}
        filters={page.filters}
        errors={page.errors}
        partners={await partnerChoices(ctx)}
        cases={page.result?.items ?? []}
        nextCursor={page.result?.nextCursor ?? null}
      />,
    );
  });

  const casePage = async (c: Context<UserEnv>, errors: Record<string, string>, body?: string) => {
    const { found, orgName } = await loadCase(c);
    return (
      <OperatorCasePage
        {...chrome(c)}
        c={found}
        orgName={orgName}
        errors={errors}
        {...(body === undefined ? {} : { body })}
      />
    );
  };

  app.get(`${BASE}/:caseId`, async (c) => c.html(await casePage(c, {})));

  app.post(`${BASE}/:caseId/answer`, async (c) => {
    const form = await c.req.parseBody();
    const parsed = caseMessageFormSchema.safeParse(form);
    if (parsed.success) {
      await answerCase(c.get('ctx'), c.req.param('caseId'), parsed.data.body);
      return c.redirect(`${BASE}/${c.req.param('caseId')}`, 303);
    }
    const t = translator(c.get('locale'));
    const errors = fieldMessages(t, fieldErrorsFromZod(parsed.error.issues, form), {
      body: 'backoffice.answer',
    });
    c.status(422);
    return c.html(await casePage(c, errors, typeof form.body === 'string' ? form.body : ''));
  });

  // Closing is final for the partner (no more messages): it is asked for on a page of its own.
  app.get(`${BASE}/:caseId/close`, async (c) => {
    const { found, orgName } = await loadCase(c);
    if (found.status === 'closed') return c.redirect(`${BASE}/${found.id}`, 303);
    return c.html(<CloseConfirmPage {...chrome(c)} c={found} orgName={orgName} />);
  });

  app.post(`${BASE}/:caseId/close`, async (c) => {
    const caseId = c.req.param('caseId');
    const form = await c.req.parseBody();
    // Without the confirmation page's answer nothing is closed: the caller is asked first.
    if (form.confirm !== 'yes') return c.redirect(`${BASE}/${caseId}/close`, 303);
    try {
      await closeCase(c.get('ctx'), caseId);
    } catch (error) {
      // Closing a closed case changes nothing: show it as it is.
      if (!(error instanceof DomainError) || error.code !== 'support_case_closed') throw error;
    }
    return c.redirect(`${BASE}/${caseId}`, 303);
  });
}
