import type { ChaosClient } from './client.js';
import type { LoadOutcome } from './load.js';
import { CHAOS_PROCEDURES, WEBHOOK_ACTIONS } from './procedure.js';
import type { Call } from './receiver.js';
import type { RedriveOutcome } from './redrive.js';

const FINAL_STATUSES = new Set(['COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED']);
const FINAL_EVENTS = new Set([
  'HANDOFF_COMPLETED',
  'HANDOFF_FAILED',
  'HANDOFF_ROLLED_BACK',
  'HANDOFF_ROLLBACK_FAILED',
  'HANDOFF_CANCELLED',
]);
/** What an acknowledged cancel may end in: cancelled, or cancelled with an undo that failed. */
const CANCEL_HONOURED = new Set(['CANCELLED', 'ROLLBACK_FAILED']);

const PAGE = `query($after: String) { handoffs(first: 50, after: $after, filter: { procedureId: ${JSON.stringify(CHAOS_PROCEDURES)} }) {
  edges { node { handoffId procedureId status run parent { handoffId stepId }
    steps { id status attempts compensationAttempts } events(limit: 1000) { seq run type } } }
  pageInfo { hasNextPage endCursor } } }`;

export interface StoredHandoff {
  handoffId: string;
  procedureId: string;
  status: string;
  run: number;
  /** Set on a sub-handoff: the handoff and step that started it. */
  parent: { handoffId: string; stepId: string } | null;
  steps: { id: string; status: string; attempts: number; compensationAttempts: number }[];
  events: { seq: number; run: number; type: string }[];
}

export interface Invariant {
  name: string;
  held: boolean;
  /** Figures when it held; the first violations when not. */
  detail: string;
}

/** Every handoff of the run as stored now. */
export async function readStored(client: ChaosClient): Promise<Map<string, StoredHandoff>> {
  const stored = new Map<string, StoredHandoff>();
  for (let after: string | null = null; ; ) {
    const reply: any = await client.gql(PAGE, { after });
    if (reply.errors) throw new Error(`reading handoffs: ${JSON.stringify(reply.errors).slice(0, 300)}`);
    for (const { node } of reply.data.handoffs.edges) stored.set(node.handoffId, node);
    if (!reply.data.handoffs.pageInfo.hasNextPage) return stored;
    after = reply.data.handoffs.pageInfo.endCursor;
  }
}

function invariant(name: string, violations: string[], figures: string): Invariant {
  return {
    name,
    held: violations.length === 0,
    detail:
      violations.length === 0 ? figures : `${violations.length} violation(s): ${violations.slice(0, 5).join('; ')}`,
  };
}

/** The branch suffix of an action's id (`[2]` of `pack[2]`), or nothing. */
function branchOf(step: string): string {
  return /\[\d+\]$/.exec(step)?.[0] ?? '';
}

/**
 * Calls per handoff, action (a branch's own) and run, checked against the action's policy (a redrive starts
 * a run with a fresh policy) and, for the latest run, the attempts the store counted.
 */
function policyViolations(
  calls: Call[],
  stored: Map<string, StoredHandoff>,
  compensation: boolean,
): { violations: string[]; counted: number; most: number } {
  const perAction = new Map<string, Call[]>();
  for (const call of calls) {
    const action = WEBHOOK_ACTIONS.get(call.action);
    if (!action || action.compensation !== compensation) continue;
    const key = `${call.handoffId}|${call.action}${branchOf(call.step)}|${call.run}`;
    perAction.set(key, [...(perAction.get(key) ?? []), call]);
  }
  const violations: string[] = [];
  let most = 0;
  for (const [key, made] of perAction) {
    const [handoffId, name, run] = key.split('|') as [string, string, string];
    const action = WEBHOOK_ACTIONS.get(name.replace(/\[\d+\]$/, ''))!;
    most = Math.max(most, made.length);
    if (made.length > action.maxAttempts)
      violations.push(`${handoffId} ${name} run ${run}: ${made.length} calls, policy ${action.maxAttempts}`);
    // Every call of the latest run was an attempt the store had counted before it ran.
    const handoff = stored.get(handoffId);
    if (Number(run) !== (handoff?.run ?? 1)) continue;
    const step = handoff?.steps.find((candidate) => candidate.id === `${action.step}${branchOf(name)}`);
    const counted = step ? (compensation ? step.compensationAttempts : step.attempts) : 0;
    if (made.length > counted)
      violations.push(`${handoffId} ${name}: ${made.length} calls, ${counted} attempts stored`);
  }
  return { violations, counted: [...perAction.values()].reduce((sum, made) => sum + made.length, 0), most };
}

