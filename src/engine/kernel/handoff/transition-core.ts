import { attemptInFlight, type Handoff, type HandoffStatus } from './handoff.js';
import type { HandoffEventDraft } from './handoff-event.js';

/**
 * What every transition (handoff-transitions.ts, graph-transitions.ts) is made of: the result type, the
 * refusal, and `change`, which copies the stored state, applies one mutation and bumps version and seq.
 */

/** Why a transition was not applied. The store adds VERSION_CONFLICT, LEASE_LOST, CANCEL_REQUESTED and REQUESTS_CHANGED. */
export type RefusalCode = 'WRONG_STATE' | 'VERSION_CONFLICT' | 'LEASE_LOST' | 'CANCEL_REQUESTED' | 'REQUESTS_CHANGED';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export interface Transition {
  /** The function that made it (for logs and refusals). */
  name: string;
  next: Handoff;
  events: HandoffEventDraft[];
  /** True when the metadata changed (a redrive's patch): the store writes it too. */
  writesMetadata: boolean;
}

export type TransitionResult = Transition | { refused: Refusal };

/** A transition computed from the state as it is when it is stored (a run stores its changes one at a time). */
export type TransitionBuilder = (h: Handoff) => TransitionResult;

export function isRefused(result: TransitionResult): result is { refused: Refusal } {
  return 'refused' in result;
}

export function wrongState(name: string, from: readonly HandoffStatus[], h: Handoff): { refused: Refusal } {
  return {
    refused: {
      code: 'WRONG_STATE',
      message: `${name} applies to a ${from.join(' or ')} handoff; "${h.id}" is ${h.status}`,
    },
  };
}

/** The next state of `h` (steps copied: the stored one stays as it was) after `mutate`, with `events`. */
export function change(
  name: string,
  h: Handoff,
  from: readonly HandoffStatus[],
  mutate: (next: Handoff) => void,
  events: HandoffEventDraft[],
): TransitionResult {
  if (!from.includes(h.status)) return wrongState(name, from, h);
  const next: Handoff = { ...h, steps: h.steps.map((step) => ({ ...step })) };
  mutate(next);
  next.version = h.version + 1;
  next.seq = h.seq + events.length;
  return { name, next, events, writesMetadata: false };
}

/** The event fields that say which step (and, for a branch, which branch) an event is about. */
export function stepRef(h: Handoff, index: number): { step: string; branch?: number } {
  const step = h.steps[index];
  return step.branch ? { step: step.id, branch: step.branch.index } : { step: step.id };
}

/**
 * A running handoff's status from its steps: RUNNING while an attempt runs (or none is under way),
 * WAITING while every attempt under way waits (for a signal, an agent, a child handoff).
 */
export function statusFromSteps(h: Handoff): 'RUNNING' | 'WAITING' {
  let waiting = false;
  for (const step of h.steps) {
    if (!attemptInFlight(step)) continue;
    if (step.status === 'RUNNING') return 'RUNNING';
    waiting = true;
  }
  return waiting ? 'WAITING' : 'RUNNING';
}

/**
 * Steps that were started (or due to start again) but will never finish read as FAILED, not RUNNING: an
 * attempt under way, a retry waiting for its turn, a step whose branches run.
 */
export function abandonOpenSteps(h: Handoff, reason: string, now: number): void {
  for (const step of h.steps) {
    const open = ['RUNNING', 'WAITING'].includes(step.status) || (step.status === 'PENDING' && step.attempts > 0);
    if (!open || (step.attempts === 0 && !step.fanOut)) continue;
    step.status = 'FAILED';
    step.error ??= reason;
    step.finishedAt = now;
    step.wait = null;
  }
}
