import type { Context, Hono } from 'hono';
import { DomainError } from '../../platform/errors.ts';
import { formatDateTime, type Reader, readerOf } from '../../platform/format.ts';
import { type Locale, type Translate, translator } from '../../platform/i18n.ts';
import {
  SUPPORT_SCREENSHOT_MAX_MEGABYTES,
  SUPPORT_SCREENSHOTS_MAX,
  SUPPORT_TEXT_MAX_LENGTH,
} from '../../platform/limits.ts';
import {
  Badge,
  EmptyState,
  ErrorSummary,
  Field,
  fieldAttrs,
  TableFrame,
  type Tone,
} from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import { Layout } from '../../platform/ui/layout.tsx';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { requireUser, type UserEnv } from '../identity/middleware.ts';
import { mayOperate } from '../identity/policy.ts';
import type { SessionUser } from '../identity/service.ts';
import {
  type CaseStatus,
  type CaseSummary,
  type CaseView,
  caseMessageFormSchema,
  createCaseFormSchema,
  REQUEST_TYPES,
} from './schema.ts';
import { addPartnerMessage, getAttachment, getCase, listCases, openCase } from './service.ts';
import { uploadsFromFiles } from './uploads.ts';

/** Open waits for the vendor, answered for the partner; closed is done. */
const CASE_TONES: Record<CaseStatus, Tone> = { open: 'warning', answered: 'info', closed: 'neutral' };

export function CaseStatusBadge({ t, status }: { t: Translate; status: CaseStatus }) {
  return <Badge tone={CASE_TONES[status]}>{t(`support.status.${status}`)}</Badge>;
}

/** A form's fields as the API's validator reads them: `name[]` keys are always lists. */
export function formFields(form: FormData): Record<string, unknown> {
  const fields: Record<string, unknown> = Object.create(null);
  form.forEach((value, key) => {
    const list = fields[key];
    if (key.endsWith('[]')) fields[key] = [...(Array.isArray(list) ? list : []), value];
    else fields[key] = value;
  });
  return fields;
}

const FIELD_LABELS: Record<string, string> = {
  requestType: 'support.request_type',
  subscriptionId: 'support.subscription',
  description: 'support.description',
  screenshots: 'support.screenshots',
  body: 'support.message',
};

/** Field messages; a screenshot's names its file already, under the screenshots label. */
function messagesFor(t: Translate, fields: DomainError['fields']): Record<string, string> {
  const labels = { ...FIELD_LABELS };
  for (const f of fields)
    if (f.field.startsWith('screenshots[')) labels[f.field] = FIELD_LABELS.screenshots ?? '';
  const byField = fieldMessages(t, fields, labels);
  const files = Object.entries(byField).filter(([k]) => k.startsWith('screenshots['));
  if (files.length) byField.screenshots = files.map(([, m]) => m).join(' ');
  // One message per field on the page: the summary links each to its input.
  for (const [key] of files) delete byField[key];
  return byField;
}

interface Chrome {
  t: Translate;
  locale: Locale;
  user: SessionUser;
  path: string;
}

