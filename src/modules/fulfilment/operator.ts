import { z } from 'zod';
import type { Ctx } from '../../platform/context.ts';
import { notFound, validationFailed } from '../../platform/errors.ts';
import { paragraphText } from '../../platform/text.ts';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { requireOperator } from '../identity/policy.ts';
import * as repo from './repository.ts';
import { answerRequest, type ProvisionRequestView, requestView } from './requests.ts';
import {
  ANSWER_MESSAGE_MAX_LENGTH,
  externalTenantIdSchema,
  isSetupFieldPath,
  OPERATOR_FAILED_CODE,
  type SetupSnapshot,
} from './schema.ts';

/**
 * The back office's side of fulfilment (docs/adr/0032): operators list the open requests, read one, and
 * answer it as the vendor's service would: *Approve* with the tenant's id, *Fail* with a reason, *Ask for
 * information* with a message and the setup fields at fault. Only operators; anyone else finds nothing.
 */

/** How many open requests the back office lists at once, oldest first. */
const OPEN_SHOWN = 200;

export interface OpenRequest {
  id: string;
  subscriptionId: string;
  offer: { code: string; name: string };
  quantity: number;
  mode: 'manual' | 'http';
  partnerName: string;
  customerName: string;
  openedAt: Date;
  attempts: number;
  acceptedAt: Date | null;
  lastError: string | null;
}

export async function listOpenRequests(ctx: Ctx): Promise<OpenRequest[]> {
  requireOperator(ctx.actor);
  const rows = await repo.listOpen(ctx.db, OPEN_SHOWN);
  return rows.map((r) => ({
    id: r.id,
    subscriptionId: r.subscription_id,
    offer: { code: r.offer_code, name: r.offer_name },
    quantity: r.quantity,
    mode: r.mode,
    partnerName: r.partner_name,
    customerName: r.customer_name,
    openedAt: r.opened_at,
    attempts: r.attempts,
    acceptedAt: r.accepted_at,
    lastError: r.last_error,
  }));
}

export interface OperatorRequest extends ProvisionRequestView {
  offer: { code: string; name: string };
  quantity: number;
  partnerName: string;
  customerName: string;
  order: { id: string; number: string; reference: string };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getRequestForOperator(ctx: Ctx, id: string): Promise<OperatorRequest> {
  requireOperator(ctx.actor);
  if (!UUID.test(id)) throw notFound();
  const r = await repo.requestForOperator(ctx.db, id);
  if (!r) throw notFound();
  return {
    ...requestView(r),
    offer: { code: r.offer_code, name: r.offer_name },
    quantity: r.quantity,
    partnerName: r.partner_name,
    customerName: r.customer_name,
    order: { id: r.order_id, number: r.order_number, reference: r.reference },
  };
}

/** The setup fields an operator may name: those the request's setup has. */
export function askableFields(setup: SetupSnapshot): string[] {
  const fields: string[] = [];
  setup.sites.forEach((_, i) => {
    fields.push(`sites[${i}].name`, `sites[${i}].timeZone`, `sites[${i}].licenses`);
  });
  if (setup.location)
    fields.push(
      'location.name',
      'location.addressLine1',
      'location.city',
      'location.postalCode',
      'location.country',
    );
  if (setup.subdomain) fields.push('subdomain');
  return fields;
}

const approveSchema = z.object({ externalTenantId: externalTenantIdSchema });
const failSchema = z.object({ reason: paragraphText(ANSWER_MESSAGE_MAX_LENGTH) });
const askSchema = z.object({
  message: paragraphText(ANSWER_MESSAGE_MAX_LENGTH),
  fields: z.array(z.string().refine(isSetupFieldPath)).min(1).max(50),
});

function parsed<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (!result.success) throw validationFailed(fieldErrorsFromZod(result.error.issues, input));
  return result.data;
}

function operatorOf(ctx: Ctx) {
  return { by: 'operator' as const, userId: requireOperator(ctx.actor).userId };
}

export async function approveRequest(ctx: Ctx, id: string, input: { externalTenantId?: unknown }) {
  const answerer = operatorOf(ctx);
  const { externalTenantId } = parsed(approveSchema, input);
  return answerRequest(ctx, id, { status: 'succeeded', externalTenantId }, answerer);
}

export async function failRequest(ctx: Ctx, id: string, input: { reason?: unknown }) {
  const answerer = operatorOf(ctx);
  const { reason } = parsed(failSchema, input);
  return answerRequest(ctx, id, { status: 'failed', code: OPERATOR_FAILED_CODE, message: reason }, answerer);
}

export async function askForInformation(
  ctx: Ctx,
  id: string,
  input: { message?: unknown; fields?: unknown },
) {
  const answerer = operatorOf(ctx);
  const { message, fields } = parsed(askSchema, input);
  return answerRequest(ctx, id, { status: 'needs_info', fields, message }, answerer);
}
