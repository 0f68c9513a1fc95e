import { type Ctx, inTransaction } from '../../platform/context.ts';
import { displayEmail } from '../../platform/email.ts';
import { DomainError, type FieldError, notFound, validationFailed } from '../../platform/errors.ts';
import { hashPassword } from '../../platform/secrets.ts';
import {
  consumeInvitation,
  deadInvitationReason,
  findLiveInvitation,
  type LiveInvitation,
} from '../identity/invitations.ts';
import { newPasswordProblems, setFirstPassword, startSession, userByEmail } from '../identity/service.ts';

/**
 * Redeeming an invitation (W4, W7): a user without a password chooses one, the invitation is used
 * up, and a session starts, in one transaction. A user who has a password signs in as usual: a
 * link alone never signs anyone in who could sign in themselves.
 */

const gone = () => new DomainError('hub_invitation_gone', 410);

/** Where the invitation leads once redeemed: the subscription's service setup, or the hub. */
export function invitationTarget(invitation: Pick<LiveInvitation, 'subscriptionId'>): string {
  return invitation.subscriptionId ? `/hub/setups/${invitation.subscriptionId}` : '/hub';
}

export type OpenedInvitation =
  | { kind: 'set_password'; email: string; purpose: LiveInvitation['purpose']; locale: string }
  | { kind: 'sign_in'; next: string };

async function liveOrRefuse(ctx: Ctx, token: string): Promise<LiveInvitation> {
  const invitation = await findLiveInvitation(ctx, token);
  if (invitation) return invitation;
  throw (await deadInvitationReason(ctx, token)) === 'gone' ? gone() : notFound();
}

export async function openInvitation(ctx: Ctx, token: string): Promise<OpenedInvitation> {
  const invitation = await liveOrRefuse(ctx, token);
  if (invitation.hasPassword) return { kind: 'sign_in', next: invitationTarget(invitation) };
  return {
    kind: 'set_password',
    email: displayEmail(invitation.email),
    purpose: invitation.purpose,
    locale: invitation.locale,
  };
}

export async function redeemInvitation(
  ctx: Ctx,
  token: string,
  input: { password: string; confirmation: string },
  ttlHours: number,
): Promise<
  | { kind: 'signed_in'; token: string; expiresAt: Date; locale: string; next: string }
  | { kind: 'sign_in'; next: string }
> {
  const invitation = await liveOrRefuse(ctx, token);
  const next = invitationTarget(invitation);
  if (invitation.hasPassword) return { kind: 'sign_in', next };
  const fields: FieldError[] = newPasswordProblems(input.password, 'password');
  if (input.confirmation !== input.password)
    fields.push({ field: 'confirmation', rule: 'password_mismatch' });
  if (fields.length) throw validationFailed(fields);
  const passwordHash = await hashPassword(input.password);
  const user = await userByEmail(ctx, invitation.email);
  if (!user) throw notFound();
  // From here on the invited user acts (and is recorded in the history) as themselves.
  const asUser: Ctx = {
    ...ctx,
    actor: {
      type: 'user',
      userId: user.id,
      orgId: user.organization_id,
      orgKind: user.org_kind,
      role: user.role,
      email: user.email,
    },
  };
  return inTransaction(asUser, async (tx) => {
    // The conditional updates decide a race: the second redemption finds the invitation used.
    if (!(await consumeInvitation(tx, invitation.id))) throw gone();
    if (!(await setFirstPassword(tx, invitation.userId, passwordHash))) throw gone();
    const session = await startSession(tx, invitation.userId, ttlHours);
    return { kind: 'signed_in', ...session, locale: invitation.locale, next };
  });
}