function CaseListPage(p: Chrome & { items: CaseSummary[] }) {
  const { t, locale } = p;
  return (
    <Layout t={t} locale={locale} title={t('support.title')} path={p.path} user={p.user}>
      <h1>{t('support.title')}</h1>
      <p>
        <a href="/support/cases/new">{t('support.open_case')}</a>
      </p>
      {p.items.length === 0 ? (
        <EmptyState title={t('support.none')} />
      ) : (
        <TableFrame label={t('support.title')}>
          <table id="cases">
            <caption class="muted">{t('support.shown', { count: p.items.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t('support.case_number')}</th>
                <th scope="col">{t('support.request_type')}</th>
                <th scope="col">{t('support.subscription')}</th>
                <th scope="col">{t('support.opened')}</th>
                <th scope="col">{t('support.status_label')}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((c) => (
                <tr>
                  <td>
                    <a href={`/support/cases/${c.id}`}>{c.caseNumber}</a>
                  </td>
                  <td>{t(`support.type.${c.requestType}`)}</td>
                  <td class="nowrap">{c.subscriptionId ?? ''}</td>
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
    </Layout>
  );
}

/** The seeds' basic troubleshooting steps, shown before anyone opens a case. */
function Troubleshooting({ t, sender, adminHub }: { t: Translate; sender: string; adminHub: string }) {
  return (
    <section class="troubleshooting" aria-labelledby="troubleshooting">
      <h2 id="troubleshooting">{t('support.troubleshooting.title')}</h2>
      <ul>
        <li>{t('support.troubleshooting.spam')}</li>
        <li>{t('support.troubleshooting.allow_list', { sender })}</li>
        <li>{t('support.troubleshooting.cache')}</li>
        <li>{t('support.troubleshooting.browser')}</li>
        <li>{t('support.troubleshooting.incognito')}</li>
      </ul>
      <p class="muted">{t('support.troubleshooting.ponr', { url: adminHub })}</p>
    </section>
  );
}

function NewCasePage(
  p: Chrome & {
    values: Record<string, string>;
    errors: Record<string, string>;
    sender: string;
    adminHub: string;
  },
) {
  const { t, locale, values, errors } = p;
  return (
    <Layout t={t} locale={locale} title={t('support.new_title')} path={p.path} user={p.user}>
      <p>
        <a href="/support/cases">← {t('support.back')}</a>
      </p>
      <h1>{t('support.new_title')}</h1>
      <Troubleshooting t={t} sender={p.sender} adminHub={p.adminHub} />
      <ErrorSummary t={t} errors={errors} />
      <form method="post" action="/support/cases" enctype="multipart/form-data" class="card stack">
        <Field name="requestType" label={t('support.request_type')} errors={errors}>
          <select {...fieldAttrs(errors, 'requestType')}>
            {REQUEST_TYPES.map((type) => (
              <option value={type} selected={values.requestType === type}>
                {t(`support.type.${type}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field
          name="subscriptionId"
          label={t('support.subscription')}
          optional={t('support.optional')}
          hint={t('support.subscription_hint')}
          errors={errors}
        >
          <input value={values.subscriptionId ?? ''} {...fieldAttrs(errors, 'subscriptionId', true)} />
        </Field>
        <Field
          name="description"
          label={t('support.description')}
          hint={t('support.description_hint')}
          errors={errors}
        >
          <textarea
            rows={8}
            maxlength={SUPPORT_TEXT_MAX_LENGTH}
            required
            {...fieldAttrs(errors, 'description', true)}
          >
            {values.description ?? ''}
          </textarea>
        </Field>
        <Field
          name="screenshots"
          label={t('support.screenshots')}
          optional={t('support.optional')}
          hint={t('support.screenshots_hint', {
            count: SUPPORT_SCREENSHOTS_MAX,
            megabytes: SUPPORT_SCREENSHOT_MAX_MEGABYTES,
          })}
          errors={errors}
        >
          <input
            type="file"
            accept="image/png,image/jpeg"
            multiple
            {...fieldAttrs(errors, 'screenshots', true)}
            name="screenshots[]"
          />
        </Field>
        <button type="submit">{t('support.submit')}</button>
      </form>
    </Layout>
  );
}

/** The case as both sides see it: facts, description, screenshots and the thread. */
export function CaseDetails({ t, reader, c }: { t: Translate; reader: Reader; c: CaseView }) {
  return (
    <>
      <dl class="facts">
        <dt>{t('support.status_label')}</dt>
        <dd>
          <CaseStatusBadge t={t} status={c.status} />
        </dd>
        <dt>{t('support.request_type')}</dt>
        <dd>{t(`support.type.${c.requestType}`)}</dd>
        <dt>{t('support.subscription')}</dt>
        <dd>{c.subscriptionId ?? '—'}</dd>
        <dt>{t('support.opened')}</dt>
        <dd>{formatDateTime(reader, c.createdAt)}</dd>
        {c.closedAt ? (
          <>
            <dt>{t('support.closed_at')}</dt>
            <dd>{formatDateTime(reader, c.closedAt)}</dd>
          </>
        ) : null}
      </dl>
      <h2>{t('support.description')}</h2>
      <p class="prewrap">{c.description}</p>
      {c.attachments.length ? (
        <>
          <h2>{t('support.screenshots')}</h2>
          <div class="screenshots">
            {c.attachments.map((a) => (
              <figure>
                <a href={`/support/cases/${c.id}/attachments/${a.id}`}>
                  <img src={`/support/cases/${c.id}/attachments/${a.id}`} alt={a.fileName} width={320} />
                </a>
                <figcaption>{a.fileName}</figcaption>
              </figure>
            ))}
          </div>
        </>
      ) : null}
      <h2>{t('support.thread')}</h2>
      {c.messages.length === 0 ? <p class="muted">{t('support.no_messages')}</p> : null}
      <ol class="thread">
        {c.messages.map((m) => (
          <li class={`message message-${m.authorKind}`}>
            <p class="muted">
              {t(`support.author.${m.authorKind}`)} · {formatDateTime(reader, m.createdAt)}
            </p>
            <p class="prewrap">{m.body}</p>
          </li>
        ))}
      </ol>
    </>
  );
}

function CasePage(p: Chrome & { c: CaseView; errors: Record<string, string>; body?: string }) {
  const { t, locale, c } = p;
  const title = t('support.case_heading', { number: c.caseNumber });
  return (
    <Layout t={t} locale={locale} title={title} path={p.path} user={p.user}>
      <p>
        <a href="/support/cases">← {t('support.back')}</a>
      </p>
      <h1>{title}</h1>
      <CaseDetails t={t} reader={readerOf(locale, p.user)} c={c} />
      {c.status === 'closed' ? (
        <p class="notice" role="status">
          {t('support.closed_notice')}
        </p>
      ) : (
        <>
          <ErrorSummary t={t} errors={p.errors} />
          <form method="post" action={`/support/cases/${c.id}/messages`} class="card stack">
            <Field
              name="body"
              label={t('support.add_message')}
              hint={t('support.add_message_hint')}
              errors={p.errors}
            >
              <textarea rows={4} maxlength={SUPPORT_TEXT_MAX_LENGTH} {...fieldAttrs(p.errors, 'body', true)}>
                {p.body ?? ''}
              </textarea>
            </Field>
            <button type="submit">{t('support.send')}</button>
          </form>
        </>
      )}
    </Layout>
  );
}

function chrome(c: Context<UserEnv>): Chrome {
  const locale = c.get('locale');
  return { t: translator(locale), locale, user: c.get('user'), path: c.req.path };
}

const PREFILL = ['requestType', 'subscriptionId', 'description'] as const;

export function registerSupportPages(app: Hono<UserEnv>): void {
  app.use('/support', requireUser());
  app.use('/support/*', requireUser());
  app.get('/support', (c) => c.redirect('/support/cases', 303));
  // Operators work the support queue in the back office: the partners' pages send them there.
  app.use('/support/*', async (c, next) => {
    if (!mayOperate(c.get('ctx').actor)) return next();
    const caseId = /^\/support\/cases\/([^/]+)$/.exec(c.req.path)?.[1];
    const target = caseId && caseId !== 'new' ? `/backoffice/support/${caseId}` : '/backoffice/support';
    return c.redirect(target, 303);
  });

  app.get('/support/cases', async (c) => {
    const page = await listCases(c.get('ctx'), { limit: 100 });
    return c.html(<CaseListPage {...chrome(c)} items={page.items} />);
  });

  const newCasePage = (
    c: Context<UserEnv>,
    values: Record<string, string>,
    errors: Record<string, string>,
  ) => {
    const { config } = c.get('ctx');
    return (
      <NewCasePage
        {...chrome(c)}
        values={values}
        errors={errors}
        sender={config.mailFrom}
        adminHub={config.adminHubUrl}
      />
    );
  };

  app.get('/support/cases/new', (c) => {
    // Pre-filled from the order page's links after a failed resend or contact change.
    const query = c.req.query();
    const values = Object.fromEntries(
      PREFILL.flatMap((k) => (query[k] ? [[k, query[k].slice(0, SUPPORT_TEXT_MAX_LENGTH)]] : [])),
    );
    return c.html(newCasePage(c, values, {}));
  });

  app.post('/support/cases', async (c) => {
    const t = translator(c.get('locale'));
    const fields = formFields(await c.req.formData());
    const values = Object.fromEntries(
      PREFILL.map((k) => [k, typeof fields[k] === 'string' ? fields[k] : '']),
    );
    const parsed = createCaseFormSchema.safeParse(fields);
    try {
      if (!parsed.success)
        throw new DomainError('validation_failed', 422, {}, fieldErrorsFromZod(parsed.error.issues, fields));
      const { 'screenshots[]': files = [], ...rest } = parsed.data;
      const created = await openCase(c.get('ctx'), { ...rest, screenshots: uploadsFromFiles(files) });
      return c.redirect(`/support/cases/${created.id}`, 303);
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'validation_failed') throw error;
      c.status(422);
      return c.html(newCasePage(c, values, messagesFor(t, error.fields)));
    }
  });

  app.get('/support/cases/:caseId', async (c) => {
    const found = await getCase(c.get('ctx'), c.req.param('caseId'));
    return c.html(<CasePage {...chrome(c)} c={found} errors={{}} />);
  });

  app.get('/support/cases/:caseId/attachments/:attachmentId', async (c) => {
    const file = await getAttachment(c.get('ctx'), c.req.param('caseId'), c.req.param('attachmentId'));
    return c.body(file.stream, 200, {
      'Content-Type': file.contentType,
      'Content-Length': String(file.sizeBytes),
      'Content-Disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.fileName)}`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
    });
  });

  app.post('/support/cases/:caseId/messages', async (c) => {
    const ctx = c.get('ctx');
    const caseId = c.req.param('caseId');
    const form = await c.req.parseBody();
    const parsed = caseMessageFormSchema.safeParse(form);
    if (parsed.success) {
      await addPartnerMessage(ctx, caseId, parsed.data.body);
      return c.redirect(`/support/cases/${caseId}`, 303);
    }
    const found = await getCase(ctx, caseId);
    const t = translator(c.get('locale'));
    c.status(422);
    return c.html(
      <CasePage
        {...chrome(c)}
        c={found}
        errors={messagesFor(t, fieldErrorsFromZod(parsed.error.issues, form))}
        body={typeof form.body === 'string' ? form.body : ''}
      />,
    );
  });
}
