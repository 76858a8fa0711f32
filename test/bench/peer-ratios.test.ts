import { describe, expect, it } from 'vitest';
import { BULLMQ_CHAIN, peerRatios } from '../../bench/support/peer-ratios.js';

describe("the bench's peer ratios", () => {
  it('sets the file store through the engine API and over HTTP against both BullMQ figures, round by round', () => {
    const ratios = peerRatios({
      engineApi: [3_000, 2_400, 3_300],
      overHttp: [1_500, 1_200, 1_800],
      chain: [2_000, 1_000, 1_500],
      singleJob: [6_000, 6_000, 6_000],
    });
    expect(ratios.map(({ name, value, ratio, goal, met }) => ({ name, value, ratio, goal, met }))).toEqual([
      // Round ratios 1.5, 2.4, 2.2: their median, not the ratio of the medians (3,000 / 1,500 = 2.0).
      { name: 'file store vs BullMQ chain', value: 3_000, ratio: 2.2, goal: '≥ 2.0', met: true },
      { name: 'file store vs BullMQ single job', value: 3_000, ratio: 0.5, goal: undefined, met: undefined },
      { name: 'file store over HTTP vs BullMQ chain', value: 1_500, ratio: 1.2, goal: '≥ 1.0', met: true },
      { name: 'file store over HTTP vs BullMQ single job', value: 1_500, ratio: 0.25, goal: '≥ 0.3', met: false },
    ]);
    expect(ratios[0]!.reference).toBe(`${BULLMQ_CHAIN}, 1,500/s`);
    expect(ratios[0]!.note).toContain('1.5 / 2.4 / 2.2');
  });
});
