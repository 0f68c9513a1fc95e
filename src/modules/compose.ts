import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Env, Hono } from 'hono';
import type { AppEnv } from '../platform/http.ts';
import type { AnyJob } from '../platform/jobs.ts';
import type { MailResultHandler } from '../platform/mail/outbox.ts';
import type { DatabaseGauge, OutboxProbe } from '../platform/metrics/database-gauges.ts';
import type { ModuleDeclaration } from './declaration.ts';
import type { OrderPagePanel } from './orders/panels.ts';
import type { TransitionEffects } from './subscriptions/effects.ts';

/** Everything the modules contribute, gathered once at boot. */
export interface Composition {
  readonly modules: readonly ModuleDeclaration[];
  /** The platform's jobs (the mail relay), then each module's. */
  readonly jobs: readonly AnyJob[];
  readonly mailResultHandlers: ReadonlyMap<string, MailResultHandler>;
  readonly transitionEffects: TransitionEffects;
  readonly orderPagePanels: readonly OrderPagePanel[];
  /** The platform's outbox (mail), then each module's: their backlogs are on /metrics. */
  readonly outboxes: readonly OutboxProbe[];
  readonly gauges: readonly DatabaseGauge[];
}

/** Who contributed what: a second contributor of one name is a conflict, reported with both names. */
class Claims {
  readonly problems: string[] = [];
  private readonly owners = new Map<string, string>();

  claim(kind: string, name: string, owner: string): void {
    const key = `${kind} ${name}`;
    const first = this.owners.get(key);
    if (first === undefined) this.owners.set(key, owner);
    else if (first !== owner)
      this.problems.push(`${kind} "${name}" is contributed by both ${first} and ${owner}`);
    else if (kind !== 'route') this.problems.push(`${kind} "${name}" is contributed twice by ${owner}`);
  }

  assertNone(): void {
    if (this.problems.length)
      throw new Error(`Module declarations conflict:\n  ${this.problems.join('\n  ')}`);
  }
}

/**
 * Gathers the modules' jobs, mail result handlers, transition effects, order page panels, outboxes and
 * gauges. Fails
 * (at boot) naming every name contributed twice: two modules' jobs would share a queue, two effects
 * or mail handlers would silently replace one another.
 */
export function composeModules(
  modules: readonly ModuleDeclaration[],
  platformJobs: readonly AnyJob[] = [],
  platformOutboxes: readonly OutboxProbe[] = [],
): Composition {
  const claims = new Claims();
  const jobs: AnyJob[] = [];
  const mailResultHandlers = new Map<string, MailResultHandler>();
  let transitionEffects: TransitionEffects = {};
  const orderPagePanels: OrderPagePanel[] = [];
  const outboxes: OutboxProbe[] = [];
  const gauges: DatabaseGauge[] = [];
  for (const outbox of platformOutboxes) {
    claims.claim('outbox', outbox.name, 'the platform');
    outboxes.push(outbox);
  }
  for (const job of platformJobs) {
    claims.claim('job', job.name, 'the platform');
    jobs.push(job);
  }
  for (const m of modules) {
    claims.claim('module', m.name, m.name);
    for (const job of m.jobs ?? []) {
      claims.claim('job', job.name, m.name);
      jobs.push(job);
    }
    for (const [kind, handler] of Object.entries(m.mailResultHandlers ?? {})) {
      claims.claim('mail result handler', kind, m.name);
      mailResultHandlers.set(kind, handler);
    }
    for (const name of Object.keys(m.transitionEffects ?? {}))
      claims.claim('transition effect', name, m.name);
    transitionEffects = { ...transitionEffects, ...m.transitionEffects };
    for (const type of m.eventTypes ?? []) claims.claim('event type', type, m.name);
    for (const panel of m.orderPagePanels ?? []) {
      claims.claim('order page panel', panel.name, m.name);
      orderPagePanels.push(panel);
    }
    for (const outbox of m.outboxes ?? []) {
      claims.claim('outbox', outbox.name, m.name);
      outboxes.push(outbox);
    }
    for (const gauge of m.gauges ?? []) {
      claims.claim('gauge', gauge.name, m.name);
      gauges.push(gauge);
    }
  }
  claims.assertNone();
  return { modules, jobs, mailResultHandlers, transitionEffects, orderPagePanels, outboxes, gauges };
}

/** A route's method and path, with parameter names and patterns left out: `/orders/:id` is `/orders/:orderId`. */
function routeKey(method: string, path: string): string {
  return `${method} ${path.replace(/:[^/{]+(\{[^}]*\})?/g, ':')}`;
}

/**
 * Lets each module register on `app`, then fails naming any route (method and path) two modules
 * registered: the first would answer, and the second's handler would never run. Middleware
 * (`use`, method ALL) is not a route: a module's guard may cover paths of another's.
 */
export function mountModules<E extends Env>(
  app: Hono<E>,
  modules: readonly ModuleDeclaration[],
  mount: (m: ModuleDeclaration) => void,
  where: string,
): void {
  const claims = new Claims();
  for (const m of modules) {
    const before = app.routes.length;
    mount(m);
    for (const route of app.routes.slice(before))
      if (route.method !== 'ALL')
        claims.claim('route', `${where}${routeKey(route.method, route.path)}`, m.name);
  }
  claims.assertNone();
}

/** Each module's API operations, on `api`: fails on a route or an operationId two modules registered. */
export function mountApiRoutes(api: OpenAPIHono<AppEnv>, modules: readonly ModuleDeclaration[]): void {
  const claims = new Claims();
  mountModules(
    api,
    modules,
    (m) => {
      const before = api.openAPIRegistry.definitions.length;
      m.apiRoutes?.(api);
      for (const d of api.openAPIRegistry.definitions.slice(before))
        if (d.type === 'route' && d.route.operationId)
          claims.claim('operationId', d.route.operationId, m.name);
    },
    'api ',
  );
  claims.assertNone();
}
