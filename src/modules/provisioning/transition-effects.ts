import { isoDate } from '../../platform/clock.ts';
import { wake } from '../../platform/jobs.ts';
import { queueEmails } from '../../platform/mail/outbox.ts';
import { recordAudit } from '../audit/service.ts';
import type { BookingEffect, TransitionEffect } from '../subscriptions/effects.ts';
import { composeEmails, sentEntry } from './dispatch.ts';
import { dispatchDue } from './jobs.ts';
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

/** Latest UTC offset in use (Pacific/Kiritimati): a start date up to this far ahead may already be "today". */
const AHEAD_OF_UTC_MS = 14 * 3600 * 1000;

/**
 * `queue_start_date_dispatch` (booking): an order with a line whose start date may already have begun
 * in its partner's time zone wakes the dispatch job, written through the order's transaction, so it
 * gets its email at once rather than at the next minute's sweep, whoever booked it (API, CLI, seed).
 * The dispatch reads the zone and sends only what is due; later dates wait for the sweep.
 */
export const queueStartDateDispatch: BookingEffect = {
  appliesTo: (lines, now) => {
    const soon = isoDate(new Date(now.getTime() + AHEAD_OF_UTC_MS));
    return lines.some((l) => l.requestedStartDate <= soon);
  },
  run: (tx) => wake(tx, dispatchDue, {}),
};
