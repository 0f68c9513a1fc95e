import type { Executor } from '../../platform/db.ts';
import { listLineStatusCodes } from './repository.ts';

/**
 * The order line lifecycle, as data. Every status change goes through `transitionLine`, which
 * refuses anything not listed here. Later stages (mapped to an organization = Point of No Return,
 * provisioned, closed with provisioning pending) are added as rows here and in `line_statuses`.
 */
export const LINE_STATUSES = ['scheduled', 'awaiting_provisioning_details'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

export const INITIAL_LINE_STATUS: LineStatus = 'scheduled';

export const LINE_TRANSITIONS: Readonly<Record<LineStatus, readonly LineStatus[]>> = {
  // Waiting for the Requested Start Date; on that date the provisioning email goes out.
  scheduled: ['awaiting_provisioning_details'],
  // The provisioning contact has been asked to set up the subscription.
  awaiting_provisioning_details: [],
};

export function isLineStatus(value: string): value is LineStatus {
  return (LINE_STATUSES as readonly string[]).includes(value);
}

export function canTransition(from: LineStatus, to: LineStatus): boolean {
  return LINE_TRANSITIONS[from].includes(to);
}

/** Problems with the table itself: unknown targets, unreachable states. Empty when sound. */
export function lifecycleProblems(): string[] {
  const problems: string[] = [];
  const reachable = new Set<LineStatus>([INITIAL_LINE_STATUS]);
  for (const [from, targets] of Object.entries(LINE_TRANSITIONS)) {
    for (const to of targets) {
      if (!isLineStatus(to)) problems.push(`${from} -> ${to}: unknown status`);
      else reachable.add(to);
    }
  }
  for (const status of LINE_STATUSES) {
    if (!reachable.has(status)) problems.push(`${status}: unreachable from ${INITIAL_LINE_STATUS}`);
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