/** Keys used by more than one call: a receiver that de-duplicates on them would skip a step or an undo. */
function sharedKeys(calls: Call[]): string[] {
  const seen = new Map<string, Call>();
  const shared: string[] = [];
  for (const call of calls) {
    const first = seen.get(call.key);
    if (first) shared.push(`${call.key} (${first.action} #${first.attempt} and ${call.action} #${call.attempt})`);
    else seen.set(call.key, call);
  }
  return shared;
}

/** What a sub-handoff may have ended as, given how the parent's step that started it ended. */
const CHILD_OUTCOMES: Record<string, readonly string[]> = {
  SUCCEEDED: ['COMPLETED'],
  // The parent's rollback asked the completed child to undo its steps.
  COMPENSATED: ['ROLLED_BACK'],
  COMPENSATION_FAILED: ['ROLLBACK_FAILED', 'ROLLED_BACK', 'COMPLETED'],
  FAILED: ['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED'],
};

/**
 * Each sub-handoff ended as its parent's step says: completed under a step that succeeded, rolled back under
 * one the parent's rollback undid, not completed under one that failed (its parent cancelled it or it
 * failed). Only a child of the parent's latest run is held to its step (a redrive starts another child).
 */
function childViolations(stored: Map<string, StoredHandoff>): { violations: string[]; children: number } {
  const violations: string[] = [];
  let children = 0;
  for (const child of stored.values()) {
    if (!child.parent) continue;
    children++;
    if (!FINAL_STATUSES.has(child.status)) {
      violations.push(`${child.handoffId} is ${child.status}`);
      continue;
    }
    const parent = stored.get(child.parent.handoffId);
    if (!parent) {
      violations.push(`${child.handoffId}: its parent ${child.parent.handoffId} is missing`);
      continue;
    }
    const latestRun = parent.run > 1 ? `.r${parent.run}` : '';
    if (latestRun === '' ? /\.r\d+/.test(child.handoffId) : !child.handoffId.includes(latestRun)) continue;
    const step = parent.steps.find((candidate) => candidate.id === child.parent!.stepId);
    const allowed = CHILD_OUTCOMES[step?.status ?? ''] ?? [];
    if (!allowed.includes(child.status))
      violations.push(
        `${child.handoffId} ended ${child.status} under ${parent.handoffId}'s step ${step?.id} ${step?.status}`,
      );
  }
  return { violations, children };
}

