import type { Ctx } from '../../platform/context.ts';
import { validationFailed } from '../../platform/errors.ts';
import { isLocale } from '../../platform/i18n.ts';
import { fieldErrorsFromZod } from '../../platform/validation.ts';
import { mayPlaceOrders } from '../identity/policy.ts';
import { userByEmail } from '../identity/service.ts';
import { createOrderSchema } from './schema.ts';
import { type CreateOrderResult, createOrder } from './service.ts';

/**
 * `provisio order create`: books an order from the command line as one of a partner's or
 * distributor's users, as the demo seed does, so the order names them as its placer. The body is the
 * API's (`createOrder`), checked by the same schema and the same service: whatever booking queues
 * (the start-date dispatch) is queued here too.
 */
export async function bookOrderAs(
  ctx: Ctx,
  email: string,
  body: unknown,
  idempotencyKey?: string,
): Promise<CreateOrderResult> {
  const input = createOrderSchema.safeParse(body);
  if (!input.success) throw validationFailed(fieldErrorsFromZod(input.error.issues, body));
  const user = await userByEmail(ctx, email);
  if (!user) throw validationFailed([{ field: 'as', rule: 'unknown_user' }]);
  const actor = {
    type: 'user' as const,
    userId: user.id,
    orgId: user.organization_id,
    orgKind: user.org_kind,
    role: user.role,
    email: user.email,
  };
  if (!mayPlaceOrders(actor)) throw validationFailed([{ field: 'as', rule: 'not_a_partner_user' }]);
  const locale = isLocale(user.locale) ? user.locale : ctx.locale;
  return createOrder({ ...ctx, actor, locale }, input.data, idempotencyKey);
}
