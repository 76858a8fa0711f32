import { type Row, round } from './common.js';

/** The peer part's figures (bench/parts/peer.ts), by row name. */
export const BULLMQ_CHAIN = 'BullMQ FlowProducer chain (4 jobs per flow)';
export const BULLMQ_SINGLE_JOB = 'BullMQ single job, progress per step';

/** The engine part's figure the peer is compared with. */
const FILE_STORE = 'engine API, file store (SQLite)';

/**
 * The engine on its file store against each BullMQ figure, both medians from this benchmark run.
 * A comparison whose figures are missing (a part skipped or not selected) is left out.
 */
export function peerRatios(rows: Row[]): Row[] {
  const fileStore = rows.find((row) => row.name === FILE_STORE);
  if (!fileStore) return [];
  const comparisons = [
    { name: 'file store vs BullMQ chain', reference: BULLMQ_CHAIN, goal: '≥ 1.0' },
    { name: 'file store vs BullMQ single job', reference: BULLMQ_SINGLE_JOB },
  ];
  return comparisons.flatMap(({ name, reference, goal }) => {
    const peer = rows.find((row) => row.name === reference);
    if (!peer) return [];
    const ratio = fileStore.value / peer.value;
    const measured = `${reference}, ${peer.value.toLocaleString('en-US')} ${peer.unit}`;
    const { value, unit } = fileStore;
    const row: Row = { section: 'peer', name, value, unit, ratio: round(ratio, 2), reference: measured };
    return [goal ? { ...row, goal, met: ratio >= 1 } : row];
  });
}
