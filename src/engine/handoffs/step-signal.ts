import { actorFrom, type Actor } from '../shared/actor.js';

export const SIGNAL_OUTCOMES = ['APPROVE', 'REJECT'] as const;
export type SignalOutcome = (typeof SIGNAL_OUTCOMES)[number];

/** What signalHandoff carries to an await_signal step: a decision, its payload, and who made it. */
export interface StepSignal {
  outcome: SignalOutcome;
  payload: unknown;
  /** Why, for a rejection (kept for an approval when given). */
  reason: string | null;
  actor: Actor | null;
}

/** Marks a stored signal as a StepSignal; earlier versions stored the bare payload. */
const ENVELOPE = 'step-signal/1';

export function storedSignal(signal: StepSignal): Record<string, unknown> {
  return { envelope: ENVELOPE, outcome: signal.outcome, payload: signal.payload ?? null, reason: signal.reason, actor: signal.actor };
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
