import type { Ctx } from '../../platform/context.ts';
import { DomainError, type FieldError } from '../../platform/errors.ts';
import { eventScope } from '../identity/policy.ts';
import { EVENT_TYPES, type EventType, isEventType } from './catalogue.ts';
import { decodeFeedCursor, encodeFeedCursor, FEED_START, invalidParameters } from './feed-cursor.ts';
import { type FeedPosition, readFeed } from './feed-repository.ts';
import { type EventBody, eventBody } from './published.ts';
import { retainedSince } from './retention.ts';

export const FEED_PAGE_DEFAULT = 100;
export const FEED_PAGE_MAX = 500;
/** Unknown names named in one refusal: enough to fix a typo, not an echo of a long query string. */
const UNKNOWN_TYPES_NAMED = 5;

export interface FeedQueryInput {
  after?: string | undefined;
  types?: string | undefined;
  limit: number;
}

export type FeedItem = EventBody & { id: string };

export interface FeedPage {
  data: FeedItem[];
  /** Pass it back as `after`: always given, the same as `after` while nothing new is readable. */
  nextCursor: string;
}

/** `types=a,b`: each a catalogue type (400 naming those that are not); empty or absent: every type. */
export function parseTypes(text: string | undefined): EventType[] | null {
  if (text === undefined) return null;
  const names = [...new Set(text.split(',').map((t) => t.trim()))].filter((t) => t !== '');
  if (names.length === 0) return null;
  const unknown = names.filter((t) => !isEventType(t));
  if (unknown.length) {
    throw invalidParameters(
      unknown.slice(0, UNKNOWN_TYPES_NAMED).map(
        (value): FieldError => ({
          field: 'types',
          rule: 'unknown_event_type',
          params: { value: value.slice(0, 64) },
        }),
      ),
    );
  }
  return names.length === EVENT_TYPES.length ? null : (names as EventType[]);
}

/** Both parameters are checked before refusing, so one answer names every one at fault. */
function parseQuery(input: FeedQueryInput): { after: FeedPosition; types: EventType[] | null } {
  const fields: FieldError[] = [];
  const attempt = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      fields.push(...error.fields);
      return undefined;
    }
  };
  const after = input.after === undefined ? FEED_START : attempt(() => decodeFeedCursor(input.after ?? ''));
  const types = attempt(() => parseTypes(input.types));
  if (fields.length || after === undefined || types === undefined) throw invalidParameters(fields);
  return { after, types };
}

/**
 * The feed (X2, docs/adr/0030): the caller's events after its cursor, in commit order, at most
 * EVENT_RETENTION_DAYS back. A reader that keeps passing `nextCursor` back sees every event it may
 * see once, in the same order whatever the timing of the transactions that wrote them.
 */
export async function listEvents(ctx: Ctx, input: FeedQueryInput): Promise<FeedPage> {
  const scope = eventScope(ctx.actor);
  const { after, types } = parseQuery(input);
  // In the caller's share of the database, within the list time limit, as other lists (ADR 0024).
  const rows = await ctx.reads.run(ctx, (read) =>
    readFeed(read.db, scope, {
      after,
      types,
      since: retainedSince(read.clock.now()),
      limit: input.limit,
    }),
  );
  const last = rows[rows.length - 1];
  return {
    data: rows.map((r) => ({
      id: r.id,
      ...eventBody({ type: r.type, occurredAt: r.occurred_at, data: r.data }),
    })),
    nextCursor: encodeFeedCursor(last ? { xid: last.xid, seq: last.seq } : after),
  };
}
