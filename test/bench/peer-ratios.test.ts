import { describe, expect, it } from 'vitest';
import type { Row } from '../../bench/support/common.js';
import { BULLMQ_CHAIN, BULLMQ_SINGLE_JOB, peerRatios } from '../../bench/support/peer-ratios.js';

const row = (name: string, value: number, unit: string): Row => ({ section: 'x', name, value, unit });

describe("the bench's peer ratios", () => {
  it('sets the file store through the engine API and over HTTP against both BullMQ figures of the same run', () => {
    const ratios = peerRatios([
      row('engine API, file store (SQLite)', 3_000, 'handoffs/s'),
      row('initiateHandoff over HTTP, file store (SQLite)', 1_500, 'handoffs/s'),
      row(BULLMQ_CHAIN, 2_000, 'flows/s'),
      row(BULLMQ_SINGLE_JOB, 6_000, 'jobs/s'),
    ]);
    expect(ratios.map(({ name, ratio, goal, met }) => ({ name, ratio, goal, met }))).toEqual([
      { name: 'file store vs BullMQ chain', ratio: 1.5, goal: '≥ 2.0', met: false },
      { name: 'file store vs BullMQ single job', ratio: 0.5, goal: undefined, met: undefined },
      { name: 'file store over HTTP vs BullMQ chain', ratio: 0.75, goal: '≥ 1.0', met: false },
      { name: 'file store over HTTP vs BullMQ single job', ratio: 0.25, goal: '≥ 0.3', met: false },
    ]);
    expect(ratios[2]!.reference).toBe(`${BULLMQ_CHAIN}, 2,000 flows/s`);
  });

  it('leaves out a comparison whose figure was not measured in this run', () => {
    const ratios = peerRatios([
      row('engine API, file store (SQLite)', 3_000, 'handoffs/s'),
      row(BULLMQ_CHAIN, 2_000, 'flows/s'),
    ]);
    expect(ratios.map((ratio) => ratio.name)).toEqual(['file store vs BullMQ chain']);
  });
});
