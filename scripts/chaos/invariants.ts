import type { ChaosClient } from './client.js';
import type { LoadOutcome } from './load.js';
import { WEBHOOK_ACTIONS } from './procedure.js';
import type { Call } from './receiver.js';

const FINAL_STATUSES = new Set(['COMPLETED', 'FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED', 'CANCELLED']);
const FINAL_EVENTS = new Set(['HANDOFF_COMPLETED', 'HANDOFF_FAILED', 'HANDOFF_ROLLED_BACK', 'HANDOFF_ROLLBACK_FAILED', 'HANDOFF_CANCELLED']);
/** What an acknowledged cancel may end in: cancelled, or cancelled with an undo that failed. */
const CANCEL_HONOURED = new Set(['CANCELLED', 'ROLLBACK_FAILED']);

const PAGE = `query($after: String) { handoffs(first: 50, after: $after, filter: { procedureId: ["CHAOS"] }) {
  edges { node { handoffId status steps { id attempts compensationAttempts } events(limit: 1000) { seq type } } }
  pageInfo { hasNextPage endCursor } } }`;

interface StoredHandoff {
  handoffId: string;
  status: string;
  steps: { id: string; attempts: number; compensationAttempts: number }[];
  events: { seq: number; type: string }[];
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
  return { name, held: violations.length === 0, detail: violations.length === 0 ? figures : `${violations.length} violation(s): ${violations.slice(0, 5).join('; ')}` };
}

/** Calls per handoff and action, checked against the action's policy and the attempts the store counted. */
function policyViolations(calls: Call[], stored: Map<string, StoredHandoff>, compensation: boolean): { violations: string[]; counted: number; most: number } {
  const perAction = new Map<string, Call[]>();
  for (const call of calls) {
    const action = WEBHOOK_ACTIONS.get(call.action);
    if (!action || action.compensation !== compensation) continue;
    const key = `${call.handoffId}|${call.action}`;
    perAction.set(key, [...(perAction.get(key) ?? []), call]);
  }
  const violations: string[] = [];
  let most = 0;
  for (const [key, made] of perAction) {
    const [handoffId, name] = key.split('|') as [string, string];
    const action = WEBHOOK_ACTIONS.get(name)!;
    most = Math.max(most, made.length);
    if (made.length > action.maxAttempts) violations.push(`${handoffId} ${name}: ${made.length} calls, policy ${action.maxAttempts}`);
    // Every call was an attempt the store had counted before it ran.
    const step = stored.get(handoffId)?.steps.find((candidate) => candidate.id === action.step);
    const counted = step ? (compensation ? step.compensationAttempts : step.attempts) : 0;
    if (made.length > counted) violations.push(`${handoffId} ${name}: ${made.length} calls, ${counted} attempts stored`);
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

/** Checks every promise the run is about; none is sampled. */
export function checkInvariants(load: LoadOutcome, stored: Map<string, StoredHandoff>, calls: Call[]): Invariant[] {
  const followedWanted = load.followersStarted;
  const missing = [...load.acknowledged].filter((id) => !stored.has(id));
  const unfinished = [...load.acknowledged].filter((id) => stored.has(id) && !FINAL_STATUSES.has(stored.get(id)!.status));
  const gaps: string[] = [];
  let events = 0;
  for (const handoff of stored.values()) {
    events += handoff.events.length;
    if (handoff.events.some((event, index) => event.seq !== index + 1)) gaps.push(`${handoff.handoffId}: seqs ${handoff.events.map((event) => event.seq).join(',')}`);
    else if (!FINAL_EVENTS.has(handoff.events.at(-1)?.type ?? '')) gaps.push(`${handoff.handoffId}: history ends on ${handoff.events.at(-1)?.type}`);
  }
  const broken = load.streams.flatMap((stream) => {
    const history = stored.get(stream.handoffId)?.events ?? [];
    if (stream.seqs.some((seq, index) => seq !== index + 1)) return [`${stream.handoffId}: received ${stream.seqs.join(',')}`];
    if (stream.seqs.length !== history.length) return [`${stream.handoffId}: received ${stream.seqs.length} of ${history.length} events`];
    return FINAL_EVENTS.has(stream.lastType ?? '') ? [] : [`${stream.handoffId}: ended on ${stream.lastType}`];
  });
  if (load.streams.length !== followedWanted) broken.push(`${followedWanted - load.streams.length} subscriber(s) never finished`);
  const steps = policyViolations(calls, stored, false);
  const undos = policyViolations(calls, stored, true);
  const ignored = [...load.cancelsAcknowledged].filter((id) => !CANCEL_HONOURED.has(stored.get(id)?.status ?? '')).map((id) => `${id} ended ${stored.get(id)?.status}`);
  const resumed = load.streams.filter((stream) => stream.connections > 1).length;
  return [
    invariant('every acknowledged handoff is stored and final', [...missing.map((id) => `${id} missing`), ...unfinished.map((id) => `${id} is ${stored.get(id)!.status}`), ...load.surprises], `${load.acknowledged.size}/${load.acknowledged.size}`),
    invariant('no event sequence gap; every history ends on its final event', gaps, `${stored.size} histories, ${events} events`),
    invariant("every subscriber's stream is complete", broken, `${load.streams.length}/${followedWanted} (${resumed} resumed after a kill)`),
    invariant('no step ran more often than its policy allows', steps.violations, `${steps.counted} calls, at most ${steps.most} for one step (policy 2–3)`),
    invariant('no compensation ran more often than its policy allows', undos.violations, `${undos.counted} calls, at most ${undos.most} for one compensation (policy 3)`),
    invariant('every webhook call has its own Idempotency-Key', sharedKeys(calls), `${calls.length} calls, ${new Set(calls.map((call) => call.key)).size} keys`),
    invariant('no acknowledged cancel was ignored', ignored, `${load.cancelsAcknowledged.size} acknowledged, ${load.cancelsRefused.size} refused with a reason`),
  ];
}
