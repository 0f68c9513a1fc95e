import { z } from '@hono/zod-openapi';
import type { Context, Hono } from 'hono';
import { isValidEmailAddress, normalizeEmail } from '../../platform/email.ts';
import { DomainError } from '../../platform/errors.ts';
import { formatDateTime, formatDay, type Reader, readerOf } from '../../platform/format.ts';
import { type Translate, translator } from '../../platform/i18n.ts';
import {
  Badge,
  Callout,
  EmptyState,
  ErrorSummary,
  Field,
  fieldAttrs,
  TableFrame,
} from '../../platform/ui/components.tsx';
import { fieldMessages } from '../../platform/ui/form.tsx';
import type { UserEnv } from '../identity/middleware.ts';
import { partnerChoices } from '../identity/partner-choices.ts';
import { safeNext } from '../identity/redirect.ts';
import {
  ESCALATION_NOTE_MAX_LENGTH,
  type EscalatedLine,
  type EscalationContact,
  getEscalation,
  listEscalations,
  markEscalationContacted,
} from '../orders/escalations.ts';
import { LINE_STATUSES } from '../orders/lifecycle.ts';
import { lineStatusSchema } from '../orders/schema.ts';
import { LineStatusBadge } from '../provisioning/badges.tsx';
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

const BASE = '/backoffice/escalations';
// A representative's digest links here: fifty lines is a working morning, and one page of it.
const PAGE_SIZE = 50;

const LABELS: Record<string, string> = {
  partner: 'backoffice.partner',
  status: 'orders.status',
  age: 'backoffice.escalation_age',
  contacted: 'backoffice.contacted_filter',
  representative: 'backoffice.representative',
  cursor: 'orders.paging',
};

const querySchema = z.object({
  ...commonFilters,
  status: lineStatusSchema.optional(),
  contacted: z.enum(['yes', 'no']).optional(),
  // The escalation digest links here with its recipient; an address that is not one is no filter.
  representative: z.string().optional(),
});

function ContactCell({
  t,
  reader,
  contact,
}: Pick<Chrome, 't'> & { reader: Reader; contact: EscalationContact }) {
  return (
    <>
      <Badge tone="success">{t('backoffice.contacted')}</Badge>
      <div class="muted">
        {t('backoffice.contacted_by', {
          who: contact.contactedByEmail ?? t('backoffice.former_operator'),
          when: formatDateTime(reader, contact.contactedAt),
        })}
      </div>
      <p class="prewrap">{contact.note}</p>
    </>
  );
}

