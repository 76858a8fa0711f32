import type { ProgressEventFragment } from '../gql/graphql';

/** One attempt of a step or of its compensation, as the timeline draws it. */
export interface AttemptBar {
  /** The handoff's run (1, then one more after each retryHandoff). */
  run: number;
  step: string;
  /** The step whose lane it is drawn on: its own, or for a branch (`review[1]`) the step it is a branch of. */
  lane: string;
  /** For a branch of a step run once per item: its index. */
  branch: number | null;
  attempt: number;
  compensation: boolean;
  startMs: number;
  /** Null while it runs. */
  endMs: number | null;
  outcome: 'running' | 'waiting' | 'succeeded' | 'failed';
}

const STARTS = new Set(['STEP_STARTED', 'COMPENSATION_STARTED']);

function outcomeOf(type: string): AttemptBar['outcome'] | null {
  if (type === 'STEP_SUCCEEDED' || type === 'COMPENSATION_SUCCEEDED') return 'succeeded';
  if (type === 'STEP_FAILED' || type === 'COMPENSATION_FAILED') return 'failed';
  if (type === 'STEP_WAITING') return 'waiting';
  return null;
}

/** A branch's events name it `<step>[<index>]` and carry its index: it is drawn on its step's lane. */
function laneOf(event: ProgressEventFragment): Pick<AttemptBar, 'lane' | 'branch'> {
  const branch = event.branch ?? null;
  const step = event.step ?? '';
  return { lane: branch === null ? step : step.replace(/\[\d+\]$/, ''), branch };
}

export interface Lane {
  /** The step (a branch's: the step it is a branch of). */
  step: string;
  bars: AttemptBar[];
  /** How many branches drew bars on it. */
  branches: number;
}

/**
 * Bars grouped into one lane per step, in the order the steps first started; on a lane, a branch's bars
 * by branch, then as they started. Lanes share one time axis: steps that ran at once overlap.
 */
export function lanesOf(bars: readonly AttemptBar[]): Lane[] {
  const lanes = new Map<string, Lane>();
  for (const bar of bars) {
    const lane = lanes.get(bar.lane) ?? { step: bar.lane, bars: [], branches: 0 };
    lane.bars.push(bar);
    lanes.set(bar.lane, lane);
  }
  for (const lane of lanes.values()) {
    lane.branches = new Set(lane.bars.flatMap((bar) => (bar.branch === null ? [] : [bar.branch]))).size;
    lane.bars.sort((a, b) => (a.branch ?? -1) - (b.branch ?? -1) || a.startMs - b.startMs);
  }
  return [...lanes.values()];
}

/** The event log folded into bars: a start opens one, its success or failure closes it. */
export function attemptBars(events: readonly ProgressEventFragment[]): AttemptBar[] {
  const bars: AttemptBar[] = [];
  const open = new Map<string, AttemptBar>();
  for (const event of events) {
    if (!event.step) continue;
    const compensation = event.type.startsWith('COMPENSATION_');
    const key = `${event.run}:${compensation ? 'c' : 's'}:${event.step}`;
    const at = Date.parse(event.at);
    if (STARTS.has(event.type)) {
      const bar: AttemptBar = {
        run: event.run,
        step: event.step,
        ...laneOf(event),
        attempt: event.attempt ?? 1,
        compensation,
        startMs: at,
        endMs: null,
        outcome: 'running',
      };
      bars.push(bar);
      open.set(key, bar);
      continue;
    }
    const outcome = outcomeOf(event.type);
    if (!outcome) continue;
    let bar = open.get(key);
    if (outcome === 'waiting') {
      // A step that waits (await_signal, agent_task) reports STEP_WAITING without a STEP_STARTED before it.
      if (!bar) {
        bar = {
          run: event.run,
          step: event.step,
          ...laneOf(event),
          attempt: event.attempt ?? 1,
          compensation,
          startMs: at,
          endMs: null,
          outcome: 'waiting',
        };
        bars.push(bar);
        open.set(key, bar);
      }
      bar.outcome = 'waiting';
      continue;
    }
    if (!bar) continue;
    bar.outcome = outcome;
    bar.endMs = at;
    open.delete(key);
  }
  return bars;
}
