import { describe, expect, it } from 'vitest';
import type { ProgressEventFragment } from '../gql/graphql';
import { attemptBars, lanesOf } from './attempt-bars';

let seq = 0;
function event(
  type: string,
  step: string | null,
  attempt: number | null,
  atMs: number,
  run = 1,
  branch: number | null = null,
): ProgressEventFragment {
  seq += 1;
  return {
    seq,
    run,
    type,
    step,
    branch,
    attempt,
    at: new Date(atMs).toISOString(),
    status: 'RUNNING',
    message: '',
    durationMs: null,
    data: null,
    actor: null,
  } as ProgressEventFragment;
}

describe('attemptBars', () => {
  it('starts the bars of a step afresh in the run a retry opens, attempts from 1 again', () => {
    const bars = attemptBars([
      event('STEP_STARTED', 'a', 1, 0),
      event('STEP_FAILED', 'a', 1, 5),
      event('HANDOFF_FAILED', null, null, 5),
      event('HANDOFF_REDRIVEN', null, null, 30, 2),
      event('STEP_STARTED', 'a', 1, 40, 2),
      event('STEP_SUCCEEDED', 'a', 1, 45, 2),
    ]);
    expect(
      bars.map(({ run, step, attempt, outcome, startMs, endMs }) => [run, step, attempt, outcome, startMs, endMs]),
    ).toEqual([
      [1, 'a', 1, 'failed', 0, 5],
      [2, 'a', 1, 'succeeded', 40, 45],
    ]);
  });

  it('draws one bar per attempt: a retried step fails twice then succeeds, the next one still runs', () => {
    const bars = attemptBars([
      event('HANDOFF_STARTED', null, null, 0),
      event('STEP_STARTED', 'a', 1, 10),
      event('STEP_FAILED', 'a', 1, 20),
      event('STEP_RETRY_SCHEDULED', 'a', 1, 20),
      event('STEP_STARTED', 'a', 2, 40),
      event('STEP_SUCCEEDED', 'a', 2, 45),
      event('STEP_STARTED', 'b', 1, 50),
    ]);
    expect(bars.map(({ step, attempt, outcome, startMs, endMs }) => [step, attempt, outcome, startMs, endMs])).toEqual([
      ['a', 1, 'failed', 10, 20],
      ['a', 2, 'succeeded', 40, 45],
      ['b', 1, 'running', 50, null],
    ]);
  });

  it('opens a waiting bar for a step that reports STEP_WAITING alone, and keeps compensations apart from their step', () => {
    const bars = attemptBars([
      event('STEP_STARTED', 'prepare', 1, 0),
      event('STEP_SUCCEEDED', 'prepare', 1, 5),
      event('STEP_WAITING', 'review', 1, 6),
      event('STEP_FAILED', 'review', 1, 30),
      event('COMPENSATION_STARTED', 'prepare', 1, 31),
      event('COMPENSATION_SUCCEEDED', 'prepare', 1, 33),
    ]);
    expect(bars.map(({ step, compensation, outcome }) => [step, compensation, outcome])).toEqual([
      ['prepare', false, 'succeeded'],
      ['review', false, 'failed'],
      ['prepare', true, 'succeeded'],
    ]);
  });

  it('puts each step on a lane of its own, and the branches of a step run once per item on its lane', () => {
    const lanes = lanesOf(
      attemptBars([
        event('STEP_STARTED', 'a', 1, 0),
        event('STEP_SUCCEEDED', 'a', 1, 5),
        event('STEP_WAITING', 'review[1]', 1, 6, 1, 1),
        event('STEP_WAITING', 'review[0]', 1, 6, 1, 0),
        event('STEP_STARTED', 'c', 1, 6),
        event('STEP_SUCCEEDED', 'review[0]', 1, 9, 1, 0),
        event('COMPENSATION_STARTED', 'a', 1, 20),
      ]),
    );
    expect(lanes.map((lane) => [lane.step, lane.branches, lane.bars.map((bar) => bar.step)])).toEqual([
      ['a', 0, ['a', 'a']],
      ['review', 2, ['review[0]', 'review[1]']],
      ['c', 0, ['c']],
    ]);
    expect(lanes[0].bars[1].compensation).toBe(true);
  });
});
