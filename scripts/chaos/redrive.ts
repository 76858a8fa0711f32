import type { ChaosClient } from './client.js';
import type { StoredHandoff } from './invariants.js';

const RETRY =
  'mutation($id: ID!, $run: Int!) { retryHandoff(input: { id: $id, expectedRun: $run }) { handoff { run } userErrors { code message } } }';
const REDRIVABLE = new Set(['FAILED', 'ROLLED_BACK', 'ROLLBACK_FAILED']);

/** What the redrive phase did and was told. */
export interface RedriveOutcome {
  /** Handoffs whose retryHandoff was answered without userErrors: each must have run again, to a final status. */
  acknowledged: Set<string>;
  /** Refused with a code (a reply lost to a kill and sent again finds run 2 already: VERSION_CONFLICT). */
  refused: Map<string, string>;
  /** Answers that make no sense (no payload at all). */
  surprises: string[];
}

/**
 * Redrives every handoff that ended FAILED, ROLLED_BACK or ROLLBACK_FAILED (those with an acknowledged
 * cancel aside: that cancel's promise is about the run it ended), `concurrency` at a time, while the
 * killer (told the running count) kills the server under them.
 */
export async function driveRedrives(
  client: ChaosClient,
  stored: Map<string, StoredHandoff>,
  cancelled: ReadonlySet<string>,
  concurrency: number,
  onAcknowledged: (count: number) => void,
): Promise<RedriveOutcome> {
  const outcome: RedriveOutcome = { acknowledged: new Set(), refused: new Map(), surprises: [] };
  const candidates = redriveCandidates(stored, cancelled);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const id = candidates[next++]!;
      // expectedRun: the request is sent again whenever a kill cuts it off, and must start one new run at most.
      const reply = await client.gql(RETRY, { id, run: stored.get(id)!.run });
      const errors = reply.data?.retryHandoff?.userErrors;
      if (!errors) outcome.surprises.push(`retry ${id}: ${JSON.stringify(reply).slice(0, 200)}`);
      else if (errors.length === 0) outcome.acknowledged.add(id);
      else outcome.refused.set(id, errors[0].code);
      onAcknowledged(outcome.acknowledged.size + outcome.refused.size);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return outcome;
}

/** Handoffs the load started (sub-handoffs are their parents' to drive) that ended failed, without an acknowledged cancel. */
export function redriveCandidates(stored: Map<string, StoredHandoff>, cancelled: ReadonlySet<string>): string[] {
  return [...stored.values()]
    .filter((handoff) => handoff.parent === null)
    .filter((handoff) => REDRIVABLE.has(handoff.status) && !cancelled.has(handoff.handoffId))
    .map((handoff) => handoff.handoffId);
}
