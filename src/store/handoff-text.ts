import type { Handoff } from '../engine/kernel/handoff/handoff.js';
import type { HandoffEvent, HandoffEventDraft } from '../engine/kernel/handoff/handoff-event.js';

/** How every adapter turns a handoff and its events into stored text, and back. */

// Built field by field (not by spreading drafts of varying shapes): this runs for every event.
export function eventFrom(handoff: Handoff, draft: HandoffEventDraft, seq: number, at: number): HandoffEvent {
  const event: HandoffEvent = {
    handoffId: handoff.id,
    seq,
    run: handoff.run ?? 1,
    at,
    type: draft.type,
    step: draft.step,
    ...(draft.branch !== undefined ? { branch: draft.branch } : {}),
    status: handoff.status,
    message: draft.message,
    testId: handoff.test?.testId ?? null,
  };
  if (draft.attempt !== undefined) event.attempt = draft.attempt;
  if (draft.durationMs !== undefined) event.durationMs = draft.durationMs;
  if (draft.data !== undefined) event.data = draft.data;
  return event;
}

/** Everything but the metadata, which changes only on a redrive with a patch and may be large. */
export function stateText(handoff: Handoff, updatedAt: number): string {
  // The handoff itself, its metadata set aside for the call (JSON.stringify skips undefined) and both fields put
  // back: copying some thirty fields cost a third of the call, for every transition. The text is what
  // `JSON.stringify({ ...handoff, metadata: undefined, updatedAt })` gives, key for key.
  // A finished handoff from the cache is frozen (finished-handoffs.ts): copied instead, as is any that cannot take a field.
  if (!Object.isExtensible(handoff)) return JSON.stringify({ ...handoff, metadata: undefined, updatedAt });
  const { metadata, updatedAt: before } = handoff;
  try {
    handoff.metadata = undefined as unknown as Handoff['metadata'];
    handoff.updatedAt = updatedAt;
    return JSON.stringify(handoff);
  } finally {
    handoff.metadata = metadata;
    handoff.updatedAt = before;
  }
}

/** A stored handoff from its state text and (separately stored) metadata text. */
export function handoffFromText(state: string, metadata: string | undefined): Handoff {
  const handoff = JSON.parse(state) as Handoff;
  // Documents stored before metadata had its own field carry it inside the state.
  if (metadata !== undefined) handoff.metadata = JSON.parse(metadata) as Record<string, unknown>;
  return handoff;
}
