import type { Config } from '../../config.ts';
import { type Ctx, inTransaction } from '../../platform/context.ts';
import type { Locale } from '../../platform/i18n.ts';
import { hashToken, randomToken } from '../../platform/secrets.ts';
import { recordAudit } from '../audit/service.ts';
import type { OrderLineView } from '../orders/schema.ts';
import { getOrder } from '../orders/service.ts';
import * as repo from './repository.ts';

/**
 * Setup links: 256 random bits each, only their SHA-256 kept, one live link per line (a unique
 * index). The URL is built from the configured public address, never from a request's Host header.
 */

const TOKEN_BYTES = 32;
/** base64url of TOKEN_BYTES: anything else cannot be one of ours, so the database is not asked. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function setupUrl(config: Pick<Config, 'publicUrl'>, token: string): string {
  return `${config.publicUrl}/setup/${token}`;
}

/** Issues a live link per line (end the old ones first); returns each line's setup URL. */
export async function issueLinks(
  ctx: Ctx,
  lines: { lineId: string; to: string }[],
): Promise<Map<string, string>> {
  const now = ctx.clock.now();
  const issued = lines.map((line) => ({ ...line, token: randomToken(TOKEN_BYTES) }));
  await repo.insertLinks(
    ctx.db,
    issued.map((l) => ({
      line_id: l.lineId,
      token_hash: hashToken(l.token),
      sent_to: l.to,
      created_at: now,
    })),
  );
  return new Map(issued.map((l) => [l.lineId, setupUrl(ctx.config, l.token)]));
}

export type SetupLinkState =
  | {
      state: 'live';
      linkId: string;
      orderId: string;
      orderReference: string;
      orderLocale: Locale;
      line: OrderLineView;
    }
  | { state: 'ended'; reason: repo.LinkEndReason }
  | { state: 'unknown' };

/**
 * What a setup link leads to. Only a person's use counts as opening it (C10: an opened link stops the
 * escalation): `used` is true for a request a person made by acting on the page (the wizard's form
 * posts), never for a GET or HEAD, which mail scanners and link previewers send on their own, many of
 * them following the link and rendering the page (some run its scripts) before anyone reads the
 * email. The first use is recorded once, by a conditional update, as Provisio's own `setup-link`
 * actor: the visitor has no account.
 */
export async function openSetupLink(
  ctx: Ctx,
  token: string,
  options: { used: boolean } = { used: false },
): Promise<SetupLinkState> {
  if (!TOKEN_PATTERN.test(token)) return { state: 'unknown' };
  const link = await repo.findLinkByHash(ctx.db, hashToken(token));
  if (!link) return { state: 'unknown' };
  if (link.ended_reason) return { state: 'ended', reason: link.ended_reason };
  const asLink: Ctx = { ...ctx, actor: { type: 'system', name: 'setup-link' } };
  if (options.used && !link.opened_at) {
    await inTransaction(asLink, async (tx) => {
      const first = await repo.markLinkOpened(tx.db, link.id, link.line_id, tx.clock.now());
      if (first)
        await recordAudit(tx, [
          {
            action: 'provisioning.link_opened',
            entityType: 'order_line',
            entityId: link.line_id,
            organizationId: link.partner_org_id,
            payload: { linkId: link.id },
          },
        ]);
    });
  }
  const order = await getOrder(asLink, link.order_id);
  const line = order.lines.find((l) => l.id === link.line_id);
  if (!line) return { state: 'unknown' };
  return {
    state: 'live',
    linkId: link.id,
    orderId: order.id,
    orderReference: order.reference,
    orderLocale: order.locale,
    line,
  };
}
