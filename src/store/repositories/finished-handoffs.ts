import { LRUCache } from 'lru-cache';
import type { Handoff } from '../../engine/kernel/handoff/handoff.js';
import { isFinal } from '../../engine/kernel/ports/handoff-columns.js';

/**
 * Parsed copies of recently read finished handoffs. A handoff in a final status changes again only
 * when it is redriven: the store that applies the redrive drops its copy, and other processes sharing
 * the store drop theirs when the HANDOFF_REDRIVEN event reaches them through the change feed
 * (HandoffStore.forget); retention deletes it, and each process's retention sweep drops the copies it
 * would delete (see `forget`). Otherwise a copy stays true: reads of it skip the store round trip and the
 * JSON parse. What readers share is frozen; each reader gets its own top-level object (GraphQL
 * libraries tag result objects with their type).
 *
 * The cache is bounded by an estimate of its entries' heap (outputs and metadata can be large): a
 * parsed handoff takes about three times its stored JSON text. Least recently read go first; a
 * budget of 0 turns it off.
 */
/** Heap bytes a parsed handoff takes per byte of its JSON text (measured on 4-step handoffs: 2.8–3.2). */
const HEAP_PER_TEXT_BYTE = 3;

export class FinishedHandoffs {
  private readonly cache: LRUCache<string, Handoff> | null;

  constructor(maxBytes: number) {
    this.cache = maxBytes > 0 ? new LRUCache({ maxSize: maxBytes }) : null;
  }

  /** Drops a copy that is no longer true: a redrive moved the handoff out of its final status. */
  forgetOne(id: string): void {
    this.cache?.delete(id);
  }

  /** A shallow copy (its nested steps, metadata and outputs are frozen and shared). */
  get(id: string): Handoff | undefined {
    const frozen = this.cache?.get(id);
    return frozen && { ...frozen };
  }

  /**
   * Drops the copies of `ids` (deleted here) and of every handoff finished before `finishedBefore`
   * (deleted by this sweep or by another process's): a deleted handoff is never read from here.
   */
  forget(ids: readonly string[], finishedBefore: number): void {
    if (!this.cache) return;
    for (const id of ids) this.cache.delete(id);
    for (const [id, handoff] of this.cache.entries()) {
      if (handoff.finishedAt !== null && handoff.finishedAt < finishedBefore) this.cache.delete(id);
    }
  }

  /** Keeps `handoff` when it is finished, counting its estimated heap (from `storedBytes` of text) against the budget; returns what callers should hold. */
  remember(handoff: Handoff, storedBytes: number): Handoff {
    if (!this.cache || !isFinal(handoff.status)) return handoff;
    const frozen = deepFreeze(handoff);
    // An entry larger than the whole budget is not kept.
    this.cache.set(handoff.id, frozen, { size: Math.max(1, storedBytes * HEAP_PER_TEXT_BYTE) });
    return { ...frozen };
  }
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
