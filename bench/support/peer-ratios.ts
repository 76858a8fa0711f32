import { type Row, round } from './common.js';

/** The peer part's figures (bench/parts/peer.ts), by row name. */
export const BULLMQ_CHAIN = 'BullMQ FlowProducer chain (4 jobs per flow)';
export const BULLMQ_SINGLE_JOB = 'BullMQ single job, progress per step';

/** The engine part's figures the peer is compared with (bench/parts/engine.ts): its API and `initiateHandoff` over HTTP. */
const FILE_STORE = 'engine API, file store (SQLite)';
const FILE_STORE_OVER_HTTP = 'initiateHandoff over HTTP, file store (SQLite)';

/**
 * The engine on its file store, through its API and through `initiateHandoff` over HTTP (what a user
 * drives), against each BullMQ figure, all medians from this benchmark run. A comparison whose figures
 * are missing (a part skipped or not selected) is left out.
 */
export function peerRatios(rows: Row[]): Row[] {
  const comparisons = [
    // The goals are issue #28's: through the engine API ≥ 2.0× the chain; over HTTP ≥ 1.0× the chain, ≥ 0.3× the single job.
    { name: 'file store vs BullMQ chain', ours: FILE_STORE, reference: BULLMQ_CHAIN, goal: 2 },
    { name: 'file store vs BullMQ single job', ours: FILE_STORE, reference: BULLMQ_SINGLE_JOB },
    // Over HTTP a handoff counts when its final event was published (as the engine part counts it); a BullMQ
    // flow or job when its worker reported the last step completed.
    { name: 'file store over HTTP vs BullMQ chain', ours: FILE_STORE_OVER_HTTP, reference: BULLMQ_CHAIN, goal: 1 },
    {
      name: 'file store over HTTP vs BullMQ single job',
      ours: FILE_STORE_OVER_HTTP,
      reference: BULLMQ_SINGLE_JOB,
      goal: 0.3,
    },
  ];
  return comparisons.flatMap(({ name, ours, reference, goal }) => {
    const figure = rows.find((row) => row.name === ours);
    const peer = rows.find((row) => row.name === reference);
    if (!figure || !peer) return [];
    const ratio = figure.value / peer.value;
    const measured = `${reference}, ${peer.value.toLocaleString('en-US')} ${peer.unit}`;
    const { value, unit } = figure;
    const row: Row = { section: 'peer', name, value, unit, ratio: round(ratio, 2), reference: measured };
    return [goal === undefined ? row : { ...row, goal: `≥ ${goal.toFixed(1)}`, met: ratio >= goal }];
  });
}
