import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { LRUCache } from 'lru-cache';
import {
  hostOf,
  type ResolvedAddress,
  type Resolver,
  resolveTarget,
  systemResolver,
  type TargetPolicy,
  type TargetRule,
} from './safe-targets.ts';

/**
 * Requests to addresses tenants chose (webhooks, docs/adr/0031), one client per runtime: kept-alive
 * sockets per origin, every connection to an address checked by `safe-targets.ts` and pinned to it,
 * redirects never followed, a deadline on the whole exchange, and only the first bytes of the answer
 * kept. Nothing here logs: a request's headers carry signatures.
 */

/** What is kept of an answer: enough to show a receiver's error message, never a whole page. */
export const RESPONSE_EXCERPT_BYTES = 2048;
/** Past this much of an answer the socket is dropped instead of read to its end for reuse. */
const RESPONSE_DRAIN_MAX_BYTES = 1024 * 1024;
/** How long a resolved name is reused; every use is still checked against the policy. */
const RESOLUTION_TTL_MS = 30_000;
const RESOLUTION_CACHE_ENTRIES = 10_000;
/** Retry-After beyond this is not believed (a receiver asking for a week is asking to be dropped). */
const RETRY_AFTER_MAX_SECONDS = 24 * 60 * 60;

export type OutboundError =
  | 'timeout'
  | 'connection_refused'
  | 'connection_reset'
  | 'dns'
  | 'tls'
  | 'target_refused'
  | 'network';

export type OutboundOutcome =
  | {
      kind: 'answered';
      status: number;
      /** The first RESPONSE_EXCERPT_BYTES of the body, as text. */
      excerpt: string;
      /** The answer's Retry-After in seconds (delay or date), when it gave a usable one. */
      retryAfterSeconds: number | undefined;
      latencyMs: number;
    }
  | { kind: 'failed'; error: OutboundError; latencyMs: number };

export interface OutboundPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface OutboundHttp {
  /** Why a URL may not be registered (its form, where it resolves), or undefined when it may. */
  checkTarget(url: string): Promise<TargetRule | undefined>;
  /** POSTs `body`; never throws for what the network or the receiver did. */
  post(request: OutboundPost): Promise<OutboundOutcome>;
  /**
   * The wall clock: a signature's timestamp is checked by receivers against theirs, so it is when the
   * request leaves, whatever clock the domain runs on (tests move theirs).
   */
  now(): Date;
  close(): void;
}

export interface OutboundOptions {
  production: boolean;
  allowPrivate: boolean;
  resolve?: Resolver;
  now?: () => Date;
}

/** Connects to the address that was checked, whatever the name resolves to by then. */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return (_hostname, options, callback) => {
    // Node 20 asks for every address when it may try both families (autoSelectFamily).
    if (typeof options === 'object' && options.all)
      (callback as unknown as (e: null, a: ResolvedAddress[]) => void)(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };
}

function classify(error: unknown): OutboundError {
  const code = String((error as { code?: unknown })?.code ?? '');
  if (code === 'ECONNREFUSED') return 'connection_refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE')
    return 'connection_reset';
  if (code === 'ETIMEDOUT' || code === 'ESOCKETTIMEDOUT') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (/CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) return 'tls';
  if ((error as Error)?.message === 'socket hang up') return 'connection_reset';
  return 'network';
}

/** Seconds from a Retry-After header (a delay or an HTTP date), bounded; undefined when unusable. */
export function retryAfterSeconds(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  const seconds = /^\d+$/.test(trimmed)
    ? Number(trimmed)
    : (new Date(trimmed).getTime() - now.getTime()) / 1000;
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  return Math.min(RETRY_AFTER_MAX_SECONDS, Math.ceil(seconds));
}

/** Text for a database column: NUL cannot be stored, and a cut multi-byte character becomes U+FFFD. */
function excerptText(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes).replaceAll('\u0000', '\uFFFD');
}

export function createOutboundHttp(options: OutboundOptions): OutboundHttp {
  const now = options.now ?? (() => new Date());
  const agents = {
    http: new http.Agent({ keepAlive: true, noDelay: true, maxFreeSockets: 256, scheduling: 'lifo' }),
    https: new https.Agent({ keepAlive: true, noDelay: true, maxFreeSockets: 256, scheduling: 'lifo' }),
  };
  const resolve = options.resolve ?? systemResolver;
  const resolutions = new LRUCache<string, ResolvedAddress[]>({
    max: RESOLUTION_CACHE_ENTRIES,
    ttl: RESOLUTION_TTL_MS,
  });
  const cachedResolve: Resolver = async (host) => {
    const known = resolutions.get(host);
    if (known) return known;
    const found = await resolve(host);
    resolutions.set(host, found);
    return found;
  };
  const policy = (resolver: Resolver): TargetPolicy => ({
    production: options.production,
    allowPrivate: options.allowPrivate,
    resolve: resolver,
  });

  function send(
    request: OutboundPost,
    url: URL,
    pinned: ResolvedAddress,
    started: number,
  ): Promise<OutboundOutcome> {
    const secure = url.protocol === 'https:';
    const latencyMs = () => Math.round(performance.now() - started);
    return new Promise((settle) => {
      let done = false;
      const finish = (outcome: OutboundOutcome) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        settle(outcome);
      };
      const req = (secure ? https : http).request({
        protocol: url.protocol,
        hostname: hostOf(url),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        lookup: pinnedLookup(pinned),
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      });
      const timer = setTimeout(() => {
        finish({ kind: 'failed', error: 'timeout', latencyMs: latencyMs() });
        req.destroy();
      }, request.timeoutMs);
      req.on('error', (error) => finish({ kind: 'failed', error: classify(error), latencyMs: latencyMs() }));
      req.on('response', (res) => {
        const kept: Buffer[] = [];
        let keptBytes = 0;
        let total = 0;
        res.on('data', (chunk: Buffer) => {
          total += chunk.length;
          if (keptBytes < RESPONSE_EXCERPT_BYTES) {
            const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - keptBytes);
            kept.push(part);
            keptBytes += part.length;
          }
          // A receiver that answers with a flood is not read to the end: its socket is dropped.
          if (total > RESPONSE_DRAIN_MAX_BYTES) res.destroy();
        });
        const answered = () =>
          finish({
            kind: 'answered',
            status: res.statusCode ?? 0,
            excerpt: excerptText(Buffer.concat(kept)),
            retryAfterSeconds: retryAfterSeconds(res.headers['retry-after'], now()),
            latencyMs: latencyMs(),
          });
        res.on('end', answered);
        // The status is known: an answer cut short is still that answer.
        res.on('close', answered);
        res.on('error', answered);
      });
      req.end(request.body);
    });
  }

  return {
    async checkTarget(url) {
      const checked = await resolveTarget(url, policy(resolve));
      return checked.ok ? undefined : checked.rule;
    },
    async post(request) {
      const started = performance.now();
      const checked = await resolveTarget(request.url, policy(cachedResolve));
      if (!checked.ok) {
        const error = checked.rule === 'webhook_url_unresolvable' ? 'dns' : 'target_refused';
        return { kind: 'failed', error, latencyMs: Math.round(performance.now() - started) };
      }
      return send(request, checked.url, checked.address, started);
    },
    now,
    close() {
      agents.http.destroy();
      agents.https.destroy();
      resolutions.clear();
    },
  };
}
