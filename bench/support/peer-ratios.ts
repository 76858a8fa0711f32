import { median, type Row, round } from './common.js';

/** The peer part's figures (bench/parts/peer.ts), by row name. */
export const BULLMQ_CHAIN = 'BullMQ FlowProducer chain (4 jobs per flow)';
export const BULLMQ_SINGLE_JOB = 'BullMQ single job, progress per step';

/** Each round's figures: the four ways take turns within a round, so a round's ratios share the machine's moment. */
export interface PeerRounds {
  /** The engine on its file store through its API, handoffs/s. */
  engineApi: number[];
  /** `initiateHandoff` over HTTP to a server on its file store, handoffs/s. */
  overHttp: number[];
  chain: number[];
  singleJob: number[];
}

/**
 * The engine through its API and over HTTP (what a user drives) against each BullMQ figure: each ratio the
 * median of the rounds' own ratios, the figures beside it the medians of the rounds. The goals are issue #28's:
 * through the engine API ≥ 2.0× the chain; over HTTP ≥ 1.0× the chain and ≥ 0.3× the single job.
 */
export function peerRatios(rounds: PeerRounds): Row[] {
  const comparisons = [
    { name: 'file store vs BullMQ chain', ours: rounds.engineApi, peer: rounds.chain, of: BULLMQ_CHAIN, goal: 2 },
    { name: 'file store vs BullMQ single job', ours: rounds.engineApi, peer: rounds.singleJob, of: BULLMQ_SINGLE_JOB },
    // Over HTTP a handoff counts when its final event was published; a BullMQ flow or job when its worker
    // reported the last step completed.
    {
      name: 'file store over HTTP vs BullMQ chain',
      ours: rounds.overHttp,
      peer: rounds.chain,
      of: BULLMQ_CHAIN,
      goal: 1,
    },
    {
      name: 'file store over HTTP vs BullMQ single job',
      ours: rounds.overHttp,
      peer: rounds.singleJob,
      of: BULLMQ_SINGLE_JOB,
      goal: 0.3,
    },
  ];
  return comparisons.map(({ name, ours, peer, of, goal }) => {
    const ratios = ours.map((value, index) => value / peer[index]!);
    const ratio = median(ratios);
    const row: Row = {
      section: 'peer',
      name,
      value: round(median(ours)),
      unit: 'handoffs/s',
      runs: ours.map((value) => round(value)),
      ratio: round(ratio, 2),
      reference: `${of}, ${round(median(peer)).toLocaleString('en-US')}/s`,
      note: `the median of each round's own ratio (${ratios.map((r) => round(r, 2)).join(' / ')}); ${of} per round ${peer.map((value) => round(value)).join(' / ')}`,
    };
    return goal === undefined ? row : { ...row, goal: `≥ ${goal.toFixed(1)}`, met: ratio >= goal };
  });
}