function EscalationsPage(
  p: Chrome & {
    filters: Record<string, string>;
    errors: Record<string, string>;
    partners: { id: string; name: string }[];
    representative: string | undefined;
    items: EscalatedLine[];
    nextCursor: string | null;
    back: string;
  },
) {
  const { t, locale, filters, errors } = p;
  const reader = readerOf(locale, p.user);
  return (
    <BackofficeLayout {...p} title={t('backoffice.escalations')}>
      <p class="muted">{t('backoffice.escalations_intro')}</p>
      {p.representative ? (
        <p>
          {t('backoffice.escalations_for', { email: p.representative })}{' '}
          <a href={BASE}>{t('backoffice.all_escalations')}</a>
        </p>
      ) : null}
      <FilterForm t={t} action={BASE} errors={errors}>
        {p.representative ? <input type="hidden" name="representative" value={p.representative} /> : null}
        <PartnerSelect t={t} partners={p.partners} value={filters.partner} errors={errors} />
        <StatusSelect
          t={t}
          label={t('orders.status')}
          anyLabel={t('orders.any_status')}
          choices={LINE_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))}
          value={filters.status}
          errors={errors}
        />
        <AgeSelect t={t} value={filters.age} errors={errors} />
        <StatusSelect
          t={t}
          name="contacted"
          label={t('backoffice.contacted_filter')}
          anyLabel={t('backoffice.contacted_any')}
          choices={[
            { value: 'no', label: t('backoffice.not_contacted') },
            { value: 'yes', label: t('backoffice.contacted') },
          ]}
          value={filters.contacted}
          errors={errors}
        />
      </FilterForm>
      {p.items.length === 0 ? (
        <EmptyState title={t('backoffice.no_escalations')} body={t('backoffice.filters_none_body')} />
      ) : (
        <TableFrame label={t('backoffice.escalations')}>
          <table id="escalations">
            <thead>
              <tr>
                <th scope="col">{t('backoffice.partner')}</th>
                <th scope="col">{t('orders.reference')}</th>
                <th scope="col">{t('order.subscription')}</th>
                <th scope="col">{t('order.contact_email')}</th>
                <th scope="col">{t('order.requested_start_date')}</th>
                <th scope="col">{t('backoffice.escalated_at')}</th>
                <th scope="col">{t('backoffice.contact_column')}</th>
              </tr>
            </thead>
            <tbody>
              {p.items.map((l) => (
                <tr>
                  <td>
                    {l.partnerName}
                    {l.accountRepEmail ? <div class="muted">{l.accountRepEmail}</div> : null}
                  </td>
                  <td>
                    <a href={`/orders/${l.orderId}`}>{l.reference}</a>
                    <div class="muted nowrap">{l.orderNumber}</div>
                    <LineStatusBadge t={t} status={l.status} />
                  </td>
                  <td class="nowrap">{l.subscriptionId}</td>
                  <td>{l.provisioningContactEmail}</td>
                  <td class="nowrap">{formatDay(reader, l.requestedStartDate)}</td>
                  <td>{formatDateTime(reader, l.escalatedAt)}</td>
                  <td>
                    {l.contact ? (
                      <ContactCell t={t} reader={reader} contact={l.contact} />
                    ) : (
                      <>
                        <Badge tone="warning">{t('backoffice.not_contacted')}</Badge>
                        <div>
                          <a
                            href={`${BASE}/${l.lineId}/contact?${new URLSearchParams({ back: p.back })}`}
                            aria-label={`${t('backoffice.mark_contacted')} ${l.subscriptionId}`}
                          >
                            {t('backoffice.mark_contacted')}
                          </a>
                        </div>
                      </>
                    )}
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

function ContactPage(
  p: Chrome & {
    subscriptionId: string;
    lineId: string;
    contact: EscalationContact | null;
    errors: Record<string, string>;
    note: string;
    back: string;
  },
) {
  const { t, locale, errors } = p;
  return (
    <BackofficeLayout {...p} title={t('backoffice.mark_contacted_title', { subscription: p.subscriptionId })}>
      <p>
        <a href={p.back}>← {t('backoffice.escalations')}</a>
      </p>
      {p.contact ? (
        <Callout tone="info" title={t('backoffice.already_contacted')}>
          <ContactCell t={t} reader={readerOf(locale, p.user)} contact={p.contact} />
        </Callout>
      ) : (
        <>
          <ErrorSummary t={t} errors={errors} />
          <form method="post" action={`${BASE}/${p.lineId}/contact`} class="card stack">
            <input type="hidden" name="back" value={p.back} />
            <Field
              name="note"
              label={t('backoffice.contact_note')}
              hint={t('backoffice.contact_note_hint', { count: ESCALATION_NOTE_MAX_LENGTH })}
              errors={errors}
            >
              <textarea rows={5} maxlength={ESCALATION_NOTE_MAX_LENGTH} {...fieldAttrs(errors, 'note', true)}>
                {p.note}
              </textarea>
            </Field>
            <div class="button-row">
              <button type="submit">{t('backoffice.mark_contacted')}</button>
              <a class="button secondary" href={p.back}>
                {t('backoffice.cancel')}
              </a>
            </div>
          </form>
        </>
      )}
    </BackofficeLayout>
  );
}

/** Where to return after the contact form: a list of escalations (with its filters), nothing else. */
function backTo(value: unknown): string {
  const target = safeNext(value);
  return target === BASE || target.startsWith(`${BASE}?`) ? target : BASE;
}

export function registerEscalationPages(app: Hono<UserEnv>): void {
  app.get(BASE, async (c) => {
    const ctx = c.get('ctx');
    const t = translator(c.get('locale'));
    const asked = c.req.query('representative')?.trim() ?? '';
    const representative = isValidEmailAddress(asked) ? normalizeEmail(asked) : undefined;
    const page = await loadFiltered(t, c.req.query(), querySchema, LABELS, (f) =>
      listEscalations(ctx, {
        partnerOrgId: f.partner,
        status: f.status,
        escalatedBefore: olderThan(ctx.clock.now(), f.age),
        contacted: f.contacted === undefined ? undefined : f.contacted === 'yes',
        representative,
        cursor: f.cursor,
        limit: PAGE_SIZE,
      }),
    );
    if (!page.result) c.status(400);
    const search = new URL(c.req.url).search;
    return c.html(
      <EscalationsPage
        {...chrome(c)}
        filters={page.filters}
        errors={page.errors}
        partners={await partnerChoices(ctx)}
        representative={representative}
        items={page.result?.items ?? []}
        nextCursor={page.result?.nextCursor ?? null}
        back={backTo(`${BASE}${search}`)}
      />,
    );
  });

  const contactPage = async (
    c: Context<UserEnv>,
    errors: Record<string, string>,
    note: string,
    back: string,
  ) => {
    const found = await getEscalation(c.get('ctx'), c.req.param('lineId') ?? '');
    return (
      <ContactPage
        {...chrome(c)}
        lineId={found.lineId}
        subscriptionId={found.subscriptionId}
        contact={found.contact}
        errors={errors}
        note={note}
        back={back}
      />
    );
  };

  app.get(`${BASE}/:lineId/contact`, async (c) =>
    c.html(await contactPage(c, {}, '', backTo(c.req.query('back')))),
  );

  app.post(`${BASE}/:lineId/contact`, async (c) => {
    const form = await c.req.parseBody();
    const back = backTo(form.back);
    const note = typeof form.note === 'string' ? form.note : '';
    try {
      await markEscalationContacted(c.get('ctx'), c.req.param('lineId'), note);
      return c.redirect(back, 303);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code === 'escalation_already_contacted') {
        c.status(409);
        return c.html(await contactPage(c, {}, '', back));
      }
      if (error.code !== 'validation_failed') throw error;
      const t: Translate = translator(c.get('locale'));
      c.status(422);
      return c.html(
        await contactPage(c, fieldMessages(t, error.fields, { note: 'backoffice.contact_note' }), note, back),
      );
    }
  });
}
