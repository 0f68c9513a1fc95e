import type { Executor } from '../../platform/db.ts';
import { listLineStatusCodes } from './repository.ts';

/**
 * The order line's statuses, as data: the orders module's public vocabulary (the API's `status` and
 * its filter, the order pages' badges). A line's status follows its subscription's stage and has one
 * writer, the subscriptions module's `advance` (docs/adr/0029): its transition table says which moves
 * set which status, and both it (at boot, `lineStatusProblems`) and `advance` (on every move) check
 * that against this table, so a line never moves backwards or skips.
 */
export const LINE_STATUSES = ['scheduled', 'awaiting_provisioning_details', 'closed', 'provisioned'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export const INITIAL_LINE_STATUS: LineStatus = 'scheduled';

export const LINE_TRANSITIONS: Readonly<Record<LineStatus, readonly LineStatus[]>> = {
  // Waiting for the Requested Start Date; on that date the provisioning email goes out.
  scheduled: ['awaiting_provisioning_details'],
  // The provisioning contact has been asked to set up the subscription.
  awaiting_provisioning_details: ['closed', 'provisioned'],
  // The policy window ran out: billing started, provisioning may still be pending (Cloud/SaaS page).
  // Provision later keeps the policy's billing start.
  closed: ['provisioned'],
  // Provision was pressed: the subscription is active and billing has started.
  provisioned: [],
};

export function isLineStatus(value: string): value is LineStatus {
  return (LINE_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: LineStatus, to: LineStatus): boolean {
  return LINE_TRANSITIONS[from].includes(to);
}

/** A lifecycle table as `lifecycleProblems` reads it: this module's, or one under test. */
export interface LifecycleTable {
  statuses: readonly string[];
  initial: string;
  transitions: Readonly<Record<string, readonly string[]>>;
}

/**
 * Problems with the table itself: an unknown initial state, rows or targets that name unknown
 * states, states with no row, states the initial one cannot reach. Empty when sound.
 */
export function lifecycleProblems(
  table: LifecycleTable = {
    statuses: LINE_STATUSES,
    initial: INITIAL_LINE_STATUS,
    transitions: LINE_TRANSITIONS,
  },
): string[] {
  const problems: string[] = [];
  const known = new Set(table.statuses);
  if (!known.has(table.initial)) problems.push(`${table.initial}: initial status unknown`);
  for (const status of table.statuses)
    if (!Object.hasOwn(table.transitions, status)) problems.push(`${status}: no transition row`);
  for (const from of Object.keys(table.transitions))
    if (!known.has(from)) problems.push(`${from}: transition row for an unknown status`);
  // Walk the graph from the initial state: only what a line can actually get to is reachable.
  const reachable = new Set<string>([table.initial]);
  const queue = [table.initial];
  for (let from = queue.shift(); from !== undefined; from = queue.shift()) {
    for (const to of table.transitions[from] ?? []) {
      if (!known.has(to)) problems.push(`${from} -> ${to}: unknown status`);
      else if (!reachable.has(to)) {
        reachable.add(to);
        queue.push(to);
      }
    }
  }
  for (const status of table.statuses) {
    if (!reachable.has(status)) problems.push(`${status}: unreachable from ${table.initial}`);
  }
  return problems;
}

/** Run at boot: the code's lifecycle and the database's `line_statuses` must name the same states. */
export async function assertLifecycleMatchesDatabase(db: Executor): Promise<void> {
  const problems = lifecycleProblems();
  const inDb = new Set(await listLineStatusCodes(db));
  for (const status of LINE_STATUSES)
    if (!inDb.has(status)) problems.push(`${status}: missing from line_statuses`);
  for (const code of inDb)
    if (!isLineStatus(code)) problems.push(`${code}: in line_statuses but not in LINE_STATUSES`);
  if (problems.length) throw new Error(`Order line lifecycle is inconsistent:\n  ${problems.join('\n  ')}`);
}
