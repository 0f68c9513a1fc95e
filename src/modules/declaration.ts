import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Hono } from 'hono';
import type { Config } from '../config.ts';
import type { AppEnv } from '../platform/http.ts';
import type { AnyJob } from '../platform/jobs.ts';
import type { MailResultHandler } from '../platform/mail/outbox.ts';
import type { DatabaseGauge, OutboxProbe } from '../platform/metrics/database-gauges.ts';
import type { EventType } from './events/catalogue.ts';
import type { UserEnv } from './identity/middleware.ts';
import type { OrderPagePanel } from './orders/panels.ts';
import type { TransitionEffects } from './subscriptions/effects.ts';

/**
 * What a module contributes to the one process (docs/adr/0029): each module exports one declaration
 * (`src/modules/<module>/module.ts`), `src/modules/index.ts` lists them, and `app.ts` and `runtime.ts`
 * iterate over the list instead of hand-kept, order-dependent lists. Nothing here may depend on where a
 * module sits in the list: pages guard their own paths, panels carry their rank, and two modules
 * contributing the same job, effect, mail kind, event type, panel, route or operation fail the boot
 * (compose.ts).
 */
export interface ModuleDeclaration {
  /** Unique: the module's folder name. */
  readonly name: string;
  /** Operations under `/api/v1`, behind the API key check (`requireApiKey`). */
  apiRoutes?(api: OpenAPIHono<AppEnv>): void;
  /** Workspace pages (session cookie, same-origin forms); each module guards its own paths (`requireUser`). */
  pages?(app: Hono<UserEnv>, site: PageSite): void;
  /** Pages reached by a setup link: nobody is signed in, the token in the path is the key. */
  setupLinkPages?(app: Hono<AppEnv>): void;
  /** Background jobs: each gets its queue and, in a worker, its handler. */
  readonly jobs?: readonly AnyJob[];
  /** Who hears how an email of each `kind` ended (e.g. to settle a transaction's status). */
  readonly mailResultHandlers?: Readonly<Record<string, MailResultHandler>>;
  /** Handlers of the effects the subscription lifecycle names (subscriptions/effects.ts). */
  readonly transitionEffects?: TransitionEffects;
  /** The outgoing event types this module writes (events/catalogue.ts), each written by one module. */
  readonly eventTypes?: readonly EventType[];
  /** What it shows on the order page (orders/panels.ts). */
  readonly orderPagePanels?: readonly OrderPagePanel[];
  /** Its outboxes, whose backlog and oldest entry `/metrics` reads from the database (docs/adr/0040). */
  readonly outboxes?: readonly OutboxProbe[];
  /** Other states `/metrics` reads from its tables at scrape time (e.g. subscriptions by stage). */
  readonly gauges?: readonly DatabaseGauge[];
}

/** What every module's pages are given. */
export interface PageSite {
  readonly config: Config;
  /** Every module's panels for the order page (the orders module renders them). */
  readonly orderPagePanels: readonly OrderPagePanel[];
}
