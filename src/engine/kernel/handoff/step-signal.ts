import { type Actor, actorFrom } from '../../shared/actor.js';

export const SIGNAL_OUTCOMES = ['APPROVE', 'REJECT'] as const;
export type SignalOutcome = (typeof SIGNAL_OUTCOMES)[number];

/** What signalHandoff carries to an await_signal step: a decision, its payload, and who made it. */
export interface StepSignal {
  outcome: SignalOutcome;
  payload: unknown;
  /** Why, for a rejection (kept for an approval when given). */
  reason: string | null;
  actor: Actor | null;
  /** The handoff's run it was given in (absent: 1): a redrive's run does not take an earlier run's decision. */
  run?: number;
}

/** Marks a stored signal as a StepSignal; earlier versions stored the bare payload. */
const ENVELOPE = 'step-signal/1';

export function storedSignal(signal: StepSignal): Record<string, unknown> {
  return {
    envelope: ENVELOPE,
    outcome: signal.outcome,
    payload: signal.payload ?? null,
    reason: signal.reason,
    actor: signal.actor,
    run: signal.run ?? 1,
  };
}

/**
 * Whether a recorded signal may decide a step in run `run`: a step signal given in an earlier run
 * (before a redrive) may not (the step runs again and waits for a new decision); any other signal
 * (an agent task's outcome, named after its task; a receipt, named after what it acknowledges) is
 * tied to what it names already.
 */
export function signalBelongsToRun(stored: unknown, run: number): boolean {
  if (typeof stored !== 'object' || stored === null || (stored as Record<string, unknown>).envelope !== ENVELOPE)
    return true;
  const given = (stored as Record<string, unknown>).run;
  return (typeof given === 'number' ? given : 1) >= run;
}

/** A stored signal as a StepSignal; a bare payload (stored by an earlier version) is an approval by nobody known. */
export function readSignal(stored: unknown): StepSignal {
  if (typeof stored === 'object' && stored !== null && (stored as Record<string, unknown>).envelope === ENVELOPE) {
    const { outcome, payload, reason, actor } = stored as Record<string, unknown>;
    return {
      outcome: outcome === 'REJECT' ? 'REJECT' : 'APPROVE',
      payload: payload ?? null,
      reason: typeof reason === 'string' ? reason : null,
      actor: actorFrom(actor),
    };
  }
  return { outcome: 'APPROVE', payload: stored ?? null, reason: null, actor: null };
}
