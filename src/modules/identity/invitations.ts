import type { Ctx } from '../../platform/context.ts';
import { hashToken, randomToken } from '../../platform/secrets.ts';
import { recordAudit } from '../audit/service.ts';
import * as repo from './invitations-repository.ts';

/**
 * One-time links that sign a user in, sent to their address: a new organization's admin sets a
 * password (W4), a customer admin continues service setup (W7). 256 random bits, only the SHA-256
 * kept, one use, and a few days to live. The page that redeems them is the admin hub's.
 */

export type InvitationPurpose = 'set_password' | 'set_up_services';

const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const INVITATION_TTL_HOURS = 7 * 24;

export function invitationUrl(ctx: Ctx, token: string): string {
  return `${ctx.config.publicUrl}/hub/invitations/${token}`;
}

/** Issues an invitation; call it inside the transaction that creates the reason for it. */
export async function createInvitation(
  ctx: Ctx,
  input: {
    userId: string;
    organizationId: string;
    purpose: InvitationPurpose;
    subscriptionId?: string | null;
  },
): Promise<{ token: string; url: string; expiresAt: Date }> {
  const now = ctx.clock.now();
  const token = randomToken(TOKEN_BYTES);
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_HOURS * 3_600_000);
  await repo.insertInvitation(ctx.db, {
    user_id: input.userId,
    token_hash: hashToken(token),
    purpose: input.purpose,
    subscription_id: input.subscriptionId ?? null,
    created_at: now,
    expires_at: expiresAt,
  });
  await recordAudit(ctx, [
    {
      action: 'user.invited',
      entityType: 'user',
      entityId: input.userId,
      organizationId: input.organizationId,
      payload: { purpose: input.purpose },
    },
  ]);
  return { token, url: invitationUrl(ctx, token), expiresAt };
}

export interface LiveInvitation {
  id: string;
  userId: string;
  email: string;
  hasPassword: boolean;
  locale: string;
  purpose: InvitationPurpose;
  subscriptionId: string | null;
}

/** The invitation a token names, while it is unused and unexpired; undefined for anything else. */
export async function findLiveInvitation(ctx: Ctx, token: string): Promise<LiveInvitation | undefined> {
  if (!TOKEN_PATTERN.test(token)) return undefined;
  const row = await repo.findLiveInvitation(ctx.db, hashToken(token), ctx.clock.now());
  if (!row) return undefined;
  return {
    id: row.id,
    userId: row.user_id,
    email: row.email,
    hasPassword: row.password_hash !== null,
    locale: row.locale,
    purpose: row.purpose,
    subscriptionId: row.subscription_id,
  };
}

/** Uses an invitation up, once: false when another request used it first. */
export function consumeInvitation(ctx: Ctx, invitationId: string): Promise<boolean> {
  return repo.markInvitationUsed(ctx.db, invitationId, ctx.clock.now());
}

/**
 * Why a token names no live invitation: it was used or has expired ("gone", so the page can say
 * so), or it names nothing at all.
 */
export async function deadInvitationReason(ctx: Ctx, token: string): Promise<'gone' | 'unknown'> {
  if (!TOKEN_PATTERN.test(token)) return 'unknown';
  const row = await repo.findInvitationByHash(ctx.db, hashToken(token));
  return row ? 'gone' : 'unknown';
}
