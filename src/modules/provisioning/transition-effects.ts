import { queueEmails } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import type { TransitionEffect } from '../subscriptions/effects.ts';
import { composeEmails, sentEntry } from './dispatch.ts';
import { issueLinks } from './links.ts';
import * as repo from './repository.ts';

/**
 * What provisioning does when a subscription moves (named in subscriptions/lifecycle.ts, run by
 * `advance` in the mover's transaction). Each handles the whole set that moved at once: the dispatch
 * moves up to a batch of lines per call, and its cost stays a fixed round of statements per batch.
 */

/**
 * `send_setup_emails` (scheduled → awaiting_details): a live setup link per line, one start-date
 * email per (order, contact) listing that contact's lines, and an `email_sent` entry per line.
 */
export const sendSetupEmails: TransitionEffect = async (tx, moved) => {
  const lineIds = moved.map((m) => m.lineId);
  const urls = await issueLinks(
    tx,
    moved.map((m) => ({ lineId: m.lineId, to: m.contactEmail })),
  );
  const emails = await composeEmails(tx, await repo.findEmailLines(tx.db, lineIds), urls, false);
  await queueEmails(
    tx,
    emails.map((e) => ({ ...e, kind: 'provisioning.start' })),
  );
  await recordAudit(
    tx,
    moved.map((m) => sentEntry(m.lineId, m.partnerOrgId, m.contactEmail, 'start')),
  );
};

/** `end_setup_links` (the Point of No Return): every live link of the line ends; nothing may be resent. */
export const endSetupLinks: TransitionEffect = async (tx, moved) => {
  await repo.endLiveLinks(
    tx.db,
    moved.map((m) => m.lineId),
    'mapped',
    tx.clock.now(),
  );
};
