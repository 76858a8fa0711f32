import type { ProgressEventFragment } from '../gql/graphql';

/** One attempt of a step or of its compensation, as the timeline draws it. */
export interface AttemptBar {
  step: string;
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

/** The event log folded into bars: a start opens one, its success or failure closes it. */
export function attemptBars(events: readonly ProgressEventFragment[]): AttemptBar[] {
  const bars: AttemptBar[] = [];
  const open = new Map<string, AttemptBar>();
  for (const event of events) {
    if (!event.step) continue;
    const compensation = event.type.startsWith('COMPENSATION_');
    const key = `${compensation ? 'c' : 's'}:${event.step}`;
    const at = Date.parse(event.at);
    if (STARTS.has(event.type)) {
      const bar: AttemptBar = {
        step: event.step,
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
          step: event.step,
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
