import type { Executor } from '../db.ts';
import type { Logger } from '../logger.ts';
import { countPending } from './repository.ts';

/**
 * How the mail relay of this process is doing, kept on the runtime (`rt.mail.relay`) for operators:
 * `/healthz` shows it, and `/metrics` exports it (`provisio_mail_relay_*`). It changes only when
 * a relay run talks to the server, so a process that runs no workers keeps its initial values.
 */
export interface MailRelayState {
  /** Batches or probes in a row that could not reach the server; 0 once one gets through. */
  consecutiveFailures: number;
  /** The last failure's short code (`ECONNREFUSED`, `ETIMEDOUT`, `421` …), never the server's text. */
  lastErrorCode: string | null;
  lastFailureAt: Date | null;
  lastSuccessAt: Date | null;
  /** Messages still pending when the relay last looked (due or waiting for a retry). */
  backlog: number | null;
}

export function newRelayState(): MailRelayState {
  return {
    consecutiveFailures: 0,
    lastErrorCode: null,
    lastFailureAt: null,
    lastSuccessAt: null,
    backlog: null,
  };
}

/**
 * The server could not be reached (or dropped us): one log line per failed probe or batch, with the
 * code and how many messages wait, never an address or the server's text (it may name a mailbox).
 */
export function recordOutage(
  state: MailRelayState,
  log: Logger,
  failure: { code: string; deferred: number; at: Date },
): void {
  state.consecutiveFailures += 1;
  state.lastErrorCode = failure.code;
  state.lastFailureAt = failure.at;
  log.warn(
    {
      code: failure.code,
      deferred: failure.deferred,
      consecutiveFailures: state.consecutiveFailures,
      lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
    },
    `mail relay: the SMTP server cannot be reached (${failure.code}); mail waits and is retried`,
  );
}

/** A message got through: the outage, if there was one, is over (said once). */
export function recordSuccess(state: MailRelayState, log: Logger, at: Date): void {
  if (state.consecutiveFailures > 0)
    log.info(
      { consecutiveFailures: state.consecutiveFailures, lastErrorCode: state.lastErrorCode },
      'mail relay: the SMTP server answers again',
    );
  state.consecutiveFailures = 0;
  state.lastSuccessAt = at;
}

/** The state as JSON, for /healthz. */
export function relayStateView(state: MailRelayState) {
  return {
    status: state.consecutiveFailures > 0 ? ('failing' as const) : ('ok' as const),
    consecutiveFailures: state.consecutiveFailures,
    lastErrorCode: state.lastErrorCode,
    lastFailureAt: state.lastFailureAt?.toISOString() ?? null,
    lastSuccessAt: state.lastSuccessAt?.toISOString() ?? null,
    backlog: state.backlog,
  };
}

/**
 * The mail part of /healthz: this process's relay state, with the backlog counted now (so a web
 * process that runs no relay still shows how much mail waits).
 */
export async function mailHealth(db: Executor, state: MailRelayState) {
  return { ...relayStateView(state), backlog: await countPending(db) };
}