/** Checks every promise the run is about; none is sampled. */
export function checkInvariants(
  load: LoadOutcome,
  stored: Map<string, StoredHandoff>,
  calls: Call[],
  redrives: RedriveOutcome,
): Invariant[] {
  const followedWanted = load.followersStarted;
  const missing = [...load.acknowledged].filter((id) => !stored.has(id));
  const unfinished = [...load.acknowledged].filter(
    (id) => stored.has(id) && !FINAL_STATUSES.has(stored.get(id)!.status),
  );
  const gaps: string[] = [];
  let events = 0;
  for (const handoff of stored.values()) {
    events += handoff.events.length;
    if (handoff.events.some((event, index) => event.seq !== index + 1))
      gaps.push(`${handoff.handoffId}: seqs ${handoff.events.map((event) => event.seq).join(',')}`);
    else if (!FINAL_EVENTS.has(handoff.events.at(-1)?.type ?? ''))
      gaps.push(`${handoff.handoffId}: history ends on ${handoff.events.at(-1)?.type}`);
  }
  const broken = load.streams.flatMap((stream) => {
    // A subscriber from the start follows the first run: its stream ends at that run's final event.
    const all = stored.get(stream.handoffId)?.events ?? [];
    const firstFinal = all.findIndex((event) => FINAL_EVENTS.has(event.type));
    const history = firstFinal === -1 ? all : all.slice(0, firstFinal + 1);
    // Errors the server sent on the stream say what a gap would not (a payload with errors carries no event).
    if (stream.errors.length) return [`${stream.handoffId}: errors on the stream: ${stream.errors.join(' | ')}`];
    if (stream.seqs.some((seq, index) => seq !== index + 1))
      return [`${stream.handoffId}: received ${stream.seqs.join(',')}`];
    if (stream.seqs.length !== history.length)
      return [`${stream.handoffId}: received ${stream.seqs.length} of ${history.length} events`];
    return FINAL_EVENTS.has(stream.lastType ?? '') ? [] : [`${stream.handoffId}: ended on ${stream.lastType}`];
  });
  if (load.streams.length !== followedWanted)
    broken.push(`${followedWanted - load.streams.length} subscriber(s) never finished`);
  const steps = policyViolations(calls, stored, false);
  const undos = policyViolations(calls, stored, true);
  const ignored = [...load.cancelsAcknowledged]
    .filter((id) => !CANCEL_HONOURED.has(stored.get(id)?.status ?? ''))
    .map((id) => `${id} ended ${stored.get(id)?.status}`);
  const resumed = load.streams.filter((stream) => stream.connections > 1).length;
  const notRedriven = [...redrives.acknowledged].flatMap((id) => {
    const handoff = stored.get(id);
    if (!handoff || handoff.run < 2) return [`${id} acknowledged but still run ${handoff?.run}`];
    const opened = handoff.events.findIndex((event) => event.type === 'HANDOFF_REDRIVEN');
    if (opened < 1 || !FINAL_EVENTS.has(handoff.events[opened - 1]!.type))
      return [`${id}: no HANDOFF_REDRIVEN right after a final event`];
    if (handoff.events.slice(opened).some((event) => event.run < 2))
      return [`${id}: an event after the redrive has run 1`];
    return [];
  });
  const family = childViolations(stored);
  const runs = [...stored.values()].filter((handoff) => handoff.run > 1);
  // Each was retried with expectedRun 1, resent after every kill: never more than one new run.
  const doubled = runs
    .filter((handoff) => handoff.run > 2)
    .map((handoff) => `${handoff.handoffId} reached run ${handoff.run}`);
  return [
    invariant(
      'every acknowledged handoff is stored and final',
      [
        ...missing.map((id) => `${id} missing`),
        ...unfinished.map((id) => `${id} is ${stored.get(id)!.status}`),
        ...load.surprises,
      ],
      `${load.acknowledged.size}/${load.acknowledged.size}`,
    ),
    invariant(
      'no event sequence gap; every history ends on its final event',
      gaps,
      `${stored.size} histories, ${events} events`,
    ),
    invariant(
      "every subscriber's stream is complete",
      broken,
      `${load.streams.length}/${followedWanted} (${resumed} resumed after a kill)`,
    ),
    invariant(
      'no step ran more often than its policy allows',
      steps.violations,
      `${steps.counted} calls, at most ${steps.most} for one step (policy 2–3)`,
    ),
    invariant(
      'no compensation ran more often than its policy allows',
      undos.violations,
      `${undos.counted} calls, at most ${undos.most} for one compensation (policy 3)`,
    ),
    invariant(
      'every webhook call has its own Idempotency-Key',
      sharedKeys(calls),
      `${calls.length} calls, ${new Set(calls.map((call) => call.key)).size} keys`,
    ),
    invariant(
      'no acknowledged cancel was ignored',
      ignored,
      `${load.cancelsAcknowledged.size} acknowledged, ${load.cancelsRefused.size} refused with a reason`,
    ),
    invariant(
      'every sub-handoff ended as the step that started it says',
      family.violations,
      `${family.children} sub-handoffs, each final and matching its parent's step`,
    ),
    invariant(
      'every acknowledged redrive ran again under its id, history kept',
      [...notRedriven, ...doubled, ...redrives.surprises],
      `${redrives.acknowledged.size} acknowledged, ${redrives.refused.size} refused, ${runs.length} handoffs with more than one run (${runs.filter((handoff) => handoff.status === 'COMPLETED').length} completed)`,
    ),
  ];
}
