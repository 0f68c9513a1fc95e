import type { Config } from '../config.ts';
import type { Actor, Ctx } from './context.ts';
import { type Engine, withStatementTimeout } from './db.ts';
import { DomainError } from './errors.ts';

/** What one tenant holds: its list reads running now, and those waiting for a turn (first come, first served). */
interface Lane {
  running: number;
  waiting: Array<{ go: () => void; giveUp: () => void }>;
}

/** However long the time limit, a refused caller is asked to wait no longer than this. */
const RETRY_AFTER_MAX_SECONDS = 30;

/** PostgreSQL's SQLSTATE for a statement cancelled by statement_timeout. */
const QUERY_CANCELED = '57014';

function isQueryCanceled(error: unknown): boolean {
  return error instanceof Error && (error as { code?: unknown }).code === QUERY_CANCELED;
}

/** Whose share of the database a read uses: the organization (all its users and keys together). */
export function tenantOf(actor: Actor): string {
  if (actor.type === 'user' || actor.type === 'api_key') return `org:${actor.orgId}`;
  if (actor.type === 'system') return `system:${actor.name}`;
  if (actor.type === 'setup_link') return `line:${actor.lineId}`;
  return 'anonymous';
}

/**
 * User-driven list and search reads (docs/adr/0024): each tenant runs at most `perTenant` of them
 * at once in this process, `queue` more wait at most the statement time limit for a turn, and the
 * rest are refused at once with 429, so one tenant's searches can never take every connection of
 * the pool (on PGlite, every turn of its one session). On PostgreSQL each statement of the read
 * also stops at the time limit and answers 503 `query_timeout`; PGlite cannot interrupt a running
 * statement (measured: statement_timeout has no effect there), so only the share bounds it.
 */
export class ReadGate {
  private readonly lanes = new Map<string, Lane>();
  private readonly perTenant: number;

  constructor(
    private readonly engine: Engine,
    private readonly limits: {
      timeoutMs: number;
      perTenant: number;
      queue: number;
      poolSize: number;
    },
  ) {
    // A tenant's share leaves at least one connection of the pool to everyone else.
    this.perTenant =
      engine === 'postgres' ? Math.min(limits.perTenant, Math.max(1, limits.poolSize - 1)) : limits.perTenant;
  }

  static fromConfig(engine: Engine, config: Config): ReadGate {
    return new ReadGate(engine, {
      timeoutMs: config.listQueryTimeoutMs,
      perTenant: config.listQueriesPerTenant,
      queue: config.listQueuePerTenant,
      poolSize: config.databasePoolSize,
    });
  }

  /** Seconds a refused caller should wait: by then a running read has usually finished or been stopped. */
  private get retryAfterSeconds(): number {
    return Math.min(RETRY_AFTER_MAX_SECONDS, Math.max(1, Math.ceil(this.limits.timeoutMs / 1000)));
  }

  /** Runs `read` in the caller's share, each of its statements bounded by the time limit. */
  async run<T>(ctx: Ctx, read: (ctx: Ctx) => Promise<T>): Promise<T> {
    const key = tenantOf(ctx.actor);
    const lane = await this.enter(key);
    try {
      return await withStatementTimeout(ctx.db, this.engine, this.limits.timeoutMs, (db) =>
        read({ ...ctx, db }),
      );
    } catch (error) {
      if (!isQueryCanceled(error)) throw error;
      const statement = (error as { statement?: unknown }).statement;
      // Which statement and how long it was allowed: never its parameters (search text, emails).
      ctx.log.warn(
        {
          requestId: ctx.requestId,
          code: 'query_timeout',
          statement: typeof statement === 'string' ? statement : undefined,
          timeoutMs: this.limits.timeoutMs,
        },
        'list query stopped at its time limit',
      );
      throw new DomainError('query_timeout', 503, {
        seconds: this.retryAfterSeconds,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    } finally {
      this.leave(key, lane);
    }
  }

  private async enter(key: string): Promise<Lane> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { running: 0, waiting: [] };
      this.lanes.set(key, lane);
    }
    if (lane.running < this.perTenant) {
      lane.running += 1;
      return lane;
    }
    const busy = () =>
      new DomainError('too_many_list_requests', 429, {
        seconds: this.retryAfterSeconds,
        retryAfterSeconds: this.retryAfterSeconds,
      });
    if (lane.waiting.length >= this.limits.queue) throw busy();
    const own = lane;
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        go: () => {
          clearTimeout(timer);
          resolve();
        },
        giveUp: () => reject(busy()),
      };
      const timer = setTimeout(() => {
        const at = own.waiting.indexOf(waiter);
        if (at !== -1) own.waiting.splice(at, 1);
        waiter.giveUp();
      }, this.limits.timeoutMs);
      own.waiting.push(waiter);
    });
    // The slot was handed over by leave(): running was not decremented for us.
    return own;
  }

  private leave(key: string, lane: Lane): void {
    const next = lane.waiting.shift();
    if (next) {
      next.go();
      return;
    }
    lane.running -= 1;
    if (lane.running === 0) this.lanes.delete(key);
  }
}
