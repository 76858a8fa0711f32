import { actorFrom } from '../../shared/actor.js';
import type { Handoff } from './handoff.js';
import type { PauseRequest } from './handoff-transitions.js';

/**
 * A pause is asked for like a signal, out of band (the runner holds the handoff's lease): recorded
 * under this name, which no step id can take (step ids hold no `:`; agent tasks' names start `task:`;
 * and no `$` or `.`, which document stores read as operators or paths), it reaches the runner
 * wherever it runs by the same paths as signals (its commits, the change feed, polling). Requests are
 * numbered: the runner honours one whose number is above the handoff's `pausesHonoured`, so a request
 * left recorded after its pause (or withdrawn by a resume) never pauses the handoff again.
 */
export const PAUSE_SIGNAL = 'handoff:pause';

/** The recorded request, if the payload is one. */
export function pauseRequestOf(payload: unknown): PauseRequest | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const { number, reason, actor, at } = payload as Record<string, unknown>;
  if (typeof number !== 'number' || typeof at !== 'number') return null;
  return { number, reason: typeof reason === 'string' ? reason : null, actor: actorFrom(actor), at };
}

/** The request the runner must honour before the handoff's next step, or null. */
export function duePause(handoff: Pick<Handoff, 'pausesHonoured'>, payload: unknown): PauseRequest | null {
  const request = pauseRequestOf(payload);
  return request && request.number > (handoff.pausesHonoured ?? 0) ? request : null;
}
