import { type Random, seededRandom } from '../../src/engine/shared/random.js';
import type { ChaosClient } from './client.js';
import { type Deadline, sleep } from './deadline.js';
import { follow, type Stream } from './follower.js';
import type { ChaosOptions } from './options.js';

const INITIATE =
  'mutation($id: ID!, $procedureId: ID!, $metadata: JSON) { initiateHandoff(input: { handoffId: $id, procedureId: $procedureId, metadata: $metadata }) { handoff { handoffId } userErrors { code message } } }';

/** What a handoff of the graph procedure runs over once per item. */
const PARTS = ['frame', 'wheels', 'saddle'];
const CANCEL =
  'mutation($id: ID!) { cancelHandoff(input: { id: $id, reason: "chaos" }) { handoff { status } userErrors { code message } } }';

/** What the load did and was told. */
export interface LoadOutcome {
  /** handoffIds the server acknowledged (answered with the handoff). */
  acknowledged: Set<string>;
  /** Cancels answered without userErrors: each must have taken effect. */
  cancelsAcknowledged: Set<string>;
  /** Cancels refused with a reason (the handoff had finished, or was rolling back). */
  cancelsRefused: Map<string, string>;
  /** Subscribers started (one per followed handoff); `streams` holds those that finished. */
  followersStarted: number;
  streams: Stream[];
  /** Answers that make no sense for this load (a userError on initiate): the run fails on them. */
  surprises: string[];
}

/** The draws for handoff `index`, from the seed and the index alone (never from timing). */
function drawsFor(seed: number, index: number): Random {
  return seededRandom((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
}

/**
 * Starts `handoffs` handoffs, `concurrency` requests at a time, each retried until acknowledged;
 * cancels some at a random moment and follows some over graphql-ws. `onAcknowledged` hears the
 * running count (the killer acts on it). Resolves once every request, cancel and stream has ended.
 */
export async function driveLoad(
  options: ChaosOptions,
  client: ChaosClient,
  wsUrl: string,
  deadline: Deadline,
  onAcknowledged: (count: number) => void,
): Promise<LoadOutcome> {
  const outcome: LoadOutcome = {
    acknowledged: new Set(),
    cancelsAcknowledged: new Set(),
    cancelsRefused: new Map(),
    followersStarted: 0,
    streams: [],
    surprises: [],
  };
  const background: Promise<void>[] = [];
  // Every followStep-th handoff is followed, `followed` of them in all.
  const followStep = options.followed > 0 ? Math.max(1, Math.floor(options.handoffs / options.followed)) : 0;
  const isFollowed = (index: number) =>
    followStep > 0 && index % followStep === 0 && index / followStep < options.followed;

  const cancelLater = async (id: string, draws: Random) => {
    await sleep(Math.floor(draws.next() * 300));
    const reply = await client.gql(CANCEL, { id });
    const errors = reply.data?.cancelHandoff?.userErrors;
    if (!errors) outcome.surprises.push(`cancel ${id}: ${JSON.stringify(reply).slice(0, 200)}`);
    else if (errors.length === 0) outcome.cancelsAcknowledged.add(id);
    else outcome.cancelsRefused.set(id, errors[0].code);
  };

  // Awaited together at the end; until then a rejection (the run's deadline passing mid-call) is only noted, so it
  // reaches the report through that await, or not at all when the initiating workers fail first.
  const keep = (task: Promise<void>) => {
    task.catch(() => undefined);
    background.push(task);
  };

  let next = 0;
  const worker = async () => {
    while (next < options.handoffs) {
      const index = next++;
      const id = `chaos_${index}`;
      const draws = drawsFor(options.seed, index);
      const graph = draws.next() < options.graphShare;
      const reply = await client.gql(INITIATE, {
        id,
        procedureId: graph ? 'CHAOS_GRAPH' : 'CHAOS',
        metadata: graph ? { parts: PARTS } : null,
      });
      const initiated = reply.data?.initiateHandoff;
      if (!initiated?.handoff) {
        outcome.surprises.push(`initiate ${id}: ${JSON.stringify(reply).slice(0, 200)}`);
        continue;
      }
      outcome.acknowledged.add(id);
      onAcknowledged(outcome.acknowledged.size);
      if (draws.next() < options.cancelRate) keep(cancelLater(id, draws));
      if (isFollowed(index)) {
        outcome.followersStarted++;
        keep(follow(wsUrl, id, deadline).then((stream) => void outcome.streams.push(stream)));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  await Promise.all(background);
  return outcome;
}
