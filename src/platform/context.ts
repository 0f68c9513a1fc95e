import type { Config } from '../config.ts';
import type { TransitionEffects } from '../modules/subscriptions/effects.ts';
import type { Caches } from './cache.ts';
import type { Clock } from './clock.ts';
import type { Db, Executor, Tx } from './db.ts';
import type { Locale } from './i18n.ts';
import type { JobQueue } from './jobs.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mail/outbox.ts';
import type { DomainCounters } from './metrics/registry.ts';
import type { OutboundHttp } from './outbound-http.ts';
import type { PdfRenderer } from './pdf/renderer.ts';
import type { ReadGate } from './read-gate.ts';

export type OrgKind = 'partner' | 'distributor' | 'customer' | 'vendor';
export type Role =
  | 'partner_admin'
  | 'partner_user'
  /** Sees the organization's orders; may not resend or change contacts. */
  | 'partner_viewer'
  | 'customer_admin'
  | 'customer_user'
  /** A vendor's back-office user: reads every order, answers support cases. */
  | 'operator';

/** Who is acting: a signed-in user, an integrator's API key, or Provisio itself (timers, CLI). */
export type Actor =
  | { type: 'user'; userId: string; orgId: string; orgKind: OrgKind; role: Role; email: string }
  | { type: 'api_key'; apiKeyId: string; orgId: string; orgKind: OrgKind }
  | { type: 'system'; name: string }
  /**
   * Someone holding a live setup link (the wizard, W1): the token proves they read the provisioning
   * contact's mailbox. May act on that line's subscription only, until it is mapped.
   */
  | { type: 'setup_link'; linkId: string; lineId: string; subscriptionId: string; email: string }
  /** Not signed in: may read nothing until a middleware names the actor. */
  | { type: 'anonymous' };

/** The first argument of every service function. */
export interface Ctx {
  db: Executor;
  clock: Clock;
  locale: Locale;
  /** The reader's IANA zone (the signed-in user's organization's), for what is written for them; UTC when unset. */
  timeZone?: string;
  requestId: string;
  actor: Actor;
  log: Logger;
  /** The runtime's bounded caches. */
  caches: Caches;
  /** The job queue: `enqueue(ctx, job, payload)` writes through `db`, so inside its transaction. */
  jobs: JobQueue;
  /** Where email goes: `queueEmail(ctx, …)` writes to the outbox, the relay sends through this. */
  mail: Mailer;
  /** Renders PDFs off the main thread (platform/pdf/renderer.ts). */
  pdf: PdfRenderer;
  /** The settings, read once at boot (public URL for links, sender address, …). */
  config: Config;
  /** List and search reads run through it: a fair share of the database per tenant, and a time limit. */
  reads: ReadGate;
  /** What modules do when a subscription moves, by effect name (modules/subscriptions/effects.ts). */
  transitionEffects: TransitionEffects;
  /** Requests to addresses tenants chose (webhooks): safe targets only, kept-alive sockets. */
  outbound: OutboundHttp;
  /** Events counted for /metrics where they happen (orders booked, escalations, mail outcomes). */
  metrics: DomainCounters;
}

/** A context whose database is an open transaction. */
export type TxCtx = Ctx & { db: Tx };

/** Runs `work` in one transaction (or inside the caller's, when ctx already holds one). */
export async function inTransaction<T>(ctx: Ctx, work: (txCtx: TxCtx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return work(ctx as TxCtx);
  return (ctx.db as Db).transaction().execute((tx) => work({ ...ctx, db: tx }));
}
